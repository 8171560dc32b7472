#!/bin/bash
# How long staging a large image takes when it is hard-linked (same
# filesystem) and when it must be copied (another filesystem), including
# the SHA-256 both need. Figures to report, not to assert.
# usage: bench/stage-link-vs-copy.sh [BUILD-DIR] [SIZE-GIB] [OTHER-FS-DIR]
set -eu
build=${1:-build}
size=${2:-4}
other=${3:-/dev/shm}
smokegate=$(realpath "$build/harness/smokegate")
work=$(mktemp -d /tmp/smokegate-bench-XXXXXX)
trap 'rm -rf "$work" "$other/smokegate-bench.iso"' EXIT

head -c "${size}G" /dev/urandom > "$work/big.iso" 2>/dev/null || dd if=/dev/urandom of="$work/big.iso" bs=1M count=$((size * 1024)) status=none
mkdir -p "$work/tree"
sync
t0=$(date +%s.%N)
"$smokegate" stage --tree "$work/tree" --flavour bench --image-type link "$work/big.iso" > /dev/null
t1=$(date +%s.%N)
cp "$work/big.iso" "$other/smokegate-bench.iso"
rm "$work/big.iso"
sync
t2=$(date +%s.%N)
"$smokegate" stage --tree "$work/tree" --flavour bench --image-type copy "$other/smokegate-bench.iso" > /dev/null
t3=$(date +%s.%N)
echo "staging a ${size} GiB image: by hard link $(awk "BEGIN{print $t1 - $t0}") s, by copy from $other $(awk "BEGIN{print $t3 - $t2}") s"
grep -ho '"why" : "[a-z-]*' "$work/tree"/bench/*/*/smokegate.json | sed 's/"why" : "/  method: /'
