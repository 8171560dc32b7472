#!/bin/bash
# An image whose installer kernel never starts (images/real-di-ppc64el/'s
# -no-kernel CD: Debian's real ppc64el vmlinux whose first instruction is
# none), booted directly as every ppc64el image is: the firmware speaks (and
# returns to its prompt), the kernel never does. smokegate must fail the image, naming the
# console the kernel would have written to, at the profile's
# BootloaderSeconds (60 here), not at the install's silence limit.
#
# usage: kernel-silent.sh SMOKEGATE ISO PROFILE CONSOLE
#   PROFILE  guests/flavours/debian-netinst.conf, run without its mirror
#   CONSOLE  the architecture's console the reason must name (hvc0)
. "$(dirname "$0")/lib.sh"

[ $# -eq 4 ] || { echo "usage: $0 SMOKEGATE ISO PROFILE CONSOLE" >&2; exit 2; }
smokegate=$(realpath "$1") iso=$(realpath "$2") profile=$(realpath "$3") console=$4
make_workdir

mkdir -p "$workdir/flavours"
grep -v -e '^Network=' -e '^Mirror=' "$profile" |
	sed 's/^\[Timeouts\]$/[Timeouts]\nBootloaderSeconds=60/' >"$workdir/flavours/debian-netinst.conf"
evidence=$workdir/evidence
start=$(date +%s)
"$smokegate" test "$iso" --flavours-dir "$workdir/flavours" --flavour debian-netinst \
	--evidence "$evidence" >"$workdir/out" 2>&1
status=$?
end=$(date +%s)
result=$evidence/result.json
sed "s/^/# /" "$workdir/out"
echo "# exit $status after $((end - start)) s"
reason=$(json_field .reason "$result" 2>/dev/null)

check "exit status 1 (got $status)" test "$status" -eq 1
check "verdict fail" test "$(json_field .verdict "$result" 2>/dev/null)" = fail
check "the reason says the kernel did not start, naming $console" \
	grep -qF "the kernel did not start: no line of it on its console ($console) within 60 s" <<<"$reason"
check "the reason names the firmware that started it (SLOF)" grep -qF "install: SLOF: " <<<"$reason"
check "the firmware spoke on the console" grep -qaF "Booting from memory" "$evidence/console-install.log"
check "the boot was direct" test "$(json_field .boot_method "$result" 2>/dev/null)" = direct
check "judged at the 60 s limit, not the install's silence limit (took $((end - start)) s)" \
	test $((end - start)) -lt 200
check_nothing_left
finish
