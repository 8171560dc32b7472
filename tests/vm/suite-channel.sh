#!/bin/bash
# The guest side of a downstream suite on a real virtio-serial port: a
# Debian kernel with a busybox initramfs holding guests/suites/lib and a
# small suite boots under QEMU (TCG); lib/run-suite runs the suite with the
# port's reader absent, and a reader that connects only after the suite has
# finished still gets its whole TAP from the first line, the same as the
# fallback file in the guest.
# usage: suite-channel.sh SUITES_DIR
. "$(dirname "$0")/lib.sh"

suites=$(realpath "$1")
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
version=${kernel#/boot/vmlinuz-}
modules=/usr/lib/modules/$version/kernel
busybox=$(command -v busybox)
if [ -z "$kernel" ] || [ ! -d "$modules" ] || [ -z "$busybox" ] || ! command -v socat >/dev/null; then
	echo "1..0 # SKIP needs a kernel in /boot with its modules, busybox and socat"
	exit 0
fi
make_workdir
root=$workdir/root
mkdir -p "$root"/{bin,proc,sys,dev,mods,tmp,var/log,var/lib/smokegate}
cp "$busybox" "$root/bin/busybox"
# virtio_ring first: the others need its symbols
for m in virtio/virtio_ring virtio/virtio virtio/virtio_pci_legacy_dev \
	virtio/virtio_pci_modern_dev virtio/virtio_pci char/virtio_console; do
	cp "$modules/drivers/$m.ko"* "$root/mods/" 2>/dev/null
done
cp -r "$suites" "$root/var/lib/smokegate/suites"
probe=$root/var/lib/smokegate/suites/channel-probe
mkdir -p "$probe"
cat >"$probe/suite.conf" <<'CONF'
[Suite]
RunAs=root
Command=run.sh
CONF
cat >"$probe/run.sh" <<'RUN'
#!/bin/sh
. "${0%/*}/../lib/tap.sh"
tap_plan 3
tap_check "the port's name is in sysfs" grep -qx org.smokegate.results.0 /sys/class/virtio-ports/vport0p1/name
tap_check "a check that fails says why" sh -c 'echo "home is read-only: <&>"; exit 1'
tap_skip "a check with nothing to check" "not on this image"
tap_done
RUN
chmod +x "$probe/run.sh"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_console; do
	insmod /mods/$m.ko* || echo "insmod $m failed"
done
# what the default udev rules do: /dev/virtio-ports/NAME
for port in /sys/class/virtio-ports/*; do
	mkdir -p /dev/virtio-ports
	ln -s "/dev/${port##*/}" "/dev/virtio-ports/$(cat "$port/name")"
done
sh /var/lib/smokegate/suites/lib/run-suite channel-probe &
for _ in $(seq 1 60); do
	grep -q "^ok 3" /var/log/smokegate/channel-probe.tap 2>/dev/null && break
	sleep 1
done
echo "SUITE-DONE"
echo "FILE-BEGIN"; cat /var/log/smokegate/channel-probe.tap; echo "FILE-END"
sleep 600
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) >"$workdir/initrd.gz"

qemu-system-x86_64 -accel tcg -m 512 -display none -no-reboot -nic none -monitor none \
	-serial "file:$workdir/serial.log" -kernel "$kernel" -initrd "$workdir/initrd.gz" \
	-append "console=ttyS0 quiet rdinit=/init panic=-1" \
	-chardev "socket,id=results,path=$workdir/results.sock,server=on,wait=off" \
	-device virtio-serial-pci -device virtserialport,chardev=results,name=org.smokegate.results.0 \
	-pidfile "$workdir/qemu.pid" &
qemu=$!
trap 'kill "$qemu" 2>/dev/null; wait "$qemu" 2>/dev/null; rm -rf "$workdir"' EXIT

for _ in $(seq 1 240); do
	grep -q FILE-END "$workdir/serial.log" 2>/dev/null && break
	sleep 1
done
check "the suite ran to its end in the guest" grep -q SUITE-DONE "$workdir/serial.log"
# only now does the reader come: everything written before must wait for it
timeout 20 socat -u "UNIX-CONNECT:$workdir/results.sock" - >"$workdir/port.tap" &
reader=$!
for _ in $(seq 1 20); do
	grep -q "^ok 3" "$workdir/port.tap" 2>/dev/null && break
	sleep 1
done
kill "$reader" 2>/dev/null
wait "$reader" 2>/dev/null
sed -n '/^FILE-BEGIN/,/^FILE-END/p' "$workdir/serial.log" | tr -d '\r' | sed '1d;$d' >"$workdir/file.tap"
check "the late reader got the TAP from its first line" test "$(head -n 2 "$workdir/port.tap")" = "$(printf 'TAP version 13\n1..3')"
check "the port's TAP is the fallback file's" cmp -s "$workdir/port.tap" "$workdir/file.tap"
check "sysfs names the port (the udev rule's attribute)" grep -q "^ok 1 " "$workdir/port.tap"
check "a failure's diagnostics came through" grep -qx "# home is read-only: <&>" "$workdir/port.tap"
check "the skip came through" grep -q "^ok 3 - a check with nothing to check # SKIP not on this image" "$workdir/port.tap"
kill "$qemu" 2>/dev/null
wait "$qemu" 2>/dev/null
check "no QEMU process left" test -z "$(pgrep -f -- "$workdir" || true)"
finish
