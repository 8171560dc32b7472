#!/bin/bash
# The shipped suites on a REAL installed Debian 12 desktop (images/installed-real:
# debootstrap, systemd, GRUB, LightDM autologin, Xorg, Xfce's session, set up
# as debian-installer would with debian-netinst.seed), with `smokegate suite
# run --disk`, no install:
#   A: desktop-session and system-health pass, every test case in
#      result.json and in the JUnit XML, nothing skipped;
#   B: the same disk with an answer file that set another keyboard layout
#      and a profile whose shell is another desktop's: desktop-session fails
#      naming its first failing test, and the layout's test fails too;
# the disk unchanged (checksum before and after), nothing left.
# usage: installed-real.sh SMOKEGATE DISK SEED
# (DISK is built by lib.sh with the meson target installed-real-images when
# missing or out of date: from the fixture cache, else minutes of debootstrap)
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") disk=$(realpath "$2") seed=$(realpath "$3")
make_workdir
flavours_source=$(dirname "$0")/../../guests/flavours
test_start=$(date +%s)
sum_before=$(sha256sum <"$disk")

# suite_run NAME ARGS...: smokegate suite run on the disk, evidence in
# $workdir/NAME; sets $status and $r (its result.json).
suite_run() {
	local name=$1 start
	shift
	start=$(date +%s)
	"$smokegate" suite run --disk "$disk" --flavour debian-netinst --evidence "$workdir/$name" \
		"$@" >"$workdir/$name.out" 2>"$workdir/$name.err"
	status=$?
	r=$workdir/$name/result.json
	echo "# $name took $(($(date +%s) - start)) s: $(cat "$workdir/$name.out")"
	sed 's/^/# stderr: /' "$workdir/$name.err"
}

# A: the shipped suites pass on the real system.
a=$workdir/a
suite_run a --suite desktop-session --suite system-health --junit "$workdir/a.xml"
check "A: passes: exit status 0 (got $status), verdict pass" \
	test "$status.$(json_field .verdict "$r")" = 0.pass
check "A: no install phase" test "$(jq '.phases | length' "$r")" -eq 0
for suite in desktop-session system-health; do
	s=".suites[] | select(.name == \"$suite\")"
	jq -r "$s | .cases[] | \"# $suite \\(.number) \\(.outcome)\\(if .directive then \" (\\(.directive))\" else \"\" end) - \\(.description)\\(if .diagnostics then \": \\(.diagnostics)\" else \"\" end)\"" "$r" 2>/dev/null
	echo "# $suite took $(jq -r "$s | .duration_s" "$r") s"
	check "A: $suite passed" test "$(jq -r "$s | .verdict" "$r")" = pass
	check "A: $suite: every planned case in result.json" \
		test "$(jq -r "$s | .cases | length" "$r")" = "$(jq -r "$s | .planned" "$r")"
	check "A: $suite: every case passed, none skipped" \
		test "$(jq -r "[$s | .cases[] | select(.outcome != \"pass\" or .directive != null)] | length" "$r")" = 0
	check "A: $suite: its TAP and console kept" \
		test -s "$a/suites/$suite/$suite.tap" -a -s "$a/suites/$suite/console.log"
done
for case in "the flavour's shell runs (xfce4-panel)" "a window can be mapped and seen" \
	"the keyboard layout is the answer file's (us)" "the session's locale is the answer file's (en_US.UTF-8)"; do
	check "A: desktop-session checked: $case" test "$(jq --arg d "$case" \
		'[.suites[] | select(.name == "desktop-session") | .cases[] | select(.description == $d)] | length' "$r")" = 1
done
check "A: the JUnit XML has both suites' cases" \
	test "$(xmllint --xpath 'count(//testsuite[@name="desktop-session" or @name="system-health"]/testcase)' "$workdir/a.xml")" = \
	"$(jq '[.suites[].cases[]] | length' "$r")"
check "A: the installed system's boot was on the serial console" \
	grep -aq 'Reached target .*Graphical Interface' "$a/suites/system-health/console.log"
check "A: LightDM's autologin session opened for the answer file's user" \
	grep -aEq 'pam_unix\(lightdm-autologin:session\): session opened for user tester\(uid=' \
	"$a/suites/desktop-session/console.log"

# B: what the answer file and the profile expect is not what the disk has.
mkdir -p "$workdir/flavours"
sed 's/^Shell=.*/Shell=gnome-shell/' "$flavours_source/debian-netinst.conf" >"$workdir/flavours/debian-netinst.conf"
sed 's|^d-i keyboard-configuration/xkb-keymap select .*|d-i keyboard-configuration/xkb-keymap select fr(latin9)|' \
	"$seed" >"$workdir/fr.seed"
suite_run b --flavours-dir "$workdir/flavours" --answers "$workdir/fr.seed" --suite desktop-session
check "B: fails: exit status 1 (got $status), verdict fail" \
	test "$status.$(json_field .verdict "$r")" = 1.fail
check "B: the reason names the suite and its first failing test (the shell)" \
	grep -q "^suite desktop-session: test 3 'the flavour's shell runs (gnome-shell)' failed: not running as tester" \
	<<<"$(json_field .reason "$r")"
check "B: the keyboard layout's test failed, naming both layouts" \
	test "$(jq -r '.suites[0].cases[] | select(.number == 5) | "\(.outcome) \(.diagnostics)"' "$r")" = \
	"fail the session's keyboard layout is us, the answer file set fr"
check "B: every other test passed" \
	test "$(jq -r '[.suites[0].cases[] | select(.outcome == "pass")] | length' "$r")" = 6

check "the disk is unchanged" test "$(sha256sum <"$disk")" = "$sum_before"
check_nothing_left
echo "# the whole test took $(($(date +%s) - test_start)) s"
finish
