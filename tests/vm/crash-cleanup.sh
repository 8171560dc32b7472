#!/bin/bash
# A run killed with SIGKILL leaves its guest running (an embedded driver's
# QEMU outlives its caller); the next run must find and remove it.
# usage: crash-cleanup.sh SMOKEGATE HANG-ISO PANIC-ISO
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") hang_iso=$2 panic_iso=$3
make_workdir

"$smokegate" test "$hang_iso" --evidence "$workdir/first" > /dev/null 2>&1 &
first=$!
wait_for_console "$workdir/first"
kill -9 "$first"
wait "$first" 2>/dev/null
check "the killed run left a QEMU process behind" test -n "$(qemu_processes_under "$SMOKEGATE_STATE_DIR")"

"$smokegate" test "$panic_iso" --evidence "$workdir/second" > /dev/null 2>&1
check "the next run still judged its image (exit 1)" test $? -eq 1
check_nothing_left
finish
