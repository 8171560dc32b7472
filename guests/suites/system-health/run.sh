#!/bin/sh
# system-health: started as root by smokegate-suite@system-health.service
# (after the display manager) or, on images without systemd, by the
# harness's rc.local / upstart job. Each check skips, saying why, where
# the image has no such thing to check (no systemd, no journal, no dpkg).
. "$(dirname "$0")/../lib/tap.sh"

# How long the boot may still be starting when the suite starts.
WAIT=${SMOKEGATE_SUITE_WAIT:-300}

booted_with_systemd() {
	[ -d /run/systemd/system ]
}

# The suite's own service is a simple one (not oneshot), so it does not
# hold the boot back from finishing while it waits for it.
boot_finished() {
	state=$(systemctl is-system-running 2>/dev/null)
	case $state in
	initializing | starting) echo "still $state"; return 1 ;;
	esac
	echo "$state"
}

system_running() {
	state=$(tap_wait "$WAIT" boot_finished)
	if [ "$state" = running ]; then
		return 0
	fi
	echo "systemctl is-system-running: $state"
	if [ "$state" = degraded ]; then
		echo "failed units:"
		systemctl --failed --no-legend --plain --no-pager 2>&1
	fi
	return 1
}

# systemd-coredump logs each dump with this MESSAGE_ID; apport (Ubuntu)
# leaves its reports in /var/crash.
COREDUMP_MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1

no_core_dumps() {
	dumps=""
	if command -v journalctl >/dev/null 2>&1; then
		dumps=$(journalctl -b -q --no-pager -o cat MESSAGE_ID=$COREDUMP_MESSAGE_ID 2>/dev/null | head -n 10)
	fi
	crashes=$(ls /var/crash/*.crash 2>/dev/null | head -n 10)
	if [ -n "$dumps$crashes" ]; then
		[ -n "$dumps" ] && printf '%s\n' "$dumps"
		[ -n "$crashes" ] && printf 'apport report %s\n' $crashes
		return 1
	fi
}

# Taint flag D (128): the kernel died, an oops or a BUG; the other flags
# are said but do not fail (a TCG guest's soft lockups set L).
no_kernel_oops() {
	taint=$(cat /proc/sys/kernel/tainted)
	if [ $((taint & 128)) -ne 0 ]; then
		echo "/proc/sys/kernel/tainted is $taint: the kernel oopsed"
		if command -v journalctl >/dev/null 2>&1; then
			journalctl -k -b -q --no-pager -o cat 2>/dev/null | grep -m 5 -E 'Oops|BUG:|Call Trace'
		else
			dmesg 2>/dev/null | grep -m 5 -E 'Oops|BUG:|Call Trace'
		fi
		return 1
	fi
}

# 100 MiB: less and the next package upgrade or log rotation fails.
root_has_room() {
	avail=$(df -Pk / | awk 'NR == 2 { print $4 }')
	if [ -z "$avail" ] || [ "$avail" -lt 102400 ]; then
		df -Ph /
		return 1
	fi
}

dpkg_consistent() {
	audit=$(dpkg --audit 2>&1)
	if [ -n "$audit" ]; then
		printf '%s\n' "$audit" | head -n 20
		return 1
	fi
}

# What the answer file set, from lib/expect.env (run-suite reads it).
answer_hostname() {
	name=$(hostname 2>/dev/null || cat /etc/hostname)
	if [ "$name" != "$SMOKEGATE_HOSTNAME" ]; then
		echo "the hostname is $name, the answer file set $SMOKEGATE_HOSTNAME"
		return 1
	fi
}

answer_user() {
	if ! grep -q "^$SMOKEGATE_USER:" /etc/passwd; then
		echo "no $SMOKEGATE_USER in /etc/passwd"
		return 1
	fi
}

# /etc/localtime links to the zone (systemd, and d-i since 2014), or
# /etc/timezone names it (older Debian and Ubuntu).
answer_timezone() {
	zone=$(readlink /etc/localtime 2>/dev/null | sed -n 's|.*zoneinfo/||p')
	[ -n "$zone" ] || zone=$(cat /etc/timezone 2>/dev/null)
	if [ "$zone" != "$SMOKEGATE_TIMEZONE" ]; then
		echo "the timezone is ${zone:-unknown}, the answer file set $SMOKEGATE_TIMEZONE"
		return 1
	fi
}

answer_locale() {
	lang=$(sed -n 's/^LANG=//p' /etc/default/locale /etc/locale.conf 2>/dev/null | head -n 1 | tr -d '"')
	if [ "$lang" != "$SMOKEGATE_LOCALE" ]; then
		echo "LANG is ${lang:-unset} in /etc/default/locale, the answer file set $SMOKEGATE_LOCALE"
		return 1
	fi
}

tap_plan 9
if booted_with_systemd; then
	tap_check "the system finished booting and is not degraded" system_running
else
	tap_skip "the system finished booting and is not degraded" "not booted with systemd"
fi
tap_check "no program dumped core in this boot" no_core_dumps
tap_check "the kernel has not oopsed" no_kernel_oops
tap_check "the root file system has 100 MiB free" root_has_room
if command -v dpkg >/dev/null 2>&1; then
	tap_check "the package database is consistent (dpkg --audit)" dpkg_consistent
else
	tap_skip "the package database is consistent (dpkg --audit)" "no dpkg on this image"
fi
tap_expect SMOKEGATE_HOSTNAME "the hostname is the answer file's" answer_hostname
tap_expect SMOKEGATE_USER "the answer file's user exists" answer_user
tap_expect SMOKEGATE_TIMEZONE "the timezone is the answer file's" answer_timezone
tap_expect SMOKEGATE_LOCALE "the locale is the answer file's" answer_locale
tap_done
