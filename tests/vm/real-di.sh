#!/bin/bash
# Debian's REAL debian-installer (images/real-di/: the netboot kernel and
# initrd of debian-installer-12-netboot-amd64 on a netinst-like CD) stopped
# at a real newt dialog on the serial console, under GNU screen, with its
# status-line clock ticking. smokegate must fail it, quote the dialog's
# title, and do so within 30 s of the dialog's first byte on the console.
#
# usage: real-di.sh SMOKEGATE ISO SCENARIO PROFILE [ANSWERS]
#   PROFILE  guests/flavours/debian-netinst.conf: the test runs it under its
#            own name from --flavours-dir, with Mirror= pointing at a nginx
#            on loopback that serves an empty folder (no Release file)
#   SCENARIO
#     question    ANSWERS configure the network by hand but leave out the
#                 name servers: "[!!] Configure the network" asks
#                 "Name server addresses:" (an unanswered question)
#     bad-mirror  ANSWERS take DHCP and name the mirror 10.0.2.100/debian;
#                 the mirror answers 404: "[!!] Choose a mirror of the
#                 Debian archive" says "Bad archive mirror" (an installer
#                 error)
#     no-network  the profile without Network=mirror, with its own answers:
#                 the guest has no NIC, "[!] Configure the network" says
#                 "No network interfaces detected" (an installer error: the
#                 template is of type error)
. "$(dirname "$0")/lib.sh"

[ $# -ge 4 ] || { echo "usage: $0 SMOKEGATE ISO SCENARIO PROFILE [ANSWERS]" >&2; exit 2; }
smokegate=$(realpath "$1") iso=$(realpath "$2") scenario=$3 profile=$(realpath "$4")
answers=${5:+$(realpath "$5")}
make_workdir

case $scenario in
question)
	title='[!!] Configure the network' words='Name server addresses:' kind='question' ;;
bad-mirror)
	title='[!!] Choose a mirror of the Debian archive' words='Bad archive mirror' kind='error' ;;
no-network)
	title='[!] Configure the network' words='No network interfaces detected' kind='error' ;;
*)
	echo "unknown scenario $scenario" >&2
	exit 2
	;;
esac

mkdir -p "$workdir/flavours"
port=
if [ "$scenario" = no-network ]; then
	grep -v -e '^Network=' -e '^Mirror=' "$profile" > "$workdir/flavours/debian-netinst.conf"
else
	# A mirror that answers, but with nothing useful: an empty folder.
	mkdir -p "$workdir/www/debian"
	if ! start_nginx; then
		not_ok "nginx is not installed (Debian package nginx-light): nothing was tested"
		finish
		exit
	fi
	trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
	sed "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" "$profile" > "$workdir/flavours/debian-netinst.conf"
fi

evidence=$workdir/evidence
args=(test "$iso" --flavours-dir "$workdir/flavours" --flavour debian-netinst --evidence "$evidence")
[ -n "$answers" ] && args+=(--answers "$answers")
# The profile's firmware matrix unless the test names one.
[ -n "${SMOKEGATE_TEST_FIRMWARE:-}" ] && args+=(--firmware "$SMOKEGATE_TEST_FIRMWARE")
start=$(date +%s)
"$smokegate" "${args[@]}" > "$workdir/out" 2>&1
status=$?
end=$(date +%s)
result=$evidence/result.json
sed "s/^/# $scenario: /" "$workdir/out"
echo "# $scenario: exit $status after $((end - start)) s;" \
	"duration_s=$(json_field .duration_s "$result" 2>/dev/null)" \
	"fail_fast_s=$(json_field .fail_fast_s "$result" 2>/dev/null)"

check "exit status 1 (got $status)" test "$status" -eq 1
check "verdict fail" test "$(json_field .verdict "$result" 2>/dev/null)" = fail
reason=$(json_field .reason "$result" 2>/dev/null)
check "the reason quotes the dialog's title '$title'" grep -qF -- "$title" <<< "$reason"
if [ -n "$kind" ]; then
	check "the reason calls it an installer $kind" grep -qiE -- "installer (asked a )?$kind" <<< "$reason"
fi
fail_fast=$(json_field '.fail_fast_s // empty' "$result" 2>/dev/null)
check "fail_fast_s ($fail_fast) is at most 30 s after the dialog's first byte" \
	awk -v s="$fail_fast" 'BEGIN { exit !(s != "" && s + 0 <= 30) }'
check "screen-install.txt is in the evidence" test -s "$evidence/screen-install.txt"
check "screen-install.txt shows the dialog's title" grep -qF -- "$title" "$evidence/screen-install.txt"
check "screen-install.txt shows '$words'" grep -qF -- "$words" "$evidence/screen-install.txt"
if [ "$scenario" = bad-mirror ]; then
	check "the real installer asked the mirror for its Release file" \
		grep -q "GET /debian/dists/[a-z]*/Release" "$workdir/nginx/access.log"
fi
if [ -n "$port" ]; then
	check "no forwarding process left" test -z "$(pgrep -f "TCP:127.0.0.1:$port" || true)"
fi
check_nothing_left
finish
