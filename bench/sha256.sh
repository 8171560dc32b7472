#!/bin/bash
# bench/sha256.sh [BUILD] [SIZE-MiB]: SHA-256 throughput of smokegate's image
# checksum (stage and test hash every image) against `openssl dgst -sha256`
# on the same file, in one run, warm page cache for both.
# Prints seconds and GiB/s for each and their ratio. Not asserted anywhere.
set -euo pipefail
build=${1:-build}
mib=${2:-1024}
here=$(cd "$(dirname "$0")/.." && pwd)
tool=$build/tests/sha256-file
[ -x "$tool" ] || { echo "build $tool first (meson compile -C $build)" >&2; exit 2; }
file=$(mktemp /tmp/sg-sha256-XXXXXX)
trap 'rm -f "$file"' EXIT
head -c $((mib * 1024 * 1024)) /dev/urandom > "$file"
cat "$file" > /dev/null # into the page cache for both contenders

calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
seconds() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); calc "$e - $s"; }
ours=$(seconds "$tool" "$file")
theirs=$(seconds openssl dgst -sha256 "$file")
[ "$("$tool" "$file")" = "$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)" ] || { echo "sums differ!" >&2; exit 1; }
printf 'file: %d MiB\n' "$mib"
printf 'smokegate (libcrypto): %.2f s, %.2f GiB/s\n' "$ours" "$(calc "$mib / 1024 / $ours")"
printf 'openssl dgst -sha256: %.2f s, %.2f GiB/s\n' "$theirs" "$(calc "$mib / 1024 / $theirs")"
printf 'ratio (openssl time / smokegate time): %.2f\n' "$(calc "$theirs / $ours")"
