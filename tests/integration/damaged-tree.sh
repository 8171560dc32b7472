#!/bin/bash
# A damaged tree is reported, never skipped (issue 20, items 4 and 8): a
# record that does not parse or is a folder, a build folder without its
# record, a build that is a link, `current` pointing out of the tree. status
# marks each (exit 65 with --check, always on the page), the gate reports
# it as a lab problem with a notice and goes on, mark-current and yank
# refuse with a repair hint. A killed stage's staging folder is removed by
# the next command that takes the tree lock; a live one is not.
# usage: damaged-tree.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

start_tree_test "$@"
today=$(date +%Y%m%d)
run() { run_bounded "$@"; }

run stage --tree "$tree" --flavour smoketest "$iso"
run stage --tree "$tree" --flavour smoketest "$iso"
run mark-current --tree "$tree" "smoketest/daily-live/$today" --reason "tested by hand"
run status --tree "$tree" --check
check "a whole tree: status --check exits 0 (got $status)" test $status -eq 0

# A truncated record.
head -c 20 "$types/$today.1/smokegate.json" > record.part
mv record.part "$types/$today.1/smokegate.json"
run status --tree "$tree"
check "a truncated record: status still exits 0 (got $status)" test $status -eq 0
check "and shows the build as damaged, not untested" grep -q "^  $today.1 *damaged" out
check "with a DAMAGED line saying how to repair it" grep -q "DAMAGED: smoketest/daily-live/$today.1 is damaged: .*repair it by hand" out
run status --tree "$tree" --check
check "status --check exits 65 (got $status)" test $status -eq 65
run mark-current --tree "$tree" "smoketest/daily-live/$today.1" --reason "x"
check "mark-current refuses a damaged build with 65 (got $status)" test $status -eq 65
check "saying how to repair it" grep -q "repair it by hand" err
check "naming the record once" test "$(grep -o "$today.1/smokegate.json" err | wc -l)" -eq 1
run yank --tree "$tree" "smoketest/daily-live/$today.1" --reason "x"
check "yank refuses a damaged build with 65 (got $status)" test $status -eq 65
check "current did not move" test "$(readlink "$types/current")" = "$today"

# A record that is a folder, a build without record, a build that is a link.
mkdir "$types/20200101" "$types/20200102" other
mkdir "$types/20200101/smokegate.json"
mkdir -p other/20200103 && echo '{"state":"passed","image":"x.iso"}' > other/20200103/smokegate.json
ln -s "$workdir/other/20200103" "$types/20200103"
run status --tree "$tree" --check
check "all three damaged: status --check exits 65 (got $status)" test $status -eq 65
check "the record that is a folder is reported" grep -q "DAMAGED: smoketest/daily-live/20200101 is damaged: .*folder" out
check "the build without a record is reported" grep -q "DAMAGED: smoketest/daily-live/20200102 is damaged: .*has no record" out
check "the build that is a link is reported" grep -q "DAMAGED: smoketest/daily-live/20200103 is damaged: .*is a link" out
run mark-current --tree "$tree" "smoketest/daily-live/20200103" --reason "x"
check "mark-current refuses the link (got $status)" test $status -eq 65
check "the other tree's build is untouched" test "$(jq -r .state other/20200103/smokegate.json)" = passed

# current pointing out of the tree.
ln -sfn /etc "$types/current"
run status --tree "$tree"
check "current -> /etc is not shown as 'current etc'" sh -c '! grep -q "current etc" out'
check "it is reported as damage" grep -q "DAMAGED: smoketest/daily-live/current points at /etc, outside" out

# The gate reports the damage as a lab problem with a notice, and goes on.
port=$((20000 + RANDOM % 20000))
start_tracker "$port" tracker.log 0 || exit 1
trap 'kill $tracker 2>/dev/null; rm -rf "$workdir"' EXIT
printf '[Tree]\nTrackerURLs=http://127.0.0.1:%s/notice\n' "$port" > "$tree/smokegate.conf"
run gate --tree "$tree" --connect "qemu:///nonexistent-driver"
check "the gate ends (got $status)" test $status -ne 124
check "it warns of each damage" test "$(grep -c "warning: damaged: smoketest/daily-live" err)" -eq 5
check "each is a lab-problem notice" test "$(grep -c " lab-problem smoketest/daily-live/-" tracker.log)" -eq 5
kill $tracker
check "the page shows the damage" grep -q "Damaged: smoketest/daily-live/$today.1" "$tree/index.html"
check "status.json marks the build damaged" test "$(jq -r ".flavours[0].builds[] | select(.id == \"$today.1\") | .state" "$tree/status.json")" = damaged

# What a killed stage leaves goes with the next command taking the lock; a
# staging folder a live stage holds stays.
staging="$tree/.smokegate/staging"
mkdir -p "$staging/build-Kill3d" "$staging/build-L1ving"
head -c 1000000 /dev/zero > "$staging/build-Kill3d/daily-desktop-amd64.iso"
flock "$staging/build-L1ving" sleep 30 &
holder=$!
sleep 0.5
run status --tree "$tree"
check "the killed stage's folder is removed (got $status)" test ! -e "$staging/build-Kill3d"
check "saying so" grep -q "removed .*build-Kill3d, left by a stage that was killed" err
check "the live stage's folder stays" test -d "$staging/build-L1ving"
kill $holder
finish
