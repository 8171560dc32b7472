#!/bin/bash
# bench/overlap.sh [BUILD-DIR] [ROUNDS]: the good test image's verdict time
# with the installed disk's base read while its guest boots (the default)
# and read after the boot as before (SMOKEGATE_INSPECT_AFTER_BOOT=1, which
# exists for this comparison), in the same bench run, ROUNDS (default 1)
# times each, alternating. Prints each run's phase seconds (result.json),
# its verdict time, how long the base read took and how much of it ran
# while the guest booted (smokegate's debug log), and the libguestfs
# appliance start under TCG alone (`guestfish -a /dev/null run`, timed
# after one warm-up that builds the appliance cache). Not asserted. The
# machine's load average is printed too: TCG figures follow it.
# OVERLAP_KEEP=1 keeps the evidence and logs (the folder is printed).
set -u
build=${1:-build}
rounds=${2:-1}
smokegate=$(realpath "$build/harness/smokegate")
iso=$(realpath "$build/images/smoketest-amd64-good.iso")
work=$(mktemp -d /tmp/smokegate-bench-XXXXXX)
[ -n "${OVERLAP_KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
export SMOKEGATE_NO_PROGRESS=1 LIBGUESTFS_BACKEND=direct
export SMOKEGATE_STATE_DIR="$work/state"

appliance() {
	LIBGUESTFS_BACKEND_SETTINGS=force_tcg guestfish -a /dev/null run > /dev/null 2>&1
}
appliance
start=$(date +%s.%N)
appliance
appliance_s=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')

# NAME, then the environment of the run
row() {
	local name=$1 log="$work/$1.log" result="$work/$1/result.json" base wait hidden
	shift
	env "$@" G_MESSAGES_DEBUG=smokegate "$smokegate" test "$iso" --evidence "$work/$name" \
		> "$log" 2>&1
	base=$(sed -n 's/.*inspect: the base read took \([0-9.]*\) s.*/\1/p' "$log")
	wait=$(sed -n 's/.*inspect: waited \([0-9.]*\) s for the base read.*/\1/p' "$log")
	hidden=$(sed -n 's/.*; \([0-9.]*\) s of it ran while the guest booted.*/\1/p' "$log")
	jq -r --arg n "$name" --arg base "${base:--}" --arg wait "${wait:--}" \
		--arg hidden "${hidden:--}" '
		def s: . * 10 | round / 10;
		def phase($p): [.phases[] | select(.name == $p) | .duration_s | s] | first // "-";
		"| \($n) | \(.verdict) | \(phase("install")) | \(phase("boot")) | \(phase("inspect")) | \(.duration_s | s) | \($base) | \($wait) | \($hidden) |"' \
		"$result"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "libguestfs appliance start under TCG (guestfish -a /dev/null run): $appliance_s s"
echo
echo "| run | verdict | install s | boot s | inspect s | verdict s | base read s | waited for it after the boot s | of it while booting s |"
echo "|---|---|---|---|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
	row "after-boot-$round" SMOKEGATE_INSPECT_AFTER_BOOT=1
	row "overlap-$round"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${OVERLAP_KEEP:-}" ] && echo "evidence and logs kept in $work"
echo "(the overlapped run's base read starts its appliance while the guest boots: of the" \
	"appliance's $appliance_s s alone, up to 'of it while booting' is hidden; the" \
	"after-boot run's inspect phase pays it whole)"
