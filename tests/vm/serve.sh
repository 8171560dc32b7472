#!/bin/bash
# `smokegate serve` as systemd runs it, with NOTIFY_SOCKET pointed at a
# datagram socket this test reads: a build staged before it starts
# is gated at start; a build staged while it runs gets its verdict without
# anyone calling `gate`; READY=1 and STATUS= reach the socket, and
# WATCHDOG=1 at half of WATCHDOG_USEC; the verdict in the journal (a
# listener on the journal's socket) with its fields and MESSAGE_ID; SIGHUP with a broken smokegate.conf
# is refused and the old configuration kept, still serving (the next build
# is gated); SIGTERM in the middle of a test: exit 0 within 10 s, nothing
# left, the build untested with no error counted, and tested again by the
# next start.
# A good build staged while it runs passes and becomes current.
# usage: serve.sh SMOKEGATE FAILING-ISO HANG-ISO GOOD-ISO
. "$(dirname "$0")/lib.sh"
needs_root "the journal's socket is mounted in a mount namespace"

smokegate=$(realpath "$1") failing=$(realpath "$2") hang=$(realpath "$3") good=$(realpath "$4")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
today=$(date +%Y%m%d)
printf '[Tree]\nMaxErrors=3\n' > "$tree/smokegate.conf"

# The state of the newest build of flavour $1 ("" while there is none).
state_of() {
	local dir
	dir=$(readlink -f "$tree/$1/daily-live/pending" 2>/dev/null) || return 0
	[ -f "$dir/smokegate.json" ] && jq -r .state "$dir/smokegate.json"
}

# Waits at most $1 seconds until file $2 has a line matching $3.
wait_for_line_in() {
	for _ in $(seq 1 $(($1 * 5))); do
		grep -q -- "$3" "$2" && return 0
		sleep 0.2
	done
	return 1
}

wait_for_line() {
	wait_for_line_in 5 "$@"
}

# Waits at most $2 seconds until flavour $1's build has a verdict.
wait_for_verdict() {
	local tries=$(($2 * 2))
	for _ in $(seq 1 "$tries"); do
		case "$(state_of "$1")" in passed | failed) return 0 ;; esac
		kill -0 "$serve" 2> /dev/null || return 1
		sleep 0.5
	done
	return 1
}

# One datagram a record, as systemd reads them (a message may hold several lines).
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
with open(sys.argv[2], "a") as log:
    while True:
        log.write(s.recv(4096).decode() + "\n")
        log.flush()
' "$workdir/notify" "$workdir/notify.log" &
listener=$!
for _ in $(seq 1 20); do [ -S "$workdir/notify" ] && break; sleep 0.1; done

"$smokegate" stage --tree "$tree" --flavour alpha "$failing" > /dev/null

# The journal's native socket read by a listener (lib.sh's with_journal).
# systemd sets WATCHDOG_PID to the service's pid; unset, any pid may ping.
with_journal "$workdir/journal.log" \
	env NOTIFY_SOCKET="$workdir/notify" WATCHDOG_USEC=2000000 \
	"$smokegate" serve --tree "$tree" --json --journal > "$workdir/out" 2> "$workdir/err" &
serve=$!
started=$(date +%s)

check "the build staged before the start gets its verdict" wait_for_verdict alpha 240
echo "# first verdict $(($(date +%s) - started)) s after the start"
check "the build staged before the start failed (the failing image)" test "$(state_of alpha)" = failed
check "READY=1 reached the notify socket" grep -q '^READY=1' "$workdir/notify.log"
check "STATUS= says what it does" grep -q '^STATUS=gating ' "$workdir/notify.log"
check "WATCHDOG=1 pings reached the notify socket" grep -q '^WATCHDOG=1' "$workdir/notify.log"
# journalctl MESSAGE_ID=99e75b7b7991460696dbf018e1eb2176 finds it.
entry=$(grep 'MESSAGE_ID=99e75b7b7991460696dbf018e1eb2176' "$workdir/journal.log" | head -n 1)
echo "# journal entry: $entry"
check "the verdict is a journal entry with the fail MESSAGE_ID" test -n "$entry"
for field in "SMOKEGATE_TREE=$tree" "SMOKEGATE_BUILD=alpha/daily-live/$today" \
	SMOKEGATE_VERDICT=fail SMOKEGATE_HOST=local "SMOKEGATE_REASON=install: kernel panic"; do
	check "the entry has $field" grep -q "|$field" <<< "$entry"
done

# Seconds from $1 (seconds since the epoch) to the ISO 8601 time $2.
seconds_until() {
	awk -v from="$1" -v to="$(date -d "$2" +%s.%N)" 'BEGIN { printf "%.2f", to - from }'
}

# Staged while it runs: gated without anyone calling gate.
"$smokegate" stage --tree "$tree" --flavour beta "$failing" > /dev/null
staged=$(date +%s.%N)
check "the build staged while it runs gets its verdict" wait_for_verdict beta 240
queued=$(jq -r 'select(.event == "queued" and (.build | startswith("beta/"))) | .time' "$workdir/out" | head -n 1)
begun=$(jq -r 'select(.event == "started" and (.build | startswith("beta/"))) | .time' "$workdir/out" | head -n 1)
if [ -n "$queued" ] && [ -n "$begun" ]; then
	echo "# stage finished -> queued: $(seconds_until "$staged" "$queued") s," \
		"-> test started: $(seconds_until "$staged" "$begun") s"
fi
check "its verdict is the failing image's" test "$(state_of beta)" = failed
check "STATUS= went back to idle" grep -q '^STATUS=idle' "$workdir/notify.log"

# A good build staged while it runs: passed, and current follows it.
"$smokegate" stage --tree "$tree" --flavour delta "$good" > /dev/null
check "the good build staged while it runs gets its verdict" wait_for_verdict delta 400
check "it passed" test "$(state_of delta)" = passed
check "current follows it" test "$(readlink "$tree/delta/daily-live/current")" = "$today"
check "the failing builds have no current" test ! -e "$tree/beta/daily-live/current" -a ! -e "$tree/alpha/daily-live/current"

# The timer's one pass on a tree serve holds: nothing to do, exit 0, said.
"$smokegate" gate --tree "$tree" > "$workdir/timer.out" 2>&1
status=$?
check "a gate run while serve holds the tree exits 0 (got $status)" test "$status" -eq 0
check "and says serve gates the tree" grep -q 'smokegate serve gates this tree already' "$workdir/timer.out"

# A broken configuration: refused, the old one kept, still serving.
printf '[Tree\nnot a key file\n' > "$tree/smokegate.conf"
kill -HUP "$serve"
check "SIGHUP with a broken smokegate.conf is refused" wait_for_line "$workdir/err" 'refused the new configuration, kept the old one'
check "the refusal names the file" grep -q "refused.*$tree/smokegate.conf" "$workdir/err"
check "still serving after the refused reload" kill -0 "$serve"
check "RELOADING=1 reached the notify socket" wait_for_line "$workdir/notify.log" '^RELOADING=1'
# `stage` reads smokegate.conf itself and refuses a broken one: mended on
# disk, the file is still not what serve uses until the next SIGHUP.
printf '[Tree]\nMaxErrors=3\n' > "$tree/smokegate.conf"

# SIGTERM in the middle of a test (a hanging install): exits in time, the
# build stays untested with no error counted.
"$smokegate" stage --tree "$tree" --flavour gamma "$hang" > /dev/null
evidence="$tree/gamma/daily-live/$today/smoke"
check "a build staged after the refused reload is gated" wait_for_console "$evidence" 120
kill -TERM "$serve"
term=$(date +%s.%N)
for _ in $(seq 1 60); do kill -0 "$serve" 2> /dev/null || break; sleep 0.2; done
took=$(awk -v from="$term" -v to="$(date +%s.%N)" 'BEGIN { printf "%.2f", to - from }')
echo "# SIGTERM to exit: $took s"
if kill -0 "$serve" 2> /dev/null; then
	not_ok "serve exits within 10 s of SIGTERM (still running after 12 s)"
	kill -KILL "$serve"
	wait "$serve"
else
	ok "serve exits within 10 s of SIGTERM"
	wait "$serve"
	status=$?
	check "exit status 0 (got $status)" test "$status" -eq 0
fi
check "the interrupted build stays untested" test "$(state_of gamma)" = untested
check "with no error counted" test "$(jq -r .errors "$tree/gamma/daily-live/$today/smokegate.json")" = 0
check "STOPPING=1 reached the notify socket" wait_for_line "$workdir/notify.log" '^STOPPING=1'
check "no gate lock held after it" flock -n "$tree/.smokegate/gate.lock" true

# The next start tests the interrupted build again (stopped once more).
"$smokegate" serve --tree "$tree" --json > "$workdir/out2" 2> "$workdir/err2" &
serve=$!
check "the next start tests the interrupted build" \
	wait_for_line_in 60 "$workdir/out2" '"event":"started".*"build":"gamma/'
kill -TERM "$serve"
wait "$serve"
status=$?
check "the second run exits 0 on SIGTERM too (got $status)" test "$status" -eq 0
gamma=$(jq -r '.state + " " + (.errors | tostring)' "$tree/gamma/daily-live/$today/smokegate.json")
check "the build is still untested, no error counted (got $gamma)" test "$gamma" = "untested 0"
[ "$gamma" = "untested 0" ] || { sed 's/^/# second run stderr: /' "$workdir/err2"; sed 's/^/# second run: /' "$workdir/out2"; jq -c .events "$tree/gamma/daily-live/$today/smokegate.json" | sed 's/^/# gamma: /'; }
kill "$listener" "$(cat "$workdir/journal.log.pid")" 2> /dev/null
wait "$listener" 2> /dev/null
sed 's/^/# stderr: /' "$workdir/err"
check_nothing_left
finish
