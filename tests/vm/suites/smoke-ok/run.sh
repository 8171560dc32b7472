#!/bin/sh
. "$(dirname "$0")/../lib/tap.sh"
tap_plan 3
tap_check "the hostname is the answer file's" test "$(hostname)" = smoketest
tap_check "the installed system names itself" test -s /etc/os-release
tap_skip "a check this image has nothing for" "no systemd on the test image"
tap_done
