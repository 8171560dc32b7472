#!/bin/bash
# A gate's verdicts in the journal with their fields, as serve's: what the
# timer's smokegate-gate@.service runs (JOURNAL_STREAM set by systemd) and
# `gate --journal` each log every verdict with MESSAGE_ID, SMOKEGATE_TREE,
# SMOKEGATE_BUILD, SMOKEGATE_VERDICT, SMOKEGATE_HOST and SMOKEGATE_REASON;
# a gate run by hand on a terminal logs none. No guest: the builds are
# truncated images, failed in the gate's prepare phase. About 5 s.
# usage: gate-journal.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

needs_root "the journal's socket is mounted in a mount namespace"
smokegate=$(realpath "$1") iso=$(realpath "$2")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
head -c 1048576 "$iso" > "$workdir/truncated.iso"
today=$(date +%Y%m%d)
journal=$workdir/journal.log
fail_id=99e75b7b7991460696dbf018e1eb2176

# gate_in_journal BUILD-SUFFIX ARGS-OR-ENV...: stages a truncated build and
# gates it with the journal's socket listened to; sets $status and $entry
# (the new fail entry, if any).
gate_in_journal() {
	"$smokegate" stage --tree "$tree" --flavour smoketest "$workdir/truncated.iso" > /dev/null
	: > "$journal"
	(with_journal "$journal" "$@") > "$workdir/out" 2> "$workdir/err"
	status=$?
	kill "$(cat "$journal.pid")" 2> /dev/null
	entry=$(grep "MESSAGE_ID=$fail_id" "$journal" | head -n 1)
	echo "# journal entry: $entry"
}

gate_in_journal "$smokegate" gate --tree "$tree" --journal
check "gate --journal: exit 1, the build failed (got $status)" test "$status" -eq 1
check "gate --journal: the verdict is a journal entry with the fail MESSAGE_ID" test -n "$entry"
for field in "SMOKEGATE_TREE=$tree" "SMOKEGATE_BUILD=smoketest/daily-live/$today" \
	SMOKEGATE_VERDICT=fail SMOKEGATE_HOST=local "SMOKEGATE_REASON=ISO 9660 image is unreadable" PRIORITY=4; do
	check "gate --journal: the entry has $field" grep -q "|$field" <<< "$entry"
done

# As systemd starts it: stderr is the journal (JOURNAL_STREAM), no option.
gate_in_journal env JOURNAL_STREAM=8:1 "$smokegate" gate --tree "$tree"
check "gate under systemd: exit 1 (got $status)" test "$status" -eq 1
check "gate under systemd: the verdict is a journal entry" \
	grep -q "|SMOKEGATE_BUILD=smoketest/daily-live/$today.1|" <<< "$entry|"

gate_in_journal env -u JOURNAL_STREAM "$smokegate" gate --tree "$tree"
check "gate on a terminal: exit 1 (got $status)" test "$status" -eq 1
check "gate on a terminal: no journal entry" test -z "$entry"
check "gate on a terminal: the summary on stdout" grep -q "^gate: 0 passed, 1 failed" "$workdir/out"
finish
