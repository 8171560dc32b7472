#!/bin/bash
# One image booted through its own bootloader under the firmware named
# (--firmware), and the verdict, the reason, the boot's record in
# result.json (firmware, keys typed, command line, seconds to the kernel)
# and the firmware matrix checked. A failing boot must be judged within
# seconds of the firmware's or the bootloader's words, and name the
# firmware; nothing may be left.
# usage: firmware.sh SMOKEGATE ISO FIRMWARE EXIT VERDICT REASON-REGEX [FLAVOUR]
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2") firmware=$3 want_exit=$4 want_verdict=$5
want_reason=$6 flavour=${7:-}
make_workdir
evidence="$workdir/evidence"
result="$evidence/result.json"

echo "# $(basename "$iso") under $firmware: expecting $want_verdict ($want_exit) /$want_reason/"
start=$(date +%s)
"$smokegate" test "$iso" --firmware "$firmware" ${flavour:+--flavour "$flavour"} \
	--evidence "$evidence" > "$workdir/stdout" 2> "$workdir/stderr"
status=$?
echo "# printed after $(($(date +%s) - start)) s: $(cat "$workdir/stdout")"
sed 's/^/# stderr: /' "$workdir/stderr"

check "exit status $want_exit (got $status)" test "$status" -eq "$want_exit"
check "result.json written" test -s "$result"
check "verdict $want_verdict" test "$(json_field .verdict "$result")" = "$want_verdict"
reason=$(json_field .reason "$result")
check "reason matches /$want_reason/" grep -Eq -- "$want_reason" <<<"$reason"
check "booted through the firmware" test "$(json_field .boot_method "$result")" = firmware
# The first phase that booted the image (the install, the live session).
phase=$(jq -c '[.phases[] | select(.boot != null)][0]' "$result")
echo "# first boot: $phase"
check "its boot names the firmware" test "$(jq -r .boot.firmware <<<"$phase")" = "$firmware"
check "secure_boot says whether it was on" test "$(jq -r .boot.secure_boot <<<"$phase")" = \
	"$([ "$firmware" = uefi-secureboot ] && echo true || echo false)"
check "the matrix has the firmware" \
	test "$(jq -r --arg f "$firmware" '.firmware[] | select(.firmware == $f) | .required' "$result")" = true
matrix=$(jq -r --arg f "$firmware" '.firmware[] | select(.firmware == $f) | .status' "$result")
if [ "$want_verdict" = pass ]; then
	check "the matrix says it booted (got $matrix)" test "$matrix" = booted
	check "the bootloader's menu was read" test -s "$evidence/$(jq -r .boot.menu <<<"$phase")"
	check "keys were typed at the menu: $(jq -r .boot.keys <<<"$phase")" \
		test "$(jq -r .boot.keys <<<"$phase")" != null
	check "the console arguments are on the typed command line" \
		grep -q 'console=ttyS0' <<<"$(jq -r .boot.cmdline <<<"$phase")"
	check "seconds to the kernel recorded" \
		awk -v s="$(jq -r .boot.seconds_to_kernel <<<"$phase")" 'BEGIN { exit !(s > 0) }'
else
	check "the matrix says it failed (got $matrix)" test "$matrix" = failed
	check "the reason names the firmware" \
		grep -q "$(case $firmware in bios) echo BIOS ;; uefi) echo 'UEFI:' ;; *) echo 'UEFI with Secure Boot' ;; esac)" <<<"$reason"
	fail_fast=$(json_field .fail_fast_s "$result")
	echo "# from the failing line to the verdict on disk: $fail_fast s"
	check "judged within 10 s of the failing line (got $fail_fast)" \
		awk -v s="$fail_fast" 'BEGIN { exit !(s != "null" && s >= 0 && s <= 10) }'
fi
check_nothing_left
finish
