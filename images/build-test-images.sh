#!/bin/bash
# build-test-images.sh OUTDIR [MAKE_DESKTOP_PICTURE]
#
# Writes OUTDIR/smoketest-amd64-<variant>.iso for each variant: small
# debian-installer look-alike ISOs that install (or fail to install) a tiny
# busybox system, so smokegate can be tested against every outcome it must
# recognise without downloading real images. See images/installer/init for
# what each variant does.
#
# Built from files of the host's Debian packages (kernel, busybox-static,
# isolinux, syslinux-common, extlinux, e2fsprogs, fdisk,
# systemd-journal-remote) with cpio and xorriso only: no root-only tricks,
# no mounts, no network. MAKE_DESKTOP_PICTURE is the compiled
# make-desktop-picture (meson passes it); without it, cc builds one.
# Environment: SMOKETEST_KVER picks the kernel (default: newest installed),
# SOURCE_DATE_EPOCH fixes the date in /.disk/info.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/rootfs.sh"
. "$here/lib/iso.sh"

VARIANTS="good panic installer-error question hang no-boot no-desktop"

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 OUTDIR [MAKE_DESKTOP_PICTURE]" >&2; exit 2; }
outdir=$1
picture_tool=${2:-}

need cpio gzip tar xorriso ldd awk
if [ -z "${SMOKETEST_KVER:-}" ]; then
	SMOKETEST_KVER=$(cd /boot && ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
fi
kver=$SMOKETEST_KVER
[ -n "$kver" ] || die "no kernel in /boot (install linux-image-amd64)"
need_file "/boot/vmlinuz-$kver" "/lib/modules/$kver/modules.dep" /bin/busybox \
	/usr/lib/ISOLINUX/isolinux.bin /usr/lib/ISOLINUX/isohdpfx.bin \
	/usr/lib/syslinux/modules/bios/ldlinux.c32 /usr/lib/syslinux/mbr/mbr.bin \
	/usr/bin/extlinux /usr/sbin/sfdisk /usr/sbin/mke2fs /lib/systemd/systemd-journal-remote
date=$(date -u ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"} +%Y%m%d)

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM  # so the EXIT trap cleans up after ^C too

# --- the desktop picture the installed system shows --------------------
if [ -z "$picture_tool" ]; then
	need "${CC:-cc}"
	"${CC:-cc}" -O2 -o "$work/make-desktop-picture" "$here/make-desktop-picture.c"
	picture_tool=$work/make-desktop-picture
fi

# --- the installed system (payload on the CD) ----------------------------
sys=$work/system
rootfs_skeleton "$sys"
rootfs_busybox "$sys"
rootfs_binary "$sys" /lib/systemd/systemd-journal-remote
rootfs_modules "$sys" "$kver" bochs
cp -R "$here/system/etc" "$here/system/usr" "$sys/"
mkdir -p "$sys/boot" "$sys/var/log/journal" "$sys/var/lib/lightdm" "$sys/home" \
	"$sys/usr/share/smoketest"
"$picture_tool" 1024 768 "$sys/usr/share/smoketest/desktop-1024x768.bgra"

# Its initramfs: just enough to mount /dev/vda1.
sysinitrd=$work/system-initramfs
rootfs_skeleton "$sysinitrd"
rootfs_busybox "$sysinitrd"
rootfs_modules "$sysinitrd" "$kver" virtio_pci virtio_blk crc32c_generic ext4
install -m 0755 "$here/system/initramfs/init" "$sysinitrd/init"
rootfs_cpio "$sysinitrd" "$sys/boot/initrd.img"

mkdir -p "$work/pool"
tar -C "$sys" --numeric-owner --owner=0 --group=0 -czf "$work/pool/system.tar.gz" .

# --- the installer initrd, common part -----------------------------------
inst=$work/installer
rootfs_skeleton "$inst"
rootfs_busybox "$inst"
rootfs_binary "$inst" /usr/sbin/sfdisk /usr/sbin/mke2fs /usr/bin/extlinux
rootfs_modules "$inst" "$kver" virtio_pci virtio_blk ata_piix sr_mod isofs crc32c_generic ext4
mkdir -p "$inst/usr/lib/syslinux/mbr" "$inst/usr/lib/smoketest" "$inst/etc"
cp /usr/lib/syslinux/mbr/mbr.bin "$inst/usr/lib/syslinux/mbr/"
install -m 0755 "$here/installer/init" "$inst/init"
for f in log.sh debconf.sh configure.sh bootloader.sh; do
	install -m 0644 "$here/installer/$f" "$inst/usr/lib/smoketest/$f"
done
: >"$inst/etc/mtab"
rootfs_cpio "$inst" "$work/installer-common.gz"

# --- files every ISO shares ----------------------------------------------
common=$work/iso-common
mkdir -p "$common/isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin "$common/isolinux/"
for m in ldlinux.c32 menu.c32 libutil.c32 libcom32.c32; do
	cp "/usr/lib/syslinux/modules/bios/$m" "$common/isolinux/"
done
cp "$here/installer/isolinux.cfg" "$common/isolinux/"

# --- one ISO per variant ---------------------------------------------------
for variant in $VARIANTS; do
	v=$work/variant-$variant
	tree=$v/tree
	mkdir -p "$v/initrd/etc" "$tree/install.amd" "$tree/.disk" "$tree/pool"
	# The variant switch: a second cpio appended to the initrd, which the
	# kernel unpacks over the first one.
	printf '%s\n' "$variant" >"$v/initrd/etc/variant"
	rootfs_cpio "$v/initrd" "$v/variant.gz"
	cat "$work/installer-common.gz" "$v/variant.gz" >"$tree/install.amd/initrd.gz"
	ln -s "/boot/vmlinuz-$kver" "$tree/install.amd/vmlinuz"
	ln -s "$common/isolinux" "$tree/isolinux"
	ln -s "$work/pool/system.tar.gz" "$tree/pool/system.tar.gz"
	if [ "$variant" = no-desktop ]; then
		# The display manager is set up for a session that is not installed.
		mkdir -p "$v/overlay/etc/lightdm"
		sed 's/^autologin-session=.*/autologin-session=ubuntu/' \
			"$here/system/etc/lightdm/lightdm.conf" >"$v/overlay/etc/lightdm/lightdm.conf"
		tar -C "$v/overlay" --numeric-owner --owner=0 --group=0 -czf "$tree/pool/overlay.tar.gz" .
	fi
	# Like Debian's /.disk/info: one line, no newline at the end.
	printf 'Smokegate Test Image 1.0 "%s" - amd64 debian-installer (%s)' \
		"$variant" "$date" >"$tree/.disk/info"
	make_iso "$tree" "$outdir/smoketest-amd64-$variant.iso"
	msg "wrote $outdir/smoketest-amd64-$variant.iso"
done
