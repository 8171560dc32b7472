# Boot-time logging of the test system, sourced by rcS and the fake daemons.
#
# Each event goes, when it happens, to a real systemd journal file
# (/var/log/journal/<machine-id>/system.journal, written by the Debian
# systemd-journal-remote binary from journal export format), to the classic
# /var/log/syslog, and usually to the console (the serial log), like systemd
# status lines and journald's forward_to_console would.

JOURNAL_REMOTE=/lib/systemd/systemd-journal-remote

# now_us - wall clock in microseconds (busybox date has no %N).
now_us() {
	adjtimex | awk '/tv_sec/ { s = $2 } /tv_usec/ { u = $2 } END { printf "%d%06d\n", s, u }'
}

# uptime_us - CLOCK_BOOTTIME-ish, good enough for __MONOTONIC_TIMESTAMP.
uptime_us() {
	awk '{ split($1, t, "."); printf "%d%02d0000\n", t[1], t[2] }' /proc/uptime
}

# journal IDENT PID PRIORITY MESSAGE [FIELD=VALUE...] - append one entry to
# the journal and a line to /var/log/syslog.
journal() {
	local ident=$1 pid=$2 prio=$3 message=$4 dir
	shift 4
	dir=/var/log/journal/$(cat /etc/machine-id)
	mkdir -p "$dir"
	{
		# Trusted fields journald would add; FIELD=VALUE arguments given by
		# the caller (e.g. _UID=1000, _TRANSPORT=kernel) take their place.
		for field in \
			"__REALTIME_TIMESTAMP=$(now_us)" \
			"__MONOTONIC_TIMESTAMP=$(uptime_us)" \
			"_BOOT_ID=$(tr -d '-' </proc/sys/kernel/random/boot_id)" \
			"_MACHINE_ID=$(cat /etc/machine-id)" \
			"_HOSTNAME=$(hostname)" \
			_TRANSPORT=journal _UID=0 _GID=0 "_PID=$pid" "_COMM=$ident" \
			"PRIORITY=$prio" SYSLOG_FACILITY=3 "SYSLOG_IDENTIFIER=$ident"; do
			case " $* " in
			*" ${field%%=*}="*) ;;
			*) [ -n "${field#*=}" ] && printf '%s\n' "$field" ;;
			esac
		done
		printf 'MESSAGE=%s\n' "$message"
		for field in "$@"; do
			printf '%s\n' "$field"
		done
		echo
	} | "$JOURNAL_REMOTE" --output="$dir/system.journal" - >>/run/journal-remote.log 2>&1 ||
		echo "smoketest: systemd-journal-remote failed, see /run/journal-remote.log" >/dev/console
	printf "%s %s %s%s: %s\n" "$(date "+%b %e %H:%M:%S")" "$(hostname)" \
		"$ident" "${pid:+[$pid]}" "$message" >>/var/log/syslog
}

# say IDENT PID PRIORITY MESSAGE [FIELD=VALUE...] - journal, then console, as
# journald.forward_to_console does: "ident[pid]: message".
say() {
	journal "$@"
	printf '%s[%s]: %s\n' "$1" "$2" "$4"
}

# unit_ok TEXT UNIT - a systemd "[  OK  ]" status line ("Started ...",
# "Reached target ...") with the journal entry systemd writes for it.
unit_ok() {
	journal systemd 1 6 "$1" MESSAGE_ID=39f53479d3a045ac8e11786248231fbf "UNIT=$2" JOB_TYPE=start JOB_RESULT=done
	printf '[  OK  ] %s\n' "$1"
}

# unit_failed TEXT UNIT - "[FAILED] Failed to start ..." and its entry.
unit_failed() {
	journal systemd 1 3 "$1" MESSAGE_ID=be5e6dd5bf5243238e1aee6bd5fcaa16 "UNIT=$2" JOB_TYPE=start JOB_RESULT=failed
	printf '[FAILED] %s\n' "$1"
}

# desktop_user - the installer's user (uid 1000), named in /etc/passwd.
desktop_user() {
	awk -F: '$3 == 1000 { print $1; exit }' /etc/passwd
}
