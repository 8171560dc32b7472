#!/bin/bash
# A gate killed after it recorded a pass but before it moved `current`
# (tests/vm/kill-gate.sh kills one there): the record says passed, nothing
# points at it, and no gate tests it again. The next gate moves `current`
# to it, unless a person changed `current` after that pass (mark-current,
# yank): their decision stands. And the temporary files killed writers left
# in the tree are removed. No guest: the records are written as that gate
# left them.
# usage: gate-resume.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
today=$(date +%Y%m%d)
types="$tree/smoketest/daily-live"

# Build $1's record as a gate killed right after saving its pass leaves it.
passed_by_a_killed_gate() {
	local record="$types/$1/smokegate.json"
	jq --arg when "$(date -u +%Y-%m-%dT%H:%M:%S.%6NZ)" \
		'.state = "passed" | .verdict = "pass" | .reason = "installed, booted and reached the desktop" |
		 .events += [{what: "passed", who: "gate@test", when: $when, why: .reason}]' \
		"$record" > "$record.new" && mv "$record.new" "$record"
}

"$smokegate" stage --tree "$tree" --flavour smoketest "$iso" > /dev/null
passed_by_a_killed_gate "$today"
check "before: no current" test ! -e "$types/current"
"$smokegate" gate --tree "$tree" > "$workdir/out" 2> "$workdir/err"
status=$?
check "the next gate exits 0 with nothing to test (got $status: $(cat "$workdir/out"))" \
	test "$status" -eq 0 -a "$(cat "$workdir/out")" = "gate: 0 passed, 0 failed, 0 not judged"
check "current moved to the passed build" test "$(readlink "$types/current")" = "$today"
check "the status page says so" test "$(jq -r '.flavours[0].current' "$tree/status.json")" = "$today"

# A newer build passed by a killed gate, but a person marked the older one
# current after that pass: current stays where the person put it.
"$smokegate" stage --tree "$tree" --flavour smoketest "$iso" > /dev/null
passed_by_a_killed_gate "$today.1"
sleep 0.01
"$smokegate" mark-current --tree "$tree" "smoketest/daily-live/$today" --reason "kept by hand" > /dev/null 2>&1
"$smokegate" gate --tree "$tree" > /dev/null 2>&1
check "a person's later mark-current stands" test "$(readlink "$types/current")" = "$today"
check "no lock left held" flock -n "$tree/.smokegate/gate.lock" true

# A writer killed between its temporary file and the rename (the page, a
# build record) leaves GLib's temporary in the tree, which mirrors would
# copy: the next gate removes those, and nothing else.
echo '<html>half' > "$tree/index.html.Ab12Cd"
echo '{"flav' > "$tree/status.json.x9Y8z7"
echo '{"state":' > "$types/$today/smokegate.json.Q1w2E3"
echo 'a person keeps this' > "$tree/index.html.orig"
echo 'and this' > "$types/$today/smokegate.json.backup1"
"$smokegate" gate --tree "$tree" > /dev/null 2> "$workdir/err"
check "the killed writers' temporaries are gone" \
	test ! -e "$tree/index.html.Ab12Cd" -a ! -e "$tree/status.json.x9Y8z7" \
	-a ! -e "$types/$today/smokegate.json.Q1w2E3"
check "the gate said what it removed, on a line of its own" grep -q "^smokegate gate: removed .*index.html.Ab12Cd" "$workdir/err"
check "other files are kept" test -e "$tree/index.html.orig" -a -e "$types/$today/smokegate.json.backup1"
check "the record and the page still parse" \
	sh -c "jq -e .state '$types/$today/smokegate.json' >/dev/null && jq -e .flavours '$tree/status.json' >/dev/null"
finish
