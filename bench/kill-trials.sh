#!/bin/bash
# `smokegate gate` killed with SIGKILL at random moments: N trials, each on
# a fresh tree with a good build (alpha) and a failing one (beta), gated one
# at a time. The moment is uniform over an uninterrupted gate of that tree
# (timed first, or KILL_TRIALS_SPAN seconds). After each kill the tree is
# checked as tests/vm/kill-gate.sh does (current absent or passed with
# SHA256SUMS verifying, every record and status file parses, no lock
# held), then the next gate must finish the work: both verdicts, the good
# build current, the page right, no guest, disk or QEMU process left.
# Prints one line per trial and the totals. Figures to report, not asserted.
# usage: bench/kill-trials.sh N [BUILD-DIR]   (KILL_TRIALS_SEED=S repeats a run)
set -u
trials=${1:?usage: bench/kill-trials.sh N [BUILD-DIR]}
build=${2:-build}
here=$(dirname "$(realpath "$0")")
. "$here/../tests/vm/lib.sh"
. "$here/../tests/vm/kill-lib.sh"
smokegate=$(realpath "$build/harness/smokegate")
good=$(realpath "$build/images/smoketest-amd64-good.iso")
bad=$(realpath "$build/images/smoketest-amd64-panic.iso")
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}
make_workdir
seed=${KILL_TRIALS_SEED:-$$}
RANDOM=$seed
today=$(date +%Y%m%d)
alpha=alpha/daily-live/$today beta=beta/daily-live/$today

fresh_tree() {
	rm -rf "$workdir/tree"
	tree="$workdir/tree"
	mkdir -p "$tree"
	"$smokegate" stage --tree "$tree" --flavour alpha "$good" > /dev/null &&
		"$smokegate" stage --tree "$tree" --flavour beta "$bad" > /dev/null
}

# The phase the gate was in when killed: the build under test's, else
# "publish" once a verdict is recorded (the page, the next build's start).
killed_phase() {
	local a b
	a=$(phase_from_evidence "$alpha") b=$(phase_from_evidence "$beta")
	for p in "$a" "$b"; do
		case "$p" in prepare | install | boot | inspect) echo "$p"; return ;; esac
	done
	if [ "$a" = publish ] || [ "$b" = publish ]; then echo publish; else echo start; fi
}

span=${KILL_TRIALS_SPAN:-}
if [ -z "$span" ]; then
	fresh_tree
	t0=$(date +%s.%N)
	"$smokegate" gate --tree "$tree" > /dev/null 2>&1
	span=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	echo "# an uninterrupted gate of the tree: $span s (seed $seed)"
fi

declare -A phases
failures=0 failed_trials=0
for trial in $(seq 1 "$trials"); do
	fresh_tree
	at=$(awk -v r="$RANDOM$RANDOM" -v s="$span" 'BEGIN { printf "%.1f", (r % 1000000) / 1e6 * s }')
	"$smokegate" gate --tree "$tree" > "$workdir/gate.out" 2>&1 &
	gate=$!
	sleep "$at"
	if kill -9 "$gate" 2> /dev/null; then
		wait "$gate" 2> /dev/null
		phase=$(killed_phase)
	else
		wait "$gate" 2> /dev/null
		phase="none(ended first)"
	fi
	phases[$phase]=$((${phases[$phase]:-0} + 1))
	{
		check_tree_whole "killed"
		t1=$(date +%s.%N)
		"$smokegate" gate --tree "$tree" > "$workdir/next.out" 2>&1
		status=$?
		next=$(awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
		echo "# next gate: exit $status in $next s: $(tail -n 1 "$workdir/next.out")"
		check_work_finished
		check_nothing_left
	} > "$workdir/trial.log"
	bad_checks=$(grep -c '^not ok' "$workdir/trial.log")
	all_checks=$(grep -c '^\(not \)\?ok' "$workdir/trial.log")
	failures=$((failures + bad_checks))
	[ "$bad_checks" -eq 0 ] || failed_trials=$((failed_trials + 1))
	echo "trial $trial: killed at $at s in $phase; $(grep '^# next gate' "$workdir/trial.log" | sed 's/^# //'); checks $((all_checks - bad_checks))/$all_checks ok"
	grep '^not ok\|temporary files' "$workdir/trial.log" | sed 's/^/    /'
	cp "$workdir/trial.log" "$workdir/trial-$trial.log"
done
echo "totals: $trials trials, $failed_trials failed, $failures failed checks; kills per phase:" \
	"$(for p in "${!phases[@]}"; do printf '%s=%s ' "$p" "${phases[$p]}"; done)"
[ "$failed_trials" -eq 0 ]
