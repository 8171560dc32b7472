#!/bin/bash
# Runs every test image through `smokegate test` once and prints, per
# variant, the verdict, the reason, the wall-clock seconds and the fail-fast
# latency (seconds from the console line that showed the failure to the
# verdict written). Figures to report, not to assert.
# usage: bench/variants.sh [BUILD-DIR]
set -u
build=${1:-build}
smokegate=$(realpath "$build/harness/smokegate")
images=$(realpath "$build/images")
work=$(mktemp -d /tmp/smokegate-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
export SMOKEGATE_NO_PROGRESS=1

printf '| image | verdict | exit | seconds | fail-fast s | reason |\n|---|---|---|---|---|---|\n'
for iso in "$images"/*.iso; do
	name=$(basename "$iso" .iso)
	start=$(date +%s.%N)
	"$smokegate" test "$iso" --evidence "$work/$name" > /dev/null 2>&1
	status=$?
	end=$(date +%s.%N)
	result="$work/$name/result.json"
	printf '| %s | %s | %s | %.1f | %s | %s |\n' "$name" "$(jq -r .verdict "$result")" "$status" \
		"$(awk "BEGIN{print $end - $start}")" "$(jq -r '.fail_fast_s // "-" | if type == "number" then (. * 100 | round / 100) else . end' "$result")" \
		"$(jq -r .reason "$result" | cut -c1-140)"
done
