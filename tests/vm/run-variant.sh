#!/bin/bash
# Runs one test image through `smokegate test` in real guests and checks
# the verdict, the exit status, the reason and the evidence.
# usage: run-variant.sh SMOKEGATE ISO EXIT VERDICT REASON-REGEX [FLAVOUR] [PLANS] [ARCH]
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$2 want_exit=$3 want_verdict=$4 want_reason=$5
want_flavour=${6:-smoketest} plans=${7:-install} want_arch=${8:-amd64}
make_workdir
evidence="$workdir/evidence"

echo "# $(basename "$iso"): expecting $want_verdict ($want_exit) /$want_reason/"
"$smokegate" test "$iso" --evidence "$evidence" > "$workdir/stdout" 2> "$workdir/stderr"
status=$?
echo "# printed: $(cat "$workdir/stdout")"
sed 's/^/# stderr: /' "$workdir/stderr"
result="$evidence/result.json"

check "exit status $want_exit (got $status)" test "$status" -eq "$want_exit"
check "result.json written" test -s "$result"
check "verdict $want_verdict" test "$(json_field .verdict "$result")" = "$want_verdict"
reason=$(json_field .reason "$result")
check "reason matches /$want_reason/" grep -Eq -- "$want_reason" <<<"$reason"
check "printed verdict is the result's" test "$(cat "$workdir/stdout")" = "$want_verdict: $reason"
check "flavour told from the image" test "$(json_field .flavour "$result")" = "$want_flavour"
check "guests of the image's architecture, $want_arch" test "$(json_field .arch "$result")" = "$want_arch"
check "sha256 recorded" test "$(json_field .image.sha256 "$result")" = "$(sha256sum < "$iso" | cut -d' ' -f1)"
case $plans in
*install*) check "install console captured" test -s "$evidence/console-install.log"
	check "the install's last screen kept as text (24 rows)" test "$(wc -l < "$evidence/screen-install.txt")" -eq 24 ;;
*) check "live console captured" test -s "$evidence/console-live.log"
	check "the live session's last screen kept as text (24 rows)" test "$(wc -l < "$evidence/screen-live.txt")" -eq 24 ;;
esac
if [ "$want_verdict" = pass ]; then
	check "desktop screenshot is a PNG" sh -c "file '$evidence/screenshot.png' | grep -q 'PNG image'"
	check "the screen was judged drawn: $(jq -c .screen "$result")" test "$(json_field .screen.kind "$result")" = drawn
	check "every phase passed" test "$(jq -r '[.phases[].status] | unique | join(",")' "$result")" = pass
	case $plans in *install*)
		check "boot console captured" test -s "$evidence/console-boot.log"
		check "inspection.json names the user" sh -c "jq -r .user '$evidence/inspection.json' | grep -q tester" ;;
	esac
	case $plans in *live*)
		check "the live plan ran and passed" test "$(jq -r '.phases[] | select(.name == "live") | .status' "$result")" = pass ;;
	esac
fi
echo "# duration ${reason:+$(json_field .duration_s "$result")} s, fail-fast $(json_field .fail_fast_s "$result") s"
check_nothing_left
finish
