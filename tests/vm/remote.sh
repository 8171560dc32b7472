#!/bin/bash
# smokegate driving a second libvirt host through the connection alone:
# libvirtd in its own mount namespace on ADDR (tests/vm/lab-host.sh), with
# none of the coordinator's paths inside it. Each image gets its verdict
# over qemu+tcp; the host keeps nothing but the cached ISO and its marker;
# a second test of the same image uploads no ISO; a run killed with -9
# leaves a guest and volumes behind that the next run removes.
# usage: remote.sh verdicts|crash SMOKEGATE ADDR GOOD PANIC INSTALLER-ERROR NO-DESKTOP HANG
# (verdicts: every image's verdict and the ISO cache; crash: the killed run
# and the clean-up by the next one)
. "$(dirname "$0")/lib.sh"
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

# run NAME ISO EXIT REASON-REGEX
# (smokegate's debug messages go to stdout, before the verdict's line)
run() {
	local name=$1 iso=$2 want_exit=$3 want_reason=$4 status reason
	runs+=("$name")
	G_MESSAGES_DEBUG=smokegate "$smokegate" test "$iso" --connect "$uri" \
		--evidence "$workdir/$name" > "$workdir/$name.out" 2> "$workdir/$name.err"
	status=$?
	reason=$(json_field .reason "$workdir/$name/result.json" 2>/dev/null)
	echo "# $name: $(tail -n 1 "$workdir/$name.out") ($(json_field .duration_s "$workdir/$name/result.json" 2>/dev/null) s)"
	check "$name: exit $want_exit over $uri (got $status)" test "$status" -eq "$want_exit"
	check "$name: reason matches /$want_reason/" grep -Eq -- "$want_reason" <<<"$reason"
	check "$name: the console came over the connection" test -s "$workdir/$name/console-install.log"
}

if [ "$mode" = verdicts ]; then
run good "$good" 0 '^installed, booted and reached the desktop'
first_upload=$(json_field .image_uploaded_bytes "$workdir/good/result.json")
check "the first test uploaded the image ($first_upload bytes)" test "${first_upload:-0}" -gt 0
check "the installed disk was read after a download" test -s "$workdir/good/inspection.json"
run good-again "$good" 0 '^installed, booted and reached the desktop'
check "the second test of the same image uploaded no ISO" test "$(json_field .image_uploaded_bytes "$workdir/good-again/result.json")" = 0
run panic "$panic" 1 '^install: kernel panic'
run installer-error "$installer_error" 1 '^install: installer error'
run no-desktop "$no_desktop" 1 '^boot: display manager failed'
else

# Killed in the middle: its guest and volumes stay on the host...
runs+=(killed)
G_MESSAGES_DEBUG=smokegate "$smokegate" test "$hang" --connect "$uri" \
	--evidence "$workdir/killed" > "$workdir/killed.out" 2> "$workdir/killed.err" &
killed=$!
started=$(date +%s)
wait_for_console "$workdir/killed" 60 || echo "# no console output from the run to kill"
echo "# killing it after $(($(date +%s) - started)) s"
kill -9 "$killed"
wait "$killed" 2>/dev/null
echo "# killed process $killed at $(date -u +%T.%N)"
check "the killed run left its guest on the host" sh -c "virsh -c '$uri' list --name | grep -q smokegate-"
check "and its volumes" sh -c "virsh -c '$uri' vol-list smokegate | grep -q 'smokegate-'"
# ...until the next run on that host removes them.
run after-kill "$panic" 1 '^install: kernel panic'
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
