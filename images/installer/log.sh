# Installer logging, sourced by /init.
# d-i keeps its own syslog in the RAM disk and copies it to
# /var/log/installer/syslog on the target at the end; the harness reads that
# copy to explain a failure, so every step and every command's output goes here.

SYSLOG=/var/log/syslog

# log TAG MESSAGE... - one syslog line, "Nov 25 19:52:14 tag[pid]: message".
log() {
	local tag=$1
	shift
	printf '%s %s[%s]: %s\n' "$(date '+%b %e %H:%M:%S')" "$tag" "$$" "$*" >>"$SYSLOG"
}

# progress TEXT - a progress line on the console (the serial log the harness
# watches) and in syslog.
progress() {
	echo "$*"
	log main-menu "INFO: $*"
}

# run TAG CMD... - run a command with its output in syslog, keep its status.
run() {
	local tag=$1 rc=0
	shift
	log "$tag" "running: $*"
	"$@" >>"$SYSLOG" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || log "$tag" "command failed with status $rc: $*"
	return "$rc"
}
