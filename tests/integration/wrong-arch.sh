#!/bin/bash
# An image of another architecture than the test says fails before any
# guest starts (issue 22): Debian's real arm64 netinst-like CD tested as
# amd64 (--arch, and a profile's [Guest] Arch=), and the real amd64 one as
# arm64, each exit 1 with a fail naming both architectures and where each
# came from. Every run is against an unreachable hypervisor, so a run that
# got past the check would end in an error (exit 2), as the control run
# with the right architecture does.
# usage: wrong-arch.sh SMOKEGATE ARM64_ISO AMD64_ISO PROFILE
. "$(dirname "$0")/../vm/lib.sh"

[ $# -eq 4 ] || { echo "usage: $0 SMOKEGATE ARM64_ISO AMD64_ISO PROFILE" >&2; exit 2; }
start_tree_test "$1" "$2"
arm64_iso=$iso amd64_iso=$(realpath "$3") profile=$(realpath "$4")
nowhere="qemu:///nonexistent-driver"
mkdir flavours
cp "$profile" flavours/debian-netinst.conf

# run_test ISO EVIDENCE [ARGS...] - one bounded test run; its time in $took.
run_test() {
	local image=$1 evidence=$2 start
	shift 2
	start=$(date +%s%N)
	run_bounded test "$image" --flavours-dir flavours --flavour debian-netinst \
		--evidence "$evidence" --connect "$nowhere" "$@"
	took=$((($(date +%s%N) - start) / 1000000))
}

# check_mismatch EVIDENCE REASON - a fail, exit 1, whose reason is REASON.
check_mismatch() {
	local reason
	reason=$(json_field .reason "$1/result.json" 2>/dev/null)
	check "exit 1, a fail (got $status after $took ms)" test "$status" -eq 1
	check "verdict fail" test "$(json_field .verdict "$1/result.json" 2>/dev/null)" = fail
	check "reason '$2' (got '$reason')" test "$reason" = "$2"
	check "said on the terminal too" grep -qF -- "$2" out err
	check "nothing reached the hypervisor" test -z "$(grep -i 'connect' out err)"
}

run_test "$arm64_iso" arm64-as-amd64 --arch amd64
check_mismatch arm64-as-amd64 "the image is arm64 (.disk/info) but --arch says amd64"
check "the result keeps the image's architecture" \
	test "$(json_field .arch arm64-as-amd64/result.json)" = arm64

sed -i 's/^\[Guest\]$/[Guest]\nArch=amd64/' flavours/debian-netinst.conf
grep -q '^Arch=amd64$' flavours/debian-netinst.conf || echo "Bail out! the profile has no [Guest] group"
run_test "$arm64_iso" arm64-profile-amd64
check_mismatch arm64-profile-amd64 \
	"the image is arm64 (.disk/info) but the debian-netinst profile's [Guest] Arch= says amd64"
cp "$profile" flavours/debian-netinst.conf

run_test "$amd64_iso" amd64-as-arm64 --arch arm64
check_mismatch amd64-as-arm64 "the image is amd64 (.disk/info) but --arch says arm64"

# The control: the right architecture goes on to the hypervisor, which is
# not there: an error, not a fail.
run_test "$arm64_iso" arm64-as-arm64 --arch arm64
check "the right architecture gets as far as the hypervisor: exit 2 (got $status)" \
	test "$status" -eq 2
check "its reason is the connection" grep -q "cannot connect to $nowhere" out err
finish
