#!/bin/bash
# The real Debian live-boot fixtures (images/live-real) without --flavour:
# smokegate must tell them from their /live/ layout alone and judge them as
# generic live images. The good one (LightDM autologin, IceWM) passes with
# a drawn screenshot; the -black-screen one (the autologin session opens and
# never draws) fails with the blank-screen reason.
# usage: live-real.sh SMOKEGATE GOOD-ISO|BLACK-SCREEN-ISO [FIRMWARE]
# (FIRMWARE: --firmware's list; default the generic profile's matrix)
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2") firmware=${3:-}
make_workdir
evidence="$workdir/evidence"
result="$evidence/result.json"
case $(basename "$iso") in
*-black-screen.iso) want=black-screen ;;
*) want=good ;;
esac

# pixel_stats PNG - "WIDTH HEIGHT DOMINANT-FRACTION", read by ImageMagick,
# not by smokegate: the harness's own picture judge is what is under test.
pixel_stats() {
	local size total top
	size=$(identify -format '%w %h' "$1") || return 1
	total=$(( ${size% *} * ${size#* } ))
	top=$(convert "$1" -format %c histogram:info:- | awk '{ n = $1 + 0; if (n > max) max = n } END { print max + 0 }')
	echo "$size $(awk -v t="$top" -v n="$total" 'BEGIN { printf "%.4f", t / n }')"
}

echo "# $(basename "$iso") without --flavour: expecting $want"
start=$(date +%s)
"$smokegate" test "$iso" --evidence "$evidence" ${firmware:+--firmware "$firmware"} \
	> "$workdir/stdout" 2> "$workdir/stderr"
status=$?
echo "# printed after $(($(date +%s) - start)) s: $(cat "$workdir/stdout")"
sed 's/^/# stderr: /' "$workdir/stderr"

check "result.json written" test -s "$result"
check "judged by the generic live profile" test "$(json_field .flavour "$result")" = generic-live
check "result.json says it was judged as generic" test "$(json_field .generic "$result")" = true
check "live console captured" test -s "$evidence/console-live.log"
check "the graphical target reached the serial console" \
	grep -aq 'Reached target graphical.target - Graphical Interface' "$evidence/console-live.log"
check "LightDM's autologin session reached the serial console" \
	grep -aEq 'pam_unix\(lightdm-autologin:session\): session opened for user user\(uid=1000\)' \
	"$evidence/console-live.log"
reason=$(json_field .reason "$result")
shot="$evidence/screenshot.png"

if [ "$want" = good ]; then
	check "exit status 0 (got $status)" test "$status" -eq 0
	check "verdict pass" test "$(json_field .verdict "$result")" = pass
	check "screenshot.png is a PNG" sh -c "file '$shot' | grep -q 'PNG image'"
	stats=$(pixel_stats "$shot" 2>/dev/null || echo "0 0 1")
	read -r width height dominant <<<"$stats"
	echo "# screenshot ${width}x${height}, dominant colour on $dominant of the pixels"
	check "the screenshot is at least 800 px wide (got $width)" test "$width" -ge 800
	check "the screenshot is not nearly one colour (dominant $dominant)" \
		awk -v d="$dominant" 'BEGIN { exit !(d < 0.95) }'
else
	check "exit status 1 (got $status)" test "$status" -eq 1
	check "verdict fail" test "$(json_field .verdict "$result")" = fail
	check "reason says the screen stayed blank" \
		grep -q 'the session opened but the screen stayed blank' <<<"$reason"
	if [ -s "$shot" ]; then
		echo "# last screenshot: $(pixel_stats "$shot" 2>/dev/null)"
	fi
fi
echo "# reason: $reason"
echo "# duration $(json_field .duration_s "$result") s; screen: $(jq -c .screen "$result")"
check_nothing_left
finish
