#!/bin/bash
# The gate side of the downstream suites, end to end on the good image: a
# tree whose smokegate.conf lists suites ([Tree] Suites=) from
# tests/vm/suites (--suites-dir), a tracker receiving the notices on
# loopback.
#   advisory: the advisory suite smoke-advisory fails. The build is
#     published (current moves) with a downstream-failed notice, the status
#     page shows the advisory failure, the tree keeps current's installed
#     disk, and `smokegate suite run --disk` runs smoke-ok on it (a pass,
#     the disk unchanged).
#   gating: the gating suite smoke-fail fails. The build is not published,
#     the failed notice names the suite, and with KeepFailedDisks=true its
#     installed disk is kept.
# usage: gate-suites.sh advisory|gating SMOKEGATE GOOD-ISO SUITES_DIR
. "$(dirname "$0")/lib.sh"

mode=$1 smokegate=$(realpath "$2") iso=$(realpath "$3") suites=$(realpath "$4")
make_workdir
tree="$workdir/tree"
types="$tree/smoketest/daily-live"
mkdir -p "$tree"

# The tracker: every notice's JSON body, one a line.
port=$((20000 + RANDOM % 20000))
python3 -c '
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as log:
            log.write(body.replace(b"\n", b" ") + b"\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
' "$port" "$workdir/notices" &
tracker=$!
trap 'kill $tracker 2>/dev/null; rm -rf "$workdir"' EXIT
touch "$workdir/notices"

case $mode in
advisory) printf '[Tree]\nTrackerURLs=http://127.0.0.1:%s/notice\nSuites=smoke-advisory\n' "$port" ;;
gating) printf '[Tree]\nTrackerURLs=http://127.0.0.1:%s/notice\nSuites=smoke-fail\nKeepFailedDisks=true\n' "$port" ;;
*) echo "Bail out! unknown mode $mode"; exit 1 ;;
esac > "$tree/smokegate.conf"

"$smokegate" stage --tree "$tree" --flavour smoketest "$iso" > /dev/null
build=$(readlink "$types/pending")
start=$(date +%s)
"$smokegate" gate --tree "$tree" --suites-dir "$suites" > "$workdir/out" 2> "$workdir/err"
status=$?
echo "# the gate took $(($(date +%s) - start)) s: $(cat "$workdir/out")"
sed 's/^/# stderr: /' "$workdir/err"
sed 's/^/# notice: /' "$workdir/notices"
(cd "$tree" && find . -path ./.smokegate -prune -o -print | sort | sed 's/^/#   /')

record=$types/$build/smokegate.json
result=$types/$build/smoke/result.json
disk=$types/$build/smoke/installed.qcow2
# The notice named $1 about this build, as JSON (empty when none came).
notice() { jq -c --arg e "$1" --arg b "$build" 'select(.event == $e and .build == $b)' "$workdir/notices"; }

if [ "$mode" = advisory ]; then
	check "gate exits 0 (got $status)" test "$status" -eq 0
	check "gate counts one pass" test "$(cat "$workdir/out")" = "gate: 1 passed, 0 failed, 0 not judged"
	check "the build is published: current is $build" test "$(readlink "$types/current")" = "$build"
	check "its record says passed" test "$(jq -r .state "$record")" = passed
	# The rest is about a published build: a test that could not get there
	# (a lab too slow for the profile's limits) says why and stops.
	if [ "$(jq -r .state "$record")" != passed ]; then
		tail -n 5 "$types/$build/smoke/console-boot.log" 2>/dev/null | sed 's/^/# console: /'
		echo "Bail out! the build did not pass: $(jq -r .reason "$record")"
		exit 1
	fi
	check "result.json: smoke-advisory ran, not gating, failed" \
		test "$(jq -r '.suites[0] | "\(.name) \(.gating) \(.verdict)"' "$result")" = "smoke-advisory false fail"
	check "the tracker was told it passed" test -n "$(notice passed)"
	check "the tracker was told downstream-failed, naming the suite and its test" \
		grep -q "advisory suite smoke-advisory fail: test 2 'the team's tool is installed' failed" <<<"$(notice downstream-failed | jq -r .note)"
	check "status.json: the build's advisory suite failed" \
		test "$(jq -r --arg b "$build" '.flavours[0].builds[] | select(.id == $b) | .suites[] | select(.gating | not) | "\(.name) \(.verdict)"' "$tree/status.json")" = "smoke-advisory fail"
	check "the status page shows the advisory failure" grep -q "ADVISORY SUITE FAIL</strong> smoke-advisory" "$tree/index.html"

	# The kept disk of the published build, and a team's suite rerun on it.
	check "the tree keeps current's installed disk" test -s "$disk"
	check "it is the base: qcow2, no backing file" \
		sh -c "qemu-img info '$disk' | grep -q 'file format: qcow2' && ! qemu-img info '$disk' | grep -q 'backing file'"
	check "status.json names it" \
		test "$(jq -r '.flavours[0].builds[0].kept_disk' "$tree/status.json")" = "smoketest/daily-live/$build/smoke/installed.qcow2"
	"$smokegate" status --tree "$tree" > "$workdir/status"
	sed 's/^/# status: /' "$workdir/status"
	check "smokegate status says where the disk is" grep -qF "disk $(realpath "$disk")" "$workdir/status"
	check "smokegate status names the failed advisory suite" grep -q "advisory suite smoke-advisory fail" "$workdir/status"
	sum_before=$(sha256sum < "$disk")
	start=$(date +%s)
	"$smokegate" suite run --disk "$disk" --flavour smoketest --suites-dir "$suites" \
		--suite smoke-ok --evidence "$workdir/rerun" > "$workdir/rerun.out" 2> "$workdir/rerun.err"
	status=$?
	echo "# suite run took $(($(date +%s) - start)) s: $(cat "$workdir/rerun.out")"
	sed 's/^/# stderr: /' "$workdir/rerun.err"
	[ "$status" -eq 0 ] || tail -n 8 "$workdir/rerun/suites/smoke-ok/console.log" | sed 's/^/# console: /'
	check "suite run on the kept disk exits 0 (got $status)" test "$status" -eq 0
	check "smoke-ok passes on it" \
		test "$(jq -r '.suites[0] | "\(.name) \(.verdict)"' "$workdir/rerun/result.json")" = "smoke-ok pass"
	check "the kept disk is unchanged" test "$(sha256sum < "$disk")" = "$sum_before"
else
	check "gate exits 1 (got $status)" test "$status" -eq 1
	check "gate counts one fail" test "$(cat "$workdir/out")" = "gate: 0 passed, 1 failed, 0 not judged"
	check "the build is not published: no current" test ! -e "$types/current"
	check "its record says failed" test "$(jq -r .state "$record")" = failed
	check "the reason names the gating suite and its test" \
		grep -q "^suite smoke-fail: test 2 'the team's tool is installed' failed" <<<"$(jq -r .reason "$record")"
	check "the tracker was told it failed" \
		grep -q "^suite smoke-fail" <<<"$(notice failed | jq -r .note)"
	check "no passed or downstream-failed notice" test -z "$(notice passed)$(notice downstream-failed)"
	check "the status page shows the gating suite's failure" grep -q "GATING SUITE FAIL</strong> smoke-fail" "$tree/index.html"
	check "KeepFailedDisks=true: the failed build's disk is kept" test -s "$disk"
fi
check_nothing_left
finish
