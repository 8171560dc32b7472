#!/bin/bash
# `smokegate serve` without guests: ExpectedBy= set for the coming minute on
# a tree without a build of the day. The "no daily build" notice is sent at
# that minute (a timer, not the start-up pass), to a real HTTP receiver on
# loopback that refuses the gate pass's three tries: serve delivers it again
# after its backoff (30 s), once. About 2 minutes.
# usage: serve-expected-by.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2")
make_workdir
tree="$workdir/tree"
types="$tree/alpha/daily-live"
mkdir -p "$tree"

# An old build that passed long ago: an image type with nothing to test.
"$smokegate" stage --tree "$tree" --flavour alpha "$iso" > /dev/null
mv "$types/$(readlink "$types/pending")" "$types/20200101"
ln -sfn 20200101 "$types/pending"
jq '.state = "passed"' "$types/20200101/smokegate.json" > "$workdir/record"
mv "$workdir/record" "$types/20200101/smokegate.json"
rm -rf "$tree/.smokegate/notices"

# The receiver answers 503 to its first three POSTs, then 200; each line of
# its log: the time, the status given, the notice's event, and more.
port=$((20000 + RANDOM % 20000))
start_tracker "$port" "$workdir/received" 3
receiver=$tracker

# The next minute with at least 15 s to go (a run that would cross midnight
# waits for the new day first: ExpectedBy is a time of the day).
if [ "$(date +%H%M)" = 2359 ] || { [ "$(date +%H%M)" = 2358 ] && [ "$(date +%S)" -ge 45 ]; }; then
	sleep $(($(date -d 'tomorrow 00:00:02' +%s) - $(date +%s)))
fi
now=$(date +%s)
minute=$(((now + 15) / 60 * 60 + 60))
expected_by=$(date -d "@$minute" +%H:%M)
printf '[Tree]\nTrackerURLs=http://127.0.0.1:%s/notice\nExpectedBy=%s\n' "$port" "$expected_by" \
	> "$tree/smokegate.conf"
echo "# ExpectedBy=$expected_by, $((minute - now)) s ahead"

"$smokegate" serve --tree "$tree" > "$workdir/out" 2> "$workdir/err" &
serve=$!
sleep 5
check "serve runs" kill -0 "$serve"
check "the start-up pass sent nothing before ExpectedBy" test ! -s "$workdir/received"

# Its minute, the pass's three refused tries (retries 1 s and 2 s apart),
# then serve's backoff of 30 s.
sleep $((minute - $(date +%s) + 45))
sed 's/^/# received: /' "$workdir/received"
first=$(awk 'NR == 1 { print $1 }' "$workdir/received")
check "a no-build notice was tried at the ExpectedBy minute" \
	awk -v m="$minute" -v t="${first:-0}" 'BEGIN { exit !(t >= m && t < m + 5) }'
check "the pass's three tries were refused" test "$(awk '$2 == 503' "$workdir/received" | wc -l)" -eq 3
check "delivered once, after the backoff" test "$(awk '$2 == 200 && $3 == "no-build"' "$workdir/received" | wc -l)" -eq 1
refused=$(awk '$2 == 503 { t = $1 } END { print t }' "$workdir/received")
delivered=$(awk '$2 == 200 { print $1; exit }' "$workdir/received")
check "serve's retry came 30 s after the last refusal" \
	awk -v f="${refused:-0}" -v d="${delivered:-0}" 'BEGIN { exit !(d - f >= 29 && d - f < 35) }'
check "nothing else was sent" test "$(wc -l < "$workdir/received")" -eq 4
check "the notice is no longer spooled" test -z "$(find "$tree/.smokegate/notices" -name '*.json')"
check "serve said it would deliver again" grep -q 'tracker notices wait; next delivery in 30 s' "$workdir/err"

kill -TERM "$serve"
wait "$serve"
status=$?
check "exit 0 on SIGTERM (got $status)" test "$status" -eq 0
kill "$receiver"
wait "$receiver" 2> /dev/null
sed 's/^/# stderr: /' "$workdir/err"
finish
