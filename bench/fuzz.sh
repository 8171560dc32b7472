#!/bin/bash
# Runs every libFuzzer target (tests/fuzz) for SECONDS each on a copy of its
# committed corpus, and prints per target the executions, their rate, the
# crashes (0, or 1: libFuzzer stops at the first) and the crash file.
#   bench/fuzz.sh SECONDS [TARGET...]
# Builds BUILD (default build-fuzz; $SMOKEGATE_FUZZ_BUILD) with clang and
# -Dfuzzing=true first if needed. Crash files are kept in
# $SMOKEGATE_FUZZ_OUT (default /var/tmp/smokegate-fuzz/TARGET/). Exit 1 when
# any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:?usage: bench/fuzz.sh SECONDS [TARGET...]}
shift
build=${SMOKEGATE_FUZZ_BUILD:-build-fuzz}
out=${SMOKEGATE_FUZZ_OUT:-/var/tmp/smokegate-fuzz}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" -Dfuzzing=true >/dev/null
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	mapfile -t targets < <(ls tests/fuzz/corpus)
fi
ninja -C "$build" "${targets[@]/#/tests/fuzz/}" >/dev/null

# GLib's slice allocator hides use-after-free from ASan; the libraries'
# own leaks are suppressed narrowly (tests/sanitizers/lsan.supp).
export G_SLICE=always-malloc
export LSAN_OPTIONS=suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0
# Parsers that only read paths get their input as a file in a scratch
# folder: in memory, since rewriting a file on ext4 flushes it to the disk.
scratch=$(mktemp -d /dev/shm/smokegate-fuzz.XXXXXX 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
status=0
printf '%-32s %12s %10s %8s  %s\n' target executions 'exec/s' crashes 'crash file'
for t in "${targets[@]}"; do
	work="$out/$t"
	rm -rf "$work"
	mkdir -p "$work/corpus"
	cp tests/fuzz/corpus/"$t"/* "$work/corpus/"
	# Suppressing json-glib's leak needs whole allocation stacks (Debian's
	# GLib has no frame pointers): slower, so only where JSON is loaded.
	asan=
	case $t in fuzz-build-record | fuzz-status) asan=fast_unwind_on_malloc=0 ;; esac
	# Errors go to the log, one run per target; -print_final_stats gives
	# the executions. libFuzzer exits non-zero on a crash, leak or timeout.
	# Inputs stay under 8 KiB: a console recording of 25-77 KiB costs about
	# a second a run under ASan; the seeds' tails keep the dialogs in reach.
	ASAN_OPTIONS=$asan "$build/tests/fuzz/$t" "$work/corpus" -max_total_time="$seconds" \
		-max_len=8192 -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/" >"$work/log" 2>&1 || true
	execs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$work/log" | tail -1)
	crash=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -1 || true)
	crashes=0
	if [ -n "$crash" ]; then
		crashes=1
		status=1
	fi
	printf '%-32s %12s %10s %8s  %s\n' "$t" "${execs:-?}" "$(( ${execs:-0} / seconds ))" \
		"$crashes" "${crash:--}"
done
exit $status
