#!/bin/bash
# The cost of downstream suites on the good test image (the default host):
# the smoke test alone, with one suite, and with two suites at once (each on
# its own overlay), three runs in a row. Prints each run's seconds, the
# smoke test's part (the phases) and each suite's own duration, then the
# suite's cost next to the smoke test's and the cost of the second suite
# run at once. The suites are tests/vm/suites' smoke-ok and smoke-advisory
# (the shipped ones need a desktop flavour). Figures to report, not to assert.
# usage: bench/suites.sh [BUILD-DIR]
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
smokegate=$(realpath "$build/harness/smokegate")
iso=$(realpath "$build/images/smoketest-amd64-good.iso")
suites=$here/tests/vm/suites
work=$(mktemp -d /tmp/smokegate-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export SMOKEGATE_NO_PROGRESS=1 SMOKEGATE_STATE_DIR=$work/state
export LIBGUESTFS_BACKEND=${LIBGUESTFS_BACKEND:-direct}

declare -A total
# run NAME SUITE...: one smokegate test, its wall-clock seconds in total[NAME]
run() {
	local name=$1 start end args=()
	shift
	for suite in "$@"; do args+=(--suite "$suite"); done
	start=$(date +%s.%N)
	"$smokegate" test "$iso" --evidence "$work/$name" --suites-dir "$suites" "${args[@]}" \
		>"$work/$name.out" 2>&1
	end=$(date +%s.%N)
	total[$name]=$(awk "BEGIN{printf \"%.1f\", $end - $start}")
	local r=$work/$name/result.json
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$(jq -r .verdict "$r")" "${total[$name]}" \
		"$(jq -r '[.phases[] | .duration_s // 0] | add | . * 10 | round / 10' "$r")" \
		"$(jq -r '[.suites // [] | .[] | "\(.name) \(.duration_s * 10 | round / 10)"] | join(", ")' "$r")" \
		"$(jq -r .reason "$r" | cut -c1-160)"
}

printf '| run | verdict | seconds | phases s | suites (s each) | reason |\n|---|---|---|---|---|---|\n'
run smoke
run one-suite smoke-ok
run two-at-once smoke-ok smoke-advisory
echo
awk -v s="${total[smoke]}" -v o="${total[one-suite]}" -v t="${total[two-at-once]}" 'BEGIN {
	printf "smoke test %.1f s; one suite adds %.1f s (%.0f%% of the smoke test); ", s, o - s, (o - s) * 100 / s
	printf "a second suite run at once adds %.1f s more (%.0f%% of the first suite'"'"'s cost)\n", t - o, (t - o) * 100 / (o - s)
}'
