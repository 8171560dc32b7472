#!/bin/bash
# smokegate driving a second libvirt host through the connection alone:
# libvirtd in its own mount namespace on ADDR (tests/vm/lab-host.sh), with
# none of the coordinator's paths inside it. Each image gets its verdict
# over qemu+tcp; the host keeps nothing but the cached ISO and its marker;
# a second test of the same image uploads no ISO; a run killed with -9
# leaves a guest and volumes behind that the next run removes, when it
# starts and again when it ends.
# usage: remote.sh verdicts|all-verdicts|crash SMOKEGATE ADDR GOOD PANIC INSTALLER-ERROR NO-DESKTOP HANG
# (verdicts: a pass, the ISO cache and a fail; all-verdicts: every image's
# verdict; crash: the killed runs and the clean-up by the next one)
. "$(dirname "$0")/lib.sh"
needs_root "the lab host is a libvirtd in a mount namespace of its own"
. "$(dirname "$0")/lab-host.sh"

mode=$1
shift
smokegate=$(realpath "$1") addr=$2 good=$3 panic=$4 installer_error=$5 no_desktop=$6 hang=$7
uri="qemu+tcp://$addr/system"
host=smokegate-remote-test-$$
make_workdir
runs=()
# On a failure, before the work folder and the lab host go: every smokegate
# run's output (stdout with its debug messages, then stderr), the guests
# left and the lab host's own log, as TAP comments that stay in the test log.
show() {
	[ -s "$1" ] && sed "s/^/# $2: /" "$1"
	return 0
}
show_failure() {
	local name
	[ "$tap_failed" -eq 0 ] && return
	for name in "${runs[@]}"; do
		show "$workdir/$name.out" "$name stdout"
		show "$workdir/$name.err" "$name stderr"
	done
	virsh -c "$uri" list --all 2>&1 | sed 's/^/# guests: /'
	show "$(lab_host_state "$host")/log" host-log
}
trap 'show_failure; lab_host_stop "$host" >/dev/null 2>&1; rm -rf "$workdir"' EXIT

if ! lab_host_start "$host" "$addr" "$(dirname "$(realpath "$good")")" "$workdir" > "$workdir/host.log" 2>&1; then
	sed 's/^/# host: /' "$workdir/host.log"
	not_ok "second libvirt host started on $addr"
	finish
	exit 1
fi
ok "second libvirt host started on $addr"
inside() { nsenter -t "$(lab_host_pid "$host")" -m -- "$@"; }
check "nothing shared: the image is not at its path on the host" sh -c "! nsenter -t $(lab_host_pid "$host") -m -- test -e '$(realpath "$good")'"
check "nothing shared: the evidence folder is not there either" sh -c "! nsenter -t $(lab_host_pid "$host") -m -- test -e '$workdir'"

# start NAME ISO: a run in the background, its pid in $!
# (smokegate's debug messages go to stdout, before the verdict's line)
start() {
	runs+=("$1")
	G_MESSAGES_DEBUG=smokegate "$smokegate" test "$2" --connect "$uri" \
		--evidence "$workdir/$1" > "$workdir/$1.out" 2> "$workdir/$1.err" &
}

# run NAME ISO EXIT REASON-REGEX
run() {
	start "$1" "$2"
	wait_run "$1" $! "$3" "$4"
}

# wait_run NAME PID EXIT REASON-REGEX: waits for a started run, checks its verdict
wait_run() {
	local name=$1 pid=$2 want_exit=$3 want_reason=$4 status reason
	wait "$pid"
	status=$?
	reason=$(json_field .reason "$workdir/$name/result.json" 2>/dev/null)
	echo "# $name: $(tail -n 1 "$workdir/$name.out") ($(json_field .duration_s "$workdir/$name/result.json" 2>/dev/null) s)"
	check "$name: exit $want_exit over $uri (got $status)" test "$status" -eq "$want_exit"
	check "$name: reason matches /$want_reason/" grep -Eq -- "$want_reason" <<<"$reason"
	check "$name: the console came over the connection" test -s "$workdir/$name/console-install.log"
}

if [ "$mode" != crash ]; then
run good "$good" 0 '^installed, booted and reached the desktop'
first_upload=$(json_field .image_uploaded_bytes "$workdir/good/result.json")
check "the first test uploaded the image ($first_upload bytes)" test "${first_upload:-0}" -gt 0
check "the installed disk was read after a download" test -s "$workdir/good/inspection.json"
run good-again "$good" 0 '^installed, booted and reached the desktop'
check "the second test of the same image uploaded no ISO" test "$(json_field .image_uploaded_bytes "$workdir/good-again/result.json")" = 0
run panic "$panic" 1 '^install: kernel panic'
if [ "$mode" = all-verdicts ]; then
	run installer-error "$installer_error" 1 '^install: installer error'
	run no-desktop "$no_desktop" 1 '^boot: display manager failed'
fi
else

# on_host WHAT PID: whether a guest (list) or a volume (vol-list) of run PID is there
on_host() {
	case $1 in
	guest) virsh -c "$uri" list --all --name ;;
	volume) virsh -c "$uri" vol-list smokegate ;;
	esac | grep -q -- "^ *smokegate-[^-]*-$2-"
}
off_host() { ! on_host "$@"; }

# Killed in the middle: its guest and volumes stay on the host...
start killed "$hang"
killed=$!
started=$(date +%s)
# (a starved host can take a minute to its guest's first byte)
wait_for_console "$workdir/killed" 180 || echo "# no console output from the run to kill"
echo "# killing it after $(($(date +%s) - started)) s"
kill -9 "$killed"
wait "$killed" 2>/dev/null
echo "# killed process $killed at $(date -u +%T.%N)"
check "the killed run left its guest on the host" on_host guest "$killed"
check "and its volumes" on_host volume "$killed"
# ...until the next run on that host removes them as it starts (the hang
# image: its console's silence keeps it running for a minute)...
start after-kill "$hang"
next=$!
wait_for_console "$workdir/after-kill" 120
check "the next run removed the killed run's guest as it started" off_host guest "$killed"
check "and its volumes" off_host volume "$killed"
# ...and again as it ends: a killed run's calls still under way in the daemon
# can make a guest or a volume after the next run looked. A run killed as
# soon as its guest is there, while the next run runs, stands for them.
start late "$hang"
late=$!
started=$(date +%s)
for _ in $(seq 1 600); do
	if on_host guest "$late" || ! kill -0 "$late" 2>/dev/null; then break; fi
	sleep 0.2
done
echo "# killing the late run after $(($(date +%s) - started)) s"
next_ran=no
kill -0 "$next" 2>/dev/null && next_ran=yes
kill -9 "$late"
wait "$late" 2>/dev/null
check "a run killed after the next run started left its guest" on_host guest "$late"
check "while the next run still ran" test "$next_ran" = yes
wait_run after-kill "$next" 1 '^install: console silent for'
fi

guests=$(virsh -c "$uri" list --all --name | grep -c . || true)
check "no guest left on the host (found $guests)" test "$guests" -eq 0
volumes=$(virsh -c "$uri" vol-list smokegate | awk 'NR > 2 && $1 != "" { print $1 }')
echo "# volumes left: $(echo $volumes)"
check "no volume left but cached ISOs and their markers" sh -c "! echo '$volumes' | grep -Ev '^[0-9a-f]{64}\\.(iso|ok)$' | grep -q ."
# (The lab host's own command line names the work folder it hides: only
# QEMU processes count.)
left=$(pgrep -af qemu-system | grep -F "$SMOKEGATE_STATE_DIR" | cut -c1-300)
[ -z "$left" ] || echo "# left: $left"
check "no QEMU of this coordinator left on this machine" test -z "$left"
finish
