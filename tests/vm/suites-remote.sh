#!/bin/bash
# Downstream suites on a lab host reached over the connection alone (a
# second libvirtd in its own mount namespace, tests/vm/lab-host.sh): the
# good image with a passing gating suite and a failing advisory one, run at
# once, each on its own overlay volume made on this machine with libguestfs
# and uploaded; the smoke test's own boot on an overlay volume too. Checks
# both suites' verdicts and cases, that both suite guests ran at the same
# time, that the installed disk's volume never changed (its SHA-256 on the
# host, sampled from the boot's start to the end of the suites, and the
# copy --keep-disk downloaded), and that no overlay volume, guest or QEMU
# is left.
# usage: suites-remote.sh SMOKEGATE ISO SUITES_DIR ADDR
. "$(dirname "$0")/lib.sh"
needs_root "the lab host is a libvirtd in a mount namespace of its own"
. "$(dirname "$0")/lab-host.sh"

smokegate=$(realpath "$1") iso=$2 suites=$(realpath "$3") addr=$4
uri="qemu+tcp://$addr/system"
host=smokegate-suites-remote-$$
make_workdir
trap 'kill "$sampler" 2>/dev/null; lab_host_stop "$host" >/dev/null 2>&1; rm -rf "$workdir"' EXIT
sampler=

if ! lab_host_start "$host" "$addr" "$(dirname "$(realpath "$iso")")" "$workdir" >"$workdir/host.log" 2>&1; then
	sed 's/^/# host: /' "$workdir/host.log"
	not_ok "second libvirt host started on $addr"
	finish
	exit 1
fi
ok "second libvirt host started on $addr"
inside() { nsenter -t "$(lab_host_pid "$host")" -m -- "$@"; }

# Samples on the host, every half second from when the boot's guest is up,
# as "SECONDS SUITE-GUESTS MTIME SIZE" of the installed disk's volume (a
# write moves its modification time), and its SHA-256 twice: at the first
# sample and when both suite guests are first seen running (a hash of the
# whole disk each time would take a core from the guests).
sample() {
	local disk guests stamp hashed=0
	while :; do
		disk=$(inside sh -c 'ls /var/lib/libvirt/smokegate/*-disk.qcow2 2>/dev/null | head -n 1')
		guests=$(virsh -c "$uri" list --name 2>/dev/null | grep -c -- '-suite$' || true)
		if [ -n "$disk" ] && virsh -c "$uri" list --name 2>/dev/null | grep -q -- '-\(boot\|suite\)$'; then
			stamp=$(inside stat -c '%y %s' "$disk" 2>/dev/null | tr ' ' _)
			[ -n "$stamp" ] && echo "$SECONDS $guests $stamp" >>"$workdir/samples"
			if [ "$hashed" -eq 0 ] || { [ "$hashed" -eq 1 ] && [ "$guests" -ge 2 ]; }; then
				inside sha256sum "$disk" 2>/dev/null | cut -d' ' -f1 >>"$workdir/sums"
				hashed=$((hashed + 1))
			fi
		fi
		sleep 0.5
	done
}
sample &
sampler=$!

a=$workdir/a
start=$(date +%s)
"$smokegate" test "$iso" --connect "$uri" --evidence "$a" --suites-dir "$suites" \
	--suite smoke-ok --suite smoke-advisory --keep-disk >"$workdir/a.out" 2>"$workdir/a.err"
status=$?
took=$(($(date +%s) - start))
kill "$sampler" 2>/dev/null
wait "$sampler" 2>/dev/null
echo "# took $took s: $(cat "$workdir/a.out")"
sed 's/^/# stderr: /' "$workdir/a.err"
r=$a/result.json
check "exit status 0 (got $status)" test "$status" -eq 0
check "verdict pass" test "$(json_field .verdict "$r")" = pass
check "the reason names the advisory suite's failure" \
	grep -q "advisory suite smoke-advisory fail: test 2 'the team's tool is installed' failed" <<<"$(json_field .reason "$r")"
check "suites[0] is smoke-ok, pass" test "$(jq -r '.suites[0] | "\(.name) \(.verdict)"' "$r")" = "smoke-ok pass"
check "smoke-ok's three cases (pass, pass, skip)" \
	test "$(jq -r '[.suites[0].cases[].outcome] | join(",")' "$r")" = "pass,pass,skip"
check "suites[1] is smoke-advisory, not gating, fail" \
	test "$(jq -r '.suites[1] | "\(.name) \(.gating) \(.verdict)"' "$r")" = "smoke-advisory false fail"
check "smoke-advisory's cases (pass, fail)" \
	test "$(jq -r '[.suites[1].cases[].outcome] | join(",")' "$r")" = "pass,fail"
check "the suites' TAP came over the connection" grep -q '^ok 1 - ' "$a/suites/smoke-ok/smoke-ok.tap"
echo "# suites: $(jq -c '[.suites[] | {name, started, duration_s}]' "$r")"
at_once=$(awk '$2 >= 2' "$workdir/samples" 2>/dev/null | wc -l)
check "both suite guests ran at the same time on the host ($at_once samples)" test "$at_once" -gt 0
stamps=$(cut -d' ' -f3 "$workdir/samples" 2>/dev/null | sort -u)
echo "# base sampled $(wc -l <"$workdir/samples" 2>/dev/null) times from the boot to the suites' end: modified $(echo $stamps); SHA-256 $(cat "$workdir/sums" 2>/dev/null | tr '\n' ' ')"
check "the base volume was not written from the boot to the suites' end" \
	test "$(echo "$stamps" | grep -c .)" -eq 1
sums=$(sort -u "$workdir/sums" 2>/dev/null)
check "its SHA-256 at the boot's start and with both suites running is the same" \
	test "$(wc -l <"$workdir/sums")" -eq 2 -a "$(echo "$sums" | grep -c .)" -eq 1
check "the base as --keep-disk downloaded it has that SHA-256" \
	test -n "$sums" -a "$(sha256sum <"$a/installed.qcow2" | cut -d' ' -f1)" = "$sums"
check "installed.qcow2 kept, with no backing file" \
	sh -c "qemu-img info '$a/installed.qcow2' | grep -q 'file format: qcow2' && ! qemu-img info '$a/installed.qcow2' | grep -q 'backing file'"

guests=$(virsh -c "$uri" list --all --name | grep -c . || true)
check "no guest left on the host (found $guests)" test "$guests" -eq 0
volumes=$(virsh -c "$uri" vol-list smokegate | awk 'NR > 2 && $1 != "" { print $1 }')
echo "# volumes left: $(echo $volumes)"
check "no overlay or other volume left but the cached ISO and its marker" \
	sh -c "! echo '$volumes' | grep -Ev '^[0-9a-f]{64}\\.(iso|ok)$' | grep -q ."
check "no QEMU left on the host" test -z "$(inside pgrep -a qemu-system || true)"
# (The lab host's own command line names the work folder it hides: only
# QEMU processes count.)
check "no QEMU of this coordinator left on this machine" \
	test -z "$(pgrep -af qemu-system | grep -F "$SMOKEGATE_STATE_DIR" || true)"
check "no scratch disk left (no local overlay, no downloaded base)" \
	test -z "$(ls -A "$SMOKEGATE_STATE_DIR/scratch" 2>/dev/null)"
finish
