#!/bin/bash
# The command line contract for input that never reaches a guest: every
# bad input gets one clear line and its own exit status, and loses nothing.
# usage: cli.sh SMOKEGATE GOOD-ISO
. "$(dirname "$0")/../vm/lib.sh"

smokegate=$(realpath "$1") good_iso=$2
make_workdir
cd "$workdir" || exit 1

run() {
	"$smokegate" "$@" > "$workdir/out" 2> "$workdir/err"
	status=$?
}

run --help
check "--help exits 0" test $status -eq 0
run frobnicate
check "unknown command exits 64" test $status -eq 64
run test
check "test without an image exits 64" test $status -eq 64
run test /no/such.iso
check "missing image exits 64" test $status -eq 64
check "missing image says so in one line" test "$(cat err)" = "smokegate test: /no/such.iso: no such file"
run test "$good_iso" --flavour no-such-flavour
check "unknown flavour exits 64" test $status -eq 64
check "unknown flavour lists the known ones" grep -q "known: .*smoketest" err
run test "$good_iso" --accel warp
check "bad --accel exits 64" test $status -eq 64
run test "$good_iso" --answers /no/such.seed
check "missing answer file exits 64" test $status -eq 64
run suite run --disk /no/such.qcow2 --flavour smoketest --suite system-health
check "suite run: a missing disk exits 64" test $status -eq 64
check "suite run: says so in one line, as test does" test "$(cat err)" = "smokegate suite: /no/such.qcow2: no such file"
run suite run --disk "$good_iso" --flavour smoketest --suite system-health --accel warp
check "suite run: bad --accel exits 64, as test's" test $status -eq 64
run suite run --disk "$good_iso" --flavour smoketest --suite system-health --lab lab.conf --connect qemu:///system
check "suite run takes --lab, which excludes --connect (exit 64)" test $status -eq 64
check "usage errors create no evidence folder" test ! -e smokegate-evidence
# The coordinator's inspecting child: internal, unlisted, strict about its input.
run --help
check "--help does not list the internal inspect-disk" sh -c "! grep -q inspect-disk out"
run inspect-disk --part base /no/such.qcow2
check "inspect-disk: a missing disk exits 64" test $status -eq 64
check "inspect-disk: says so in one line" test "$(cat err)" = "smokegate inspect-disk: /no/such.qcow2: no such file"
run inspect-disk --part everything "$good_iso"
check "inspect-disk: an unknown --part exits 64" test $status -eq 64
mkdir -p tree
for cmd in gate serve; do
	run $cmd --tree tree --suites-dir /no/such/suites
	check "$cmd with a missing --suites-dir exits 64 (got $status)" test $status -eq 64
	check "$cmd says which folder, in one line" \
		test "$(cat err)" = "smokegate $cmd: --suites-dir /no/such/suites: no such folder (see 'smokegate $cmd --help')"
done

head -c 300000 /dev/urandom > random.iso
run test random.iso --evidence ev-random
check "a file that is not ISO 9660 is a fail (1)" test $status -eq 1
check "its reason says so" grep -q "not an ISO 9660 image" out
check "its result.json says fail" test "$(json_field .verdict ev-random/result.json)" = fail

head -c 1000000 "$good_iso" > truncated.iso
run test truncated.iso --flavour smoketest --evidence ev-truncated
check "a truncated image is a fail (1)" test $status -eq 1
check "its reason names what could not be read: $(cat out)" grep -Eq "unreadable|cannot read|has no" out

mkdir -p other/.disk && echo "Other OS 1.0" > other/.disk/info
xorriso -as mkisofs -quiet -R -V OTHER_OS -o other.iso other 2>/dev/null
run test other.iso
check "an ISO of no known flavour exits 64" test $status -eq 64
check "and says how to pick one" grep -q -- "--flavour" err

# No profile knows it, but its layout says live-boot: judged by the generic
# live profile, which boots it as a machine would (here an ISO with no boot
# record at all: a fail, found before any guest starts).
mkdir -p unknown-live/.disk unknown-live/live
echo "Someone's Live 1.0" > unknown-live/.disk/info
echo "not a kernel" > unknown-live/live/vmlinuz
echo "not an initrd" > unknown-live/live/initrd.img
xorriso -as mkisofs -quiet -R -V SOMEONES_LIVE -o unknown-live.iso unknown-live 2>/dev/null
run test unknown-live.iso --evidence ev-unknown-live
check "an unknown ISO with a /live/ layout is judged, not refused (got $status)" test $status -eq 1
check "by the generic live profile" test "$(json_field .flavour ev-unknown-live/result.json)" = generic-live
check "result.json says it was judged as generic" test "$(json_field .generic ev-unknown-live/result.json)" = true
check "and which profile would make it precise" grep -q "DiskInfo= matches 'Someone's Live 1.0'" err
check "no machine can boot it: $(cat out)" grep -q "the image has no boot record" out

printf "d-i passwd/username string tester\n" > answers.seed
run test "$good_iso" --flavour smoketest --answers answers.seed --connect "qemu:///nonexistent-driver" --evidence ev-lab
check "an unreachable hypervisor is an error (2), not a fail: $(cat out)" test $status -eq 2
check "its result.json says error" test "$(json_field .verdict ev-lab/result.json)" = error
check_nothing_left
finish
