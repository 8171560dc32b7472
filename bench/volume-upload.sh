#!/bin/bash
# Uploading a 4 GiB sparse image to a second libvirt host on this machine
# (tests/vm/lab-host.sh: its own namespaces, qemu+tcp on loopback): the
# image put as a test puts it (sg_media_put_image, a sparse stream), against
# `virsh vol-upload --sparse` of the same file in the same run, and the
# second put of the same image, which the host's cache answers. Figures to
# report, not to assert.
# usage: bench/volume-upload.sh [BUILD-DIR] [SIZE-GIB] [DATA-MIB] [ADDR]
set -eu
build=${1:-build}
size=${2:-4}
data=${3:-1024}
addr=${4:-127.0.0.4}
here=$(cd "$(dirname "$0")" && pwd)
put=$(realpath "$build/guests/tests/sg-media-put")
source "$here/../tests/vm/lab-host.sh"

work=$(mktemp -d /var/tmp/smokegate-bench-XXXXXX)
name="bench-$$"
uri="qemu+tcp://$addr/system"
export SMOKEGATE_STATE_DIR="$work/state"
trap 'lab_host_stop "$name"; rm -rf "$work"' EXIT

# DATA-MIB of random data in 32 extents spread over the image, holes between.
image="$work/image.raw"
truncate -s "${size}G" "$image"
chunks=32
chunk_mib=$((data / chunks))
for i in $(seq 0 $((chunks - 1))); do
	dd if=/dev/urandom of="$image" bs=1M count="$chunk_mib" seek=$((i * size * 1024 / chunks)) \
		conv=notrunc status=none
done
sha=$(sha256sum "$image" | cut -d' ' -f1)
echo "image: ${size} GiB, $(du -m "$image" | cut -f1) MiB allocated"

lab_host_start "$name" "$addr" "$work"
sync

read -r _ sent first < <("$put" "$uri" "$image" "$sha")
echo "smokegate put (first, uploads):  ${first} s, $((sent / 1048576)) MiB sent"

t0=$(date +%s.%N)
virsh -q -c "$uri" vol-create-as smokegate bench-virsh "${size}G" --allocation 0 --format raw >/dev/null
virsh -q -c "$uri" vol-upload --sparse --pool smokegate bench-virsh "$image"
t1=$(date +%s.%N)
echo "virsh vol-upload --sparse:       $(awk "BEGIN{printf \"%.3f\", $t1 - $t0}") s"
virsh -q -c "$uri" vol-delete --pool smokegate bench-virsh >/dev/null

read -r _ sent second < <("$put" "$uri" "$image" "$sha")
echo "smokegate put (second, cached):  ${second} s, $((sent / 1048576)) MiB sent"
