#!/bin/bash
# A tracker that is down (its port refuses connections) for a whole day's
# work: three builds staged (oversized, a respin), gated (each a real
# verdict: the truncated images fail in the gate's prepare phase, no guest
# needed), one marked current, then yanked. Every notice is spooled. Then
# the tracker comes back (a real HTTP receiver on loopback, answering 503
# to its first two POSTs, as a tracker still starting would) and the next
# `gate` (nothing to test) delivers the spool.
#
# The guarantee (harness/gate/sg-notify.c), per tracker URL: notices go out
# in the order they were made (their spool sequence numbers), one at a time,
# each POSTed until the tracker answers 2xx, and removed from the spool
# only after that 2xx; a notice the tracker does not take stops the queue,
# so nothing overtakes it. That is at-least-once, in order: no notice is
# lost, and each is delivered exactly once unless the delivering process
# dies (or its POST times out) after the tracker took a notice and before
# the notice left the spool; then that one notice is sent again, still
# before every later one. This test has no such crash: it checks that every
# notice made while the tracker was down arrived exactly once (refused
# tries are not deliveries), in the order made, and that the spool is empty.
# About 20 s.
# usage: tracker-down.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
# Not bootable: a real fail verdict within the gate, no guest.
head -c 1048576 "$iso" > "$workdir/truncated.iso"

port=$((20000 + RANDOM % 20000))
cat > "$tree/smokegate.conf" <<CONF
[Tree]
TrackerURLs=http://127.0.0.1:$port/notice

[Flavour smoketest]
SizeLimit=1000
CONF

run() {
	"$@" > "$workdir/out" 2> "$workdir/err"
	status=$?
	sed 's/^/# stderr: /' "$workdir/err" | grep -v '^# stderr: $'
	return $status
}

today=$(date +%Y%m%d)
run "$smokegate" stage --tree "$tree" --flavour smoketest "$workdir/truncated.iso"
run "$smokegate" stage --tree "$tree" --flavour smoketest "$workdir/truncated.iso"
run "$smokegate" stage --tree "$tree" --flavour smoketest --image-type daily-minimal \
	"$workdir/truncated.iso"
run "$smokegate" gate --tree "$tree"
check "gate exits 1: three builds failed (got $status)" test "$status" -eq 1
check "gate said the notices stay spooled, as a one-line warning" \
	grep -q '^smokegate gate: warning: tracker notices stay spooled for later: .*cannot connect' "$workdir/err"
run "$smokegate" mark-current --tree "$tree" "smoketest/daily-live/$today.1" --reason "tried by hand"
run "$smokegate" yank --tree "$tree" "smoketest/daily-live/$today.1" --reason "not after all"

queue=$(dirname "$(find "$tree/.smokegate/notices" -name url)")
# The spool in sequence order: "event build" and the body's checksum.
(cd "$queue" && for f in $(ls | grep -E '^[0-9]{20}\.json$'); do
	echo "$(jq -r '"\(.event) \(.flavour)/\(.image_type)/\(.build)"' "$f") $(sha256sum < "$f" | cut -c1-64)"
done) > "$workdir/spooled"
sed 's/^/# spooled: /' "$workdir/spooled"
made=$(cut -d' ' -f1,2 "$workdir/spooled" | tr '\n' ';')
a=smoketest/daily-live/$today
b=smoketest/daily-minimal/$today
# The gate's three verdicts come in its schedule's order: checked as a set.
check "every notice spooled, in the order made" test "$(cut -d' ' -f1,2 "$workdir/spooled" |
	awk '$1 == "failed" { f = f $0 ";"; if (++n == 3) print "FAILED3"; next } { print }' |
	tr '\n' ';')" = "staged $a;oversized $a;staged $a.1;respin $a.1;oversized $a.1;staged $b;oversized $b;FAILED3;marked-current $a.1;yanked $a.1;"
check "the three failed notices, one for each build" \
	test "$(awk '$1 == "failed" { print $2 }' "$workdir/spooled" | sort | tr '\n' ' ')" = "$a $a.1 $b "

# The tracker is back: 503 to its first two POSTs, then 200.
check "the tracker is back" start_tracker "$port" "$workdir/received" 2

run "$smokegate" gate --tree "$tree"
check "the next gate (nothing to test) exits 0 (got $status)" test "$status" -eq 0
kill "$tracker"
wait "$tracker" 2> /dev/null
sed 's/^/# received: /' "$workdir/received"
check "the first two tries were refused, both of the oldest notice" \
	test "$(awk '$2 == 503 { print $3, $4, $5 }' "$workdir/received" | uniq)" = "$(head -1 "$workdir/spooled")"
check "every notice delivered exactly once, in the order made" \
	test "$(awk '$2 == 200 { print $3, $4, $5 }' "$workdir/received")" = "$(cat "$workdir/spooled")"
check "nothing else was sent" test "$(wc -l < "$workdir/received")" -eq $(($(wc -l < "$workdir/spooled") + 2))
check "the spool is empty" test -z "$(find "$tree/.smokegate/notices" -name '*.json')"
finish
