#!/bin/bash
# try-image.sh ISO WORKDIR [SEED] - run one test image by hand the way the
# harness does, with plain QEMU under TCG and no libvirt:
#   install phase: direct kernel boot of the ISO's installer, the preseed
#   appended to its initrd as a second cpio (virt-install --initrd-inject),
#   a fresh 1 GiB virtio disk and the ISO as IDE CD-ROM;
#   boot phase: the disk alone, booted by SeaBIOS.
# Serial logs go to WORKDIR/install.log and WORKDIR/boot.log; the boot
# phase has a QEMU monitor on WORKDIR/monitor.sock (screendump FILE.ppm).
# Each phase stops when the guest powers off/reboots, or after
# TRY_TIMEOUT seconds (default 120), which is what a hang looks like here.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 ISO WORKDIR [SEED]" >&2; exit 2; }
iso=$(realpath "$1")
work=$2
seed=${3:-$(dirname "$0")/testdata/smoketest.seed}
timeout=${TRY_TIMEOUT:-120}
mkdir -p "$work"
work=$(realpath "$work")

xorriso -osirrox on -indev "$iso" -extract /install.amd/vmlinuz "$work/vmlinuz" \
	-extract /install.amd/initrd.gz "$work/initrd.gz" >/dev/null 2>&1
mkdir -p "$work/inject"
cp "$seed" "$work/inject/preseed.cfg"
(cd "$work/inject" && echo preseed.cfg | cpio -o -H newc -R 0:0 --quiet | gzip -n) >"$work/inject.gz"
cat "$work/initrd.gz" "$work/inject.gz" >"$work/combined-initrd.gz"
rm -f "$work/disk.qcow2"
qemu-img create -q -f qcow2 "$work/disk.qcow2" 1G

common=(-accel tcg -M pc -m 512 -smp 1 -vga std -display none -no-reboot
	-drive "file=$work/disk.qcow2,if=virtio")
start=$(date +%s.%N)
rc=0
timeout "$timeout" qemu-system-x86_64 "${common[@]}" -serial "file:$work/install.log" \
	-kernel "$work/vmlinuz" -initrd "$work/combined-initrd.gz" \
	-append 'auto=true priority=critical console=tty0 console=ttyS0,115200' \
	-cdrom "$iso" || rc=$?
echo "install phase: $(echo "$(date +%s.%N) - $start" | bc) s, exit $rc (124 = timed out)"
[ "${TRY_INSTALL_ONLY:-0}" = 1 ] && exit 0

start=$(date +%s.%N)
rc=0
timeout "$timeout" qemu-system-x86_64 "${common[@]}" -serial "file:$work/boot.log" -boot reboot-timeout=0 \
	-monitor "unix:$work/monitor.sock,server,nowait" || rc=$?
echo "boot phase: $(echo "$(date +%s.%N) - $start" | bc) s, exit $rc (124 = timed out)"
