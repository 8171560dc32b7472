# tap.sh: TAP output for smokegate's downstream suites, POSIX sh (dash,
# busybox and bash alike, back to 2013-era images). A suite sources it:
#   . "$(dirname "$0")/../lib/tap.sh"
# and prints TAP on its standard output; run-suite sends that to the
# harness. Every check names what it saw when it fails, as "# " lines
# under the "not ok", because that is what the harness quotes.

_tap_number=0
_tap_failed=0

# tap_plan N: the plan comes first, so a suite that stops half-way shows.
tap_plan() {
	echo "TAP version 13"
	echo "1..$1"
}

# tap_diag TEXT...: each line of TEXT as a "# " comment.
tap_diag() {
	printf '%s\n' "$*" | sed -e 's/^/# /'
}

# tap_result STATUS DESCRIPTION [DIAGNOSTICS]: ok when STATUS is 0.
tap_result() {
	_tap_status=$1
	_tap_description=$(printf '%s' "$2" | sed -e 's/#/\\#/g')
	_tap_number=$((_tap_number + 1))
	if [ "$_tap_status" -eq 0 ]; then
		echo "ok $_tap_number - $_tap_description"
	else
		echo "not ok $_tap_number - $_tap_description"
		_tap_failed=$((_tap_failed + 1))
	fi
	if [ -n "${3:-}" ]; then
		tap_diag "$3"
	fi
	return "$_tap_status"
}

# tap_check DESCRIPTION COMMAND [ARGS...]: runs COMMAND; its output
# (standard output and error) becomes the diagnostics when it fails.
tap_check() {
	_tap_check_description=$1
	shift
	_tap_output=$("$@" 2>&1)
	_tap_check_status=$?
	if [ "$_tap_check_status" -eq 0 ]; then
		tap_result 0 "$_tap_check_description"
	else
		tap_result "$_tap_check_status" "$_tap_check_description" \
			"${_tap_output:-$1 exited with status $_tap_check_status}"
	fi
}

# tap_expect VARIABLE DESCRIPTION CHECK [ARGS...]: tap_check when the
# harness gave VARIABLE (lib/expect.env: what the answer file or the
# flavour set), else a skip that says which value is missing.
tap_expect() {
	_tap_expect_variable=$1
	shift
	if [ -n "$(eval "echo \${$_tap_expect_variable:-}")" ]; then
		tap_check "$@"
	else
		tap_skip "$1" "the harness did not say ($_tap_expect_variable)"
	fi
}

# tap_skip DESCRIPTION REASON
tap_skip() {
	_tap_number=$((_tap_number + 1))
	echo "ok $_tap_number - $(printf '%s' "$1" | sed -e 's/#/\\#/g') # SKIP $2"
}

# tap_bail REASON: nothing after this can be judged; the harness stops
# waiting at once.
tap_bail() {
	echo "Bail out! $*"
	exit 255
}

# tap_done: the exit status says how many failed (for running by hand;
# the harness reads the TAP, not the status).
tap_done() {
	exit "$_tap_failed"
}

# tap_wait SECONDS COMMAND [ARGS...]: tries COMMAND once a second until
# it succeeds or SECONDS have passed, and prints its last output. A
# session's programs start side by side: what a check looks for may come a
# moment after the suite itself.
tap_wait() {
	_tap_wait_left=$1
	shift
	while :; do
		if _tap_output=$("$@" 2>&1); then
			printf '%s\n' "$_tap_output"
			return 0
		fi
		_tap_wait_left=$((_tap_wait_left - 1))
		[ "$_tap_wait_left" -gt 0 ] || break
		sleep 1
	done
	printf '%s\n' "$_tap_output"
	return 1
}

# tap_process_running NAME...: the pid and name of this user's first
# process whose name is one of NAME; no output and status 1 when none
# runs. The kernel keeps 15 characters of a name (/proc/PID/comm), so
# NAME is cut as it does: unity-panel-service is unity-panel-ser.
tap_process_running() {
	for _tap_proc in /proc/[0-9]*; do
		[ -O "$_tap_proc" ] || continue
		_tap_comm=$(cat "$_tap_proc/comm" 2>/dev/null) || continue
		for _tap_name in "$@"; do
			if [ "$_tap_comm" = "$(printf '%.15s' "$_tap_name")" ]; then
				echo "${_tap_proc#/proc/} $_tap_comm"
				return 0
			fi
		done
	done
	return 1
}

# tap_unix_socket_listening PATH: a Unix socket bound to PATH (or to the
# abstract name @PATH, as X servers also do) is in /proc/net/unix.
tap_unix_socket_listening() {
	awk -v path="$1" 'NR > 1 && ($NF == path || $NF == "@" path) { found = 1 }
		END { exit found ? 0 : 1 }' /proc/net/unix
}
