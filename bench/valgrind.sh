#!/bin/bash
# `smokegate test` on the good smoketest image with the harness under
# valgrind's memcheck (the harness process only: QEMU runs outside it,
# --trace-children=no). Prints the verdict, the time, memcheck's error count
# and the definite leaks; exit 1 when there are errors or definite leaks.
#   bench/valgrind.sh [ISO]    (default: build/images/smoketest-amd64-good.iso)
# Builds a plain build in $SMOKEGATE_VALGRIND_BUILD (default build-valgrind)
# with only the smokegate program (ASan builds cannot run under valgrind).
# The log stays in $SMOKEGATE_VALGRIND_OUT (default /var/tmp/smokegate-valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
iso=$(realpath "${1:-build/images/smoketest-amd64-good.iso}")
build=${SMOKEGATE_VALGRIND_BUILD:-build-valgrind}
out=${SMOKEGATE_VALGRIND_OUT:-/var/tmp/smokegate-valgrind}

command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" harness/smokegate >/dev/null
rm -rf "$out"
mkdir -p "$out"

# GLib's slice allocator and its caches would read as leaks or hide them.
export G_SLICE=always-malloc G_DEBUG=gc-friendly
# Set, smokegate does not start itself again through /proc/self/exe to quiet
# libvirt's log (harness/cli/main.c): under valgrind that is valgrind's own
# tool binary, which refuses to run.
export LIBVIRT_LOG_OUTPUTS=${LIBVIRT_LOG_OUTPUTS:-4:file:/dev/null}
started=$(date +%s)
status=0
# libvirt and libguestfs fork helpers that exit without exec: their memory
# is not the harness's (--child-silent-after-fork).
valgrind --tool=memcheck --trace-children=no --child-silent-after-fork=yes \
	--suppressions=tests/sanitizers/valgrind.supp --leak-check=full \
	--show-leak-kinds=definite --errors-for-leak-kinds=definite --num-callers=30 \
	--log-file="$out/memcheck.log" \
	"$build/harness/smokegate" test "$iso" --evidence "$out/evidence" \
	>"$out/stdout" 2>"$out/stderr" || status=$?
seconds=$(($(date +%s) - started))

# The harness's own lines: the first process in the log.
pid=$(sed -n '1s/^==\([0-9]*\)==.*/\1/p' "$out/memcheck.log")
errors=$(sed -n "s/^==$pid==.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p" "$out/memcheck.log" | tr -d ,)
definite=$(sed -n "s/^==$pid==.*definitely lost: \(.*\)$/\1/p" "$out/memcheck.log")
suppressed=$(sed -n "s/^==$pid==.*ERROR SUMMARY: .*(suppressed: \([0-9,]*\) from.*/\1/p" "$out/memcheck.log")
echo "verdict:        $(cat "$out/stdout") (exit $status, ${seconds} s under valgrind)"
echo "memcheck errors: ${errors:-?} (${suppressed:-0} suppressed: tests/sanitizers/valgrind.supp)"
echo "definite leaks:  ${definite:-0 bytes in 0 blocks}"
echo "log:            $out/memcheck.log"
[ "${errors:-1}" = 0 ] && [ -z "$definite" -o "${definite%% *}" = 0 ]
