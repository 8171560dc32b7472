#!/bin/bash
# try-family.sh ISO WORKDIR [PLAN] - run a casper, subiquity or live test
# image by hand the way the harness does (try-image.sh does the
# debian-installer ones), with plain QEMU under TCG and no libvirt. The
# family comes from the ISO's layout; PLAN is "install" (default; then the
# installed disk is booted) or "live" (casper and live ISOs).
#   casper install: /casper/vmlinuz + /casper/initrd with the seed appended
#     as /preseed.cfg, boot=casper automatic-ubiquity noprompt file=...;
#   subiquity install: the same kernel and initrd, a second CD-ROM labelled
#     CIDATA (user-data, meta-data), autoinstall ds=nocloud;
#   live: boot=casper (or boot=live components) with journald forwarding,
#     the ISO as the only drive.
# Serial logs: WORKDIR/install.log, WORKDIR/boot.log, WORKDIR/live.log; the
# boot and live phases have a QEMU monitor on WORKDIR/monitor.sock
# (screendump FILE.ppm). Each phase stops when the guest powers off, or
# after TRY_TIMEOUT seconds (default 120). TRY_SEED / TRY_USER_DATA replace
# the testdata answers; TRY_CMDLINE replaces the kernel command line;
# TRY_NO_CIDATA=1 leaves the CIDATA volume out.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 ISO WORKDIR [install|live]" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
iso=$(realpath "$1")
work=$2
plan=${3:-install}
timeout=${TRY_TIMEOUT:-120}
mkdir -p "$work"
work=$(realpath "$work")

rm -f "$work/disk-info"
xorriso -osirrox on -indev "$iso" -extract /.disk/info "$work/disk-info" >/dev/null 2>&1 || true
info=$(cat "$work/disk-info" 2>/dev/null || true)
case $info in
*" ubiquity ("*) family=casper kdir=casper initrd=initrd ;;
*" subiquity ("*) family=subiquity kdir=casper initrd=initrd ;;
*" live ("*) family=live kdir=live initrd=initrd.img plan=live ;;
*) echo "$iso: not a casper, subiquity or live test image ($info)" >&2; exit 2 ;;
esac
echo "$iso: $info"
xorriso -osirrox on -indev "$iso" -extract "/$kdir/vmlinuz" "$work/vmlinuz" \
	-extract "/$kdir/$initrd" "$work/initrd" >/dev/null 2>&1

# elapsed START - seconds since START (date +%s.%N).
elapsed() { echo "$(date +%s.%N) - $1" | bc; }

# run_phase NAME QEMU-ARGS... - one QEMU run with its serial log and timing.
run_phase() {
	local name=$1 start rc=0
	shift
	start=$(date +%s.%N)
	timeout "$timeout" qemu-system-x86_64 -accel tcg -M pc -m 512 -smp 1 -vga std -display none \
		-no-reboot -serial "file:$work/$name.log" "$@" || rc=$?
	echo "$name phase: $(elapsed "$start") s, exit $rc (124 = timed out)"
}

if [ "$plan" = live ]; then
	if [ $family = casper ]; then
		cmdline='boot=casper console=tty0 console=ttyS0,115200 systemd.journald.forward_to_console=1'
	else
		cmdline='boot=live components console=tty0 console=ttyS0,115200 systemd.journald.forward_to_console=1'
	fi
	rm -f "$work/monitor.sock"
	run_phase live -kernel "$work/vmlinuz" -initrd "$work/initrd" -append "${TRY_CMDLINE:-$cmdline}" \
		-drive "file=$iso,media=cdrom,if=ide,index=1,readonly=on" \
		-monitor "unix:$work/monitor.sock,server,nowait"
	exit 0
fi

rm -f "$work/disk.qcow2"
qemu-img create -q -f qcow2 "$work/disk.qcow2" 1G
disk=(-drive "file=$work/disk.qcow2,if=virtio")
if [ $family = casper ]; then
	# The seed goes into the initrd, as virt-install --initrd-inject does.
	mkdir -p "$work/inject"
	cp "${TRY_SEED:-$here/testdata/smoketest-casper.seed}" "$work/inject/preseed.cfg"
	(cd "$work/inject" && echo preseed.cfg | cpio -o -H newc -R 0:0 --quiet | gzip -n) >"$work/inject.gz"
	cat "$work/initrd" "$work/inject.gz" >"$work/combined-initrd"
	cmdline='boot=casper automatic-ubiquity noprompt file=/preseed.cfg console=tty0 console=ttyS0,115200'
	extra=()
else
	# cloud-init's NoCloud seed: a small ISO labelled CIDATA.
	rm -rf "$work/cidata" && mkdir -p "$work/cidata"
	cp "${TRY_USER_DATA:-$here/testdata/smoketest-subiquity.yaml}" "$work/cidata/user-data"
	printf 'instance-id: smoketest\nlocal-hostname: smoketest\n' >"$work/cidata/meta-data"
	xorriso -as mkisofs -quiet -V CIDATA -J -R -o "$work/cidata.iso" "$work/cidata" 2>/dev/null
	cp "$work/initrd" "$work/combined-initrd"
	cmdline='autoinstall ds=nocloud console=tty0 console=ttyS0,115200'
	extra=()
	[ "${TRY_NO_CIDATA:-0}" = 1 ] ||
		extra=(-drive "file=$work/cidata.iso,media=cdrom,if=ide,index=2,readonly=on")
fi
run_phase install "${disk[@]}" -kernel "$work/vmlinuz" -initrd "$work/combined-initrd" \
	-append "${TRY_CMDLINE:-$cmdline}" \
	-drive "file=$iso,media=cdrom,if=ide,index=1,readonly=on" ${extra[@]+"${extra[@]}"}
[ "${TRY_INSTALL_ONLY:-0}" = 1 ] && exit 0

rm -f "$work/monitor.sock"
run_phase boot "${disk[@]}" -boot reboot-timeout=0 -monitor "unix:$work/monitor.sock,server,nowait"
