#!/bin/bash
# Fail before the guest (issue 20, items 7, 8, 10, 11): an evidence folder,
# a --junit path or a disk that cannot serve are refused with 64 before
# anything boots, never with 2 after a whole test; exit codes and messages
# that slipped; the status page escapes every field, the sha256 too. Every
# command runs under `timeout` and against an unreachable hypervisor: one
# that passed the checks by mistake ends in an error at once, not in a guest.
# usage: before-the-guest.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

# As root a read-only folder is a read-only mount, in a namespace of our own.
if [ "$(id -u)" -eq 0 ] && [ -z "${SMOKEGATE_BEFORE_NS:-}" ]; then
	SMOKEGATE_BEFORE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi
start_tree_test "$@"
run() { run_bounded "$@"; }
nowhere="qemu:///nonexistent-driver"
mkdir ro
make_read_only() {
	if [ "$(id -u)" -eq 0 ]; then
		mount --bind "$1" "$1" && mount -o remount,bind,ro "$1"
	else
		chmod 555 "$1"
	fi
}
make_read_only ro
trap 'umount -l "$workdir/ro" 2>/dev/null; rm -rf "$workdir"' EXIT

run test "$iso" --flavour smoketest --evidence ro --connect "$nowhere"
check "a read-only evidence folder: test exits 64 at once (got $status)" test $status -eq 64
check "saying it cannot write there" grep -q "the evidence folder: cannot write in .*/ro" err
run test "$iso" --flavour smoketest --evidence ev1 --junit no-folder/report.xml --connect "$nowhere"
check "--junit into a missing folder: 64 (got $status)" test $status -eq 64
check "naming the folder" grep -q -- "--junit no-folder/report.xml: no such folder no-folder" err
run test "$iso" --flavour smoketest --evidence ev2 --junit ro/report.xml --connect "$nowhere"
check "--junit into a read-only folder: 64 (got $status)" test $status -eq 64
mkdir a-folder.xml
run test "$iso" --flavour smoketest --evidence ev3 --junit a-folder.xml --connect "$nowhere"
check "--junit naming a folder: 64 (got $status)" test $status -eq 64
check "no evidence folder for a refused --junit" test ! -e ev1 -a ! -e ev2 -a ! -e ev3

printf 'QFI\373' > disk.qcow2
head -c 1000 /dev/zero >> disk.qcow2
run suite run --disk disk.qcow2 --flavour smoketest --suite system-health --evidence ro --connect "$nowhere"
check "suite run with a read-only evidence folder: 64 (got $status)" test $status -eq 64
run suite run --disk disk.qcow2 --flavour smoketest --suite system-health --evidence ev4 --junit no-folder/r.xml --connect "$nowhere"
check "suite run --junit into a missing folder: 64 (got $status)" test $status -eq 64
run suite run --disk "$iso" --flavour smoketest --suite system-health --evidence ev5 --connect "$nowhere"
check "suite run on a disk that is no qcow2: 64 (got $status)" test $status -eq 64
check "naming the disk, not an overlay" grep -q -- "--disk $iso is not a qcow2 disk" err
check "and no evidence folder" test ! -e ev5

# A flavour no profile knows, neither the image's nor the tree folder's (a
# copy of the program away from the build's profiles): the gate tries the
# folder's name after the image's, and both end in an error told cleanly,
# with no GLib assertion on the way. libvirt's test driver is the host: no
# guest can start there.
mkdir no-flavours bare
cp "$smokegate" bare/smokegate
printf '[Host t]\nURI=test:///default\nArches=amd64\n' > test-driver.lab
run stage --tree "$tree" --flavour smoketest "$iso"
timeout 20 bare/smokegate gate --tree "$tree" --flavours-dir no-flavours --lab test-driver.lab > out 2> err
status=$?
check "gate with no profile for the build: 2 (got $status)" test $status -eq 2
check "saying the flavour is unknown" grep -q "unknown flavour 'smoketest'" err
check "without a GLib assertion" sh -c "! grep -q CRITICAL err"
rm -rf "$tree" && mkdir "$tree"

# Exit codes and messages that slipped.
run gate --tree "$tree" --jobs 0 --connect "$nowhere"
check "gate --jobs 0: 64, as --jobs -3 (got $status)" test $status -eq 64
long=$(head -c 100 /dev/zero | tr '\0' a)
run stage --tree "$tree" --flavour smoketest --series "$long" --publish-type "$long" --arch "$long" "$iso"
check "a 302-character image name: 64, not 74 (got $status)" test $status -eq 64
check "saying how long it may be" grep -q "may have at most 245" err
run stage --tree "$tree" --flavour smoketest --series "${long}a" "$iso"
check "a 101-character name: 64 (got $status)" test $status -eq 64
check "saying there is a limit" grep -q "a name may have at most 100" err
run stage --tree "$tree" --flavour smoketest "http://127.0.0.1:1/"
check "a URL with no file name: 64, not 69 (got $status)" test $status -eq 64
check "saying so" grep -q "names no image file" err
run stage --tree "$tree" --flavour smoketest --ca-file /no/such.pem "https://127.0.0.1:1/x.iso"
check "a missing --ca-file: 64 (got $status)" test $status -eq 64
check "naming it" grep -q -- "--ca-file /no/such.pem" err
check "nothing staged by refused commands" test "$(count_builds smoketest/daily-live)" -eq 0

# The status page escapes the sha256 of a forged record.
run stage --tree "$tree" --flavour smoketest "$iso"
build=$(readlink "$types/pending")
jq '.sha256 = "<b>x</b><i>y</i>aaaa"' "$types/$build/smokegate.json" > forged.json
mv forged.json "$types/$build/smokegate.json"
run mark-current --tree "$tree" "smoketest/daily-live/$build" --reason "page"
check "mark-current exits 0 (got $status)" test $status -eq 0
check "no raw markup from the record on the page" sh -c "! grep -q '<b>x' '$tree/index.html'"
check "the sha256 is shown escaped" grep -q '&lt;b&gt;x&lt;/b&gt;&lt;i' "$tree/index.html"

# A writer that cannot write the status page exits 74, as gate does; what
# it did stays done.
mv "$tree/index.html" page.html
mkdir "$tree/index.html"
run stage --tree "$tree" --flavour smoketest "$iso"
check "stage without a page it can write: 74 (got $status)" test $status -eq 74
check "the build is staged all the same" test "$(count_builds smoketest/daily-live)" -eq 2
check "saying so" grep -q "staged smoketest/daily-live/.*, but .*index.html" err
run mark-current --tree "$tree" "smoketest/daily-live/$(readlink "$types/pending")" --reason "page"
check "mark-current without a page it can write: 74 (got $status)" test $status -eq 74
check "current moved all the same" test "$(readlink "$types/current")" = "$(readlink "$types/pending")"
run yank --tree "$tree" "smoketest/daily-live/$(readlink "$types/pending")" --reason "page"
check "yank without a page it can write: 74 (got $status)" test $status -eq 74
rmdir "$tree/index.html"

# status on a read-only mirror of the tree: it works and writes nothing.
if [ "$(id -u)" -eq 0 ]; then
	mkdir mirror
	cp -a "$tree/." mirror/
	rm -rf mirror/.smokegate
	make_read_only mirror
	run status --tree mirror
	check "status on a read-only mirror exits 0 (got $status)" test $status -eq 0
	check "and lists its builds" grep -q "^smoketest/daily-live" out
	check "creating nothing" test ! -e mirror/.smokegate
	umount -l mirror
fi
finish
