#!/bin/bash
# bench/real-installers.sh [BUILD-DIR]: the figures of the real-component
# fixtures, from the vm tests that run them (each prints its measurements as
# TAP comments):
# - Debian's real debian-installer stopped at a real question and at a real
#   error: fail_fast_s is seconds from the dialog's first byte on the console
#   to the verdict written (settle time included);
# - the real live-boot image: screen.seconds_after_markers is seconds from
#   the autologin session's console line to the settled, drawn screenshot.
# Not asserted anywhere; run on a quiet machine for comparable numbers.
set -u
build=${1:-build}
meson test -C "$build" --verbose vm-real-di-question vm-real-di-bad-mirror vm-real-di-no-network \
	vm-live-real-good vm-live-real-black-screen 2>&1 |
	grep -E '^# (question|bad-mirror|no-network): exit|^# (duration|printed after|screenshot)|^ *[0-9]+/[0-9]+ ' 
