#!/bin/bash
# Downstream suites end to end on the smoketest image (its installed system
# is busybox init: the suites start from /etc/rc.local and send their TAP on
# the virtio-serial port org.smokegate.results.0): a passing gating suite and
# a failing advisory one leave the run a pass, with the advisory failure
# reported; a failing gating suite fails the run naming the suite and the
# test; a gating suite that hangs half-way fails as stopped after 1 of 3;
# the installed disk kept, unchanged by the suites' overlays; `suite
# run` on it gives the same result without an install; JUnit XML that
# xmllint reads.
# usage: suites.sh SMOKEGATE ISO SUITES_DIR
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$2 suites=$(realpath "$3")
make_workdir

# run_case NAME ARGS...: smokegate ARGS, its output in $workdir/NAME.out
# and .err; sets $status and says how long it took and what it printed.
run_case() {
	local name=$1 start
	shift
	start=$(date +%s)
	"$smokegate" "$@" >"$workdir/$name.out" 2>"$workdir/$name.err"
	status=$?
	echo "# ${name^^} took $(($(date +%s) - start)) s: $(cat "$workdir/$name.out")"
	sed 's/^/# stderr: /' "$workdir/$name.err"
}

# A: smoke-ok (gating, passes) and smoke-advisory (not gating, fails).
a=$workdir/a
run_case a test "$iso" --evidence "$a" --suites-dir "$suites" --suite smoke-ok \
	--suite smoke-advisory --junit "$workdir/a.xml" --keep-disk
r=$a/result.json
check "A: exit status 0 (got $status)" test "$status" -eq 0
check "A: verdict pass" test "$(json_field .verdict "$r")" = pass
check "A: the reason names the advisory suite's failure" \
	grep -q "advisory suite smoke-advisory fail: test 2 'the team's tool is installed' failed" <<<"$(json_field .reason "$r")"
check "A: suites[0] is smoke-ok, pass" test "$(jq -r '.suites[0] | "\(.name) \(.verdict)"' "$r")" = "smoke-ok pass"
check "A: smoke-ok's three cases (pass, pass, skip)" \
	test "$(jq -r '[.suites[0].cases[].outcome] | join(",")' "$r")" = "pass,pass,skip"
check "A: suites[1] is smoke-advisory, not gating, fail" \
	test "$(jq -r '.suites[1] | "\(.name) \(.gating) \(.verdict)"' "$r")" = "smoke-advisory false fail"
check "A: the suite's TAP kept" grep -q '^ok 1 - the hostname is the answer file' "$a/suites/smoke-ok/smoke-ok.tap"
check "A: the suite's console kept" test -s "$a/suites/smoke-ok/console.log"
check "A: the suite's screenshot kept" test -s "$a/suites/smoke-ok/screenshot.png"
check "A: JUnit XML well-formed" xmllint --noout "$workdir/a.xml"
check "A: JUnit has the suite's failure" \
	test "$(xmllint --xpath 'count(//testsuite[@name="smoke-advisory"]//failure)' "$workdir/a.xml")" = 1
check "A: installed.qcow2 kept, with no backing file" \
	sh -c "qemu-img info '$a/installed.qcow2' | grep -q 'file format: qcow2' && ! qemu-img info '$a/installed.qcow2' | grep -q 'backing file'"
check "A: the kept disk holds no suite (the base is the installer's)" \
	sh -c "! LIBGUESTFS_BACKEND_SETTINGS=force_tcg virt-ls -a '$a/installed.qcow2' /var/lib 2>/dev/null | grep -qx smokegate"

# C: suite run on the kept disk: the same result, no install, the disk unchanged.
sum_before=$(sha256sum <"$a/installed.qcow2")
c=$workdir/c
run_case c suite run --disk "$a/installed.qcow2" --flavour smoketest --suites-dir "$suites" \
	--suite smoke-ok --evidence "$c" --junit "$workdir/c.xml"
r=$c/result.json
check "C: exit status 0 (got $status)" test "$status" -eq 0
check "C: no install phase" test "$(jq '.phases | length' "$r")" -eq 0
check "C: smoke-ok passes with the same cases" \
	test "$(jq -r '[.suites[0].cases[].outcome] | join(",")' "$r")" = "pass,pass,skip"
check "C: the kept disk is unchanged" test "$(sha256sum <"$a/installed.qcow2")" = "$sum_before"
check "C: JUnit XML well-formed" xmllint --noout "$workdir/c.xml"

# D: smoke-hang (gating) passes its first test of three, then hangs: when
# its Seconds= end it is a fail, stopped after 1 of 3 (the plan caught it).
d=$workdir/d
run_case d suite run --disk "$a/installed.qcow2" --flavour smoketest --suites-dir "$suites" \
	--suite smoke-hang --evidence "$d"
r=$d/result.json
check "D: exit status 1 (got $status)" test "$status" -eq 1
check "D: verdict fail" test "$(json_field .verdict "$r")" = fail
check "D: stopped after 1 of 3, said" \
	grep -q "^suite smoke-hang: stopped after 1 of 3 tests" <<<"$(json_field .reason "$r")"
check "D: its one case passed" test "$(jq -r '[.suites[0].cases[].outcome] | join(",")' "$r")" = "pass"

# B: smoke-fail (gating, fails).
b=$workdir/b
run_case b test "$iso" --evidence "$b" --suites-dir "$suites" --suite smoke-fail
r=$b/result.json
check "B: exit status 1 (got $status)" test "$status" -eq 1
check "B: verdict fail" test "$(json_field .verdict "$r")" = fail
check "B: the reason names the suite and the test" \
	grep -q "^suite smoke-fail: test 2 'the team's tool is installed' failed: /usr/bin/team-tool: not found" <<<"$(json_field .reason "$r")"
check_nothing_left
finish
