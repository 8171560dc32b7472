#!/bin/bash
# libvirtd killed (kill -9, as a crash would end it) in the middle of the
# install of a build on a single libvirt host (a second host in its own
# namespaces on loopback, tests/vm/lab-host.sh), its QEMU left running:
# the gate ends that test as an error, not a fail (the record stays
# untested, no failed build, `current` unchanged, exit 2). libvirtd is
# started again (finding the guest that still runs, as a libvirtd restarted
# by systemd would) and the NEXT gate tests the build again to its real
# verdict and removes what the killed attempt left: no guest, no volume but
# the ISO cache, no QEMU. (vm-lab-gate-loss takes a whole host away, QEMU
# too, and the same run retries on the other host.) About 90 s.
# usage: libvirtd-kill.sh SMOKEGATE ADDR PANIC
. "$(dirname "$0")/lib.sh"
needs_root "the lab host is a libvirtd in a mount namespace of its own"
. "$(dirname "$0")/lab-host.sh"

smokegate=$(realpath "$1") addr=$2 panic=$(realpath "$3")
make_workdir
host=smokegate-libvirtd-kill-$$
trap 'lab_host_stop "$host" >/dev/null 2>&1; rm -rf "$workdir"' EXIT
tree="$workdir/tree"
uri="qemu+tcp://$addr/system"
mkdir -p "$tree"

if ! lab_host_start "$host" "$addr" "$(dirname "$panic")" "$workdir" > "$workdir/host.log" 2>&1; then
	sed 's/^/# host: /' "$workdir/host.log"
	not_ok "lab host started on $addr"
	finish
	exit 1
fi
ok "lab host started on $addr"

# A build people made current (no guest needed), then the day's respin to test.
"$smokegate" stage --tree "$tree" --flavour alpha "$panic" > /dev/null
types="$tree/alpha/daily-live"
first=$(readlink "$types/pending")
"$smokegate" mark-current --tree "$tree" "alpha/daily-live/$first" --reason "known good" > /dev/null
"$smokegate" stage --tree "$tree" --flavour alpha "$panic" > /dev/null
build=$(readlink "$types/pending")
record="$types/$build/smokegate.json"
check "a current build and a respin to test ($first, $build)" test "$first" != "$build"

gate() {
	"$smokegate" gate --tree "$tree" --connect "$uri" --accel tcg --json \
		> "$workdir/events$1" 2> "$workdir/err$1"
}

started=$(date +%s)
gate 1 &
gate_pid=$!
installing=
wait_for_gate_phase "$workdir/events1" install && installing=yes
# Well into the install: the guest runs on the host.
sleep 5
guests_before=$(virsh -c "$uri" list --name | grep -c . || true)
echo "# killing libvirtd at $(($(date +%s) - started)) s, $guests_before guest(s) running"
check "the install was under way with a guest on the host" \
	test -n "$installing" -a "$guests_before" -ge 1
check "libvirtd killed" lab_host_kill_libvirtd "$host"
wait "$gate_pid"
status=$?
echo "# first gate took $(($(date +%s) - started)) s"
show_gate "$workdir/err1" "$workdir/events1"
check "gate exits 2: the build was not judged (got $status)" test "$status" -eq 2
check "the attempt finished as an error, not a fail" \
	grep -q . <<<"$(jq -c 'select(.event == "finished" and (.detail | startswith("error: ")))' "$workdir/events1")"
check "the record is untested with one error, no verdict of the image" \
	test "$(jq -r '"\(.state) \(.verdict) \(.errors)"' "$record")" = "untested error 1"
check "current is unchanged ($first)" test "$(readlink "$types/current")" = "$first"

check "libvirtd started again" lab_host_start_libvirtd "$host"
left=$(virsh -c "$uri" list --name | grep -c . || true)
check "the killed attempt's guest ran on and libvirtd found it again ($left)" test "$left" -eq 1
started=$(date +%s)
gate 2
status=$?
echo "# second gate took $(($(date +%s) - started)) s"
show_gate "$workdir/err2" "$workdir/events2"
check "the next gate gives the build its verdict: exit 1 (got $status)" test "$status" -eq 1
check "the record says failed: kernel panic" \
	test "$(jq -r '"\(.state) \(.reason | startswith("install: kernel panic"))"' "$record")" = "failed true"
# What the guest showed, when the verdict is not the image's.
grep -q '"install: kernel panic' "$record" ||
	tail -c 2000 "$types/$build/smoke/console-install.log" | sed 's/^/# console: /'
check "its events: staged, error, failed" \
	test "$(jq -r '[.events[].what] | join(",")' "$record")" = "staged,error,failed"
check "current is still $first" test "$(readlink "$types/current")" = "$first"

guests=$(virsh -c "$uri" list --all --name | grep -c . || true)
check "no guest left on the host (found $guests)" test "$guests" -eq 0
volumes=$(virsh -c "$uri" vol-list smokegate 2>/dev/null | awk 'NR > 2 && $1 != "" { print $1 }')
check "no volume left but the cached ISO and its marker" \
	sh -c "! echo '$volumes' | grep -Ev '^[0-9a-f]{64}\\.(iso|ok)$' | grep -q ."
pid1=$(lab_host_pid "$host")
check "no QEMU left on the host" test -z "$(pgrep --ns "$pid1" --nslist pid -f qemu-system)"
# The host's own processes name this test's folders (they hide them).
lab_host_stop "$host" > /dev/null 2>&1
check_nothing_left
finish
