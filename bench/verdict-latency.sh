#!/bin/bash
# bench/verdict-latency.sh [BUILD-DIR]: how soon a failing image's verdict
# is on disk, and how long the teardown takes after it. Runs, RUNS times
# each (default 5), the test images that fail at once (a kernel panic, an
# installer error dialog) and Debian's real debian-installer stopped at its
# "[!!] Configure the network" question (the seed leaves out the name
# servers; tests/vm/real-di.sh runs the same), and prints per image the
# median, min and max of:
#   verdict: seconds from the failing console line to result.json written
#            (the run's own fail_fast_s; for a dialog it includes the few
#            seconds a dialog must stay unchanged to count as a question);
#   exit:    seconds from result.json first on disk (seen by polling every
#            10 ms) to the process's exit, every guest and volume gone.
# Works on any build of smokegate: run it on the old one and the new one.
# CASES picks cases (default "panic installer-error real-di-question");
# with SMOKEGATE_VM_LOCK=FILE each run holds that lock (flock) while it
# runs, so runs of other people's VM tests on a shared machine interleave.
# Figures to report, not to assert; a quiet machine gives comparable ones.
set -u
build=$(realpath "${1:-build}")
runs=${RUNS:-5}
cases=${CASES:-panic installer-error real-di-question}
src=$(realpath "$(dirname "$0")/..")
smokegate=$build/harness/smokegate
images=$build/images
. "$src/tests/vm/lib.sh"
make_workdir
export LIBGUESTFS_BACKEND=direct

# The real d-i wants its mirror to answer: a nginx on loopback serving an
# empty folder, as tests/vm/real-di.sh gives it.
mkdir -p "$workdir/flavours" "$workdir/www/debian"
if [[ " $cases " == *" real-di-question "* ]]; then
	start_nginx || { echo "nginx is not installed (Debian package nginx-light)" >&2; exit 2; }
	trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$workdir"' EXIT
	sed "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" "$src/guests/flavours/debian-netinst.conf" \
		> "$workdir/flavours/debian-netinst.conf"
fi

# One run of case $1 into $2 (its evidence folder); prints "VERDICT EXIT"
# seconds, or "- -" when it gave no failing verdict.
run_once() {
	local name=$1 evidence=$2 args pid start written="" now
	case $name in
	panic | installer-error)
		args=(test "$images/smoketest-amd64-$name.iso") ;;
	real-di-question)
		args=(test "$images/smoketest-real-di-amd64-netinst.iso" --flavours-dir "$workdir/flavours"
			--flavour debian-netinst --answers "$src/images/testdata/real-di-no-nameservers.seed") ;;
	esac
	args+=(--evidence "$evidence")
	if [ -n "${SMOKEGATE_VM_LOCK:-}" ]; then
		flock "$SMOKEGATE_VM_LOCK" "$smokegate" "${args[@]}" > "$evidence.out" 2>&1 &
	else
		"$smokegate" "${args[@]}" > "$evidence.out" 2>&1 &
	fi
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$written" ] && [ -e "$evidence/result.json" ]; then
			written=$(date +%s.%N)
		fi
		sleep 0.01
	done
	now=$(date +%s.%N)
	wait "$pid"
	[ -z "$written" ] && written=$now
	if [ "$(jq -r .verdict "$evidence/result.json" 2>/dev/null)" != fail ]; then
		echo "# $name: no fail: $(cat "$evidence.out")" >&2
		echo "- -"
		return
	fi
	echo "$(jq -r '.fail_fast_s // "-"' "$evidence/result.json") $(awk -v a="$written" -v b="$now" 'BEGIN { printf "%.3f", b - a }')"
}

# median, min and max of the numbers on stdin ("-" when none).
stats() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- | - | -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f | %.3f | %.3f\n", m, v[1], v[NR] }'
}

echo "# $smokegate, $runs runs each, $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| case | runs | verdict s median | min | max | exit after verdict s median | min | max |\n'
printf '|---|---|---|---|---|---|---|---|\n'
for name in $cases; do
	: > "$workdir/$name.figures"
	for i in $(seq 1 "$runs"); do
		figures=$(run_once "$name" "$workdir/$name-$i")
		echo "# $name run $i: verdict ${figures% *} s, exit ${figures#* } s after it" >&2
		[ "$figures" != "- -" ] && echo "$figures" >> "$workdir/$name.figures"
	done
	printf '| %s | %s | %s | %s |\n' "$name" "$(wc -l < "$workdir/$name.figures")" \
		"$(cut -d' ' -f1 "$workdir/$name.figures" | grep -v '^-$' | stats)" \
		"$(cut -d' ' -f2 "$workdir/$name.figures" | stats)"
done
