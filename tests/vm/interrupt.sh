#!/bin/bash
# A signal in the middle of an install: verdict "error", nothing left
# behind. SIGHUP (a terminal closed, an ssh session dropped) is taken like
# SIGTERM.
# usage: interrupt.sh SMOKEGATE ISO [SIGNAL]
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$2 signal=${3:-TERM}
make_workdir

"$smokegate" test "$iso" --evidence "$workdir/evidence" > "$workdir/stdout" 2>/dev/null &
run=$!
wait_for_console "$workdir/evidence"
kill -"$signal" "$run"
wait "$run"
status=$?
check "SIG$signal: exit status 2 (got $status)" test "$status" -eq 2
check "verdict error" test "$(json_field .verdict "$workdir/evidence/result.json")" = error
check "reason says interrupted" grep -q interrupted "$workdir/evidence/result.json"
check_nothing_left
finish
