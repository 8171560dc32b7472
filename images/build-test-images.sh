#!/bin/bash
# build-test-images.sh OUTDIR EFI_LOADERS [MAKE_DESKTOP_PICTURE]
#
# Writes OUTDIR/smoketest-amd64-<variant>.iso for each variant: small
# debian-installer look-alike ISOs that install (or fail to install) a tiny
# busybox system, so smokegate can be tested against every outcome it must
# recognise without downloading real images. See images/installer/init for
# what each variant does. Then the other installer families, each with a
# good and a failing variant:
#   smoketest-casper-amd64-{good,installer-error}.iso   ubiquity + casper live
#   smoketest-subiquity-amd64-{good,fail}.iso           subiquity autoinstall
#   smoketest-live-amd64-{good,no-desktop}.iso          Debian live, no installer
# and smoketest-netinst-amd64-good.iso: the good d-i install, but like
# Debian's netinst it needs a package mirror (installer/netcfg.sh).
# Every ISO boots as Debian's CDs do: isolinux under a BIOS, and under UEFI
# (Secure Boot too) Debian's signed shim and signed CD GRUB from its EFI El
# Torito image, with a GRUB menu in /boot/grub/grub.cfg (images/grub/).
# The live family also has the boot failures, each broken in one place:
#   smoketest-live-amd64-missing-kernel.iso   both menus name
#       /live/vmlinuz-6.1.0-99-amd64, which is not on the CD
#   smoketest-live-amd64-unsigned-grub.iso    shim starts an unsigned GRUB
#   smoketest-live-amd64-unsigned-loader.iso  the EFI loader is that GRUB
#   smoketest-live-amd64-no-efi.iso           no EFI El Torito entry
#
# Built from files of the host's Debian packages (kernel, busybox-static,
# isolinux, syslinux-common, extlinux, e2fsprogs, fdisk,
# systemd-journal-remote, squashfs-tools, dosfstools, mtools), of packages
# apt downloads without installing them (shim-signed,
# shim-helpers-amd64-signed, shim-unsigned, grub-efi-amd64-signed,
# efibootmgr: debian_package_files, kept in the fixture cache) and
# EFI_LOADERS, the folder efi/efi-loaders.sh writes (Debian's shim and
# GRUB), with cpio, mksquashfs, mkfs.msdos, mtools and xorriso only: no
# root-only tricks, no mounts. MAKE_DESKTOP_PICTURE is the compiled
# make-desktop-picture (meson passes it); without it, cc builds one.
# Environment: SMOKETEST_KVER picks the kernel (default: newest installed),
# SOURCE_DATE_EPOCH fixes the date in /.disk/info.
#
# SMOKETEST_ARCH=arm64 (test-images-arm64.sh) builds the same
# installers for an arm64 virt machine instead, from Debian's arm64
# packages, downloaded with an apt configuration of the recipe's own
# (lib/foreign-apt.sh), never installed: busybox-static, the
# linux-image-arm64 kernel (its modules indexed by the host's depmod),
# fdisk, e2fsprogs, dosfstools, efibootmgr, systemd-journal-remote and the
# libraries they need, shim-signed, shim-helpers-arm64-signed,
# grub-efi-arm64-signed. Only where the real installer has an arm64 CD:
#   smoketest-arm64-<variant>.iso              d-i (Debian's arm64 netinst)
#   smoketest-subiquity-arm64-{good,fail}.iso  Ubuntu's arm64 live-server
# UEFI only, laid out as debian-cd's boot-arm64 does (no isolinux: the EFI
# image is the one El Torito entry, Debian's shim as EFI/boot/bootaa64.efi,
# its signed CD GRUB as grubaa64.efi), the d-i kernel in /install.a64/.
# EFI_LOADERS is then "-": the loaders come from the same packages.
# Ubuntu's arm64 desktop has its new desktop installer, not ubiquity, and
# Debian publishes no arm64 live images: no casper or live ISOs for arm64.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/rootfs.sh"
. "$here/lib/iso.sh"
. "$here/lib/families.sh"
. "$here/lib/bootloader.sh"

VARIANTS="good panic installer-error question hang no-boot no-desktop"
CASPER_VARIANTS="good installer-error"
SUBIQUITY_VARIANTS="good fail"
LIVE_VARIANTS="good no-desktop missing-kernel unsigned-grub unsigned-loader no-efi"

[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 OUTDIR EFI_LOADERS [MAKE_DESKTOP_PICTURE]" >&2; exit 2; }
outdir=$1
picture_tool=${3:-}
arch=${SMOKETEST_ARCH:-amd64}

need cpio gzip tar xorriso readelf awk mksquashfs mkfs.msdos mmd mcopy apt-get apt-cache dpkg-deb
# The machine's pieces: the CD-ROM's drivers (IDE or SATA on a PC,
# virtio-scsi on a virt machine), the display's DRM driver (QEMU's std
# VGA, virtio-gpu) and d-i's folder on the CD.
case $arch in
amd64)
	loaders=$(realpath "$2")
	efi_loaders_check "$loaders"
	if [ -z "${SMOKETEST_KVER:-}" ]; then
		SMOKETEST_KVER=$(cd /boot && ls vmlinuz-* 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
	fi
	kver=$SMOKETEST_KVER
	[ -n "$kver" ] || die "no kernel in /boot (install linux-image-amd64)"
	need_file "/boot/vmlinuz-$kver" "/lib/modules/$kver/modules.dep" /bin/busybox \
		/usr/lib/ISOLINUX/isolinux.bin /usr/lib/ISOLINUX/isohdpfx.bin \
		/usr/lib/syslinux/modules/bios/ldlinux.c32 /usr/lib/syslinux/mbr/mbr.bin \
		/usr/bin/extlinux /usr/sbin/sfdisk /usr/sbin/mke2fs /usr/sbin/mkfs.fat \
		/lib/systemd/systemd-journal-remote
	cd_modules="ata_piix ahci" drm_module=bochs install_dir=install.amd grub_efi=x86_64-efi
	;;
arm64)
	. "$here/lib/foreign-apt.sh"
	need depmod strings
	need_file /bin/busybox /usr/lib/syslinux/mbr/mbr.bin
	EFI_ARCH=aa64
	cd_modules=virtio_scsi drm_module=virtio_gpu install_dir=install.a64 grub_efi=arm64-efi
	;;
*) die "SMOKETEST_ARCH=$arch: amd64 or arm64" ;;
esac
date=$(date -u ${SOURCE_DATE_EPOCH:+-d "@$SOURCE_DATE_EPOCH"} +%Y%m%d)

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM  # so the EXIT trap cleans up after ^C too

# --- arm64: Debian's arm64 packages, unpacked, the guests' pieces --------
if [ "$arch" = arm64 ]; then
	foreign_apt arm64 "$work/apt"
	ROOTFS_SOURCE=$work/arm64
	kpkg=$(apt-cache depends linux-image-arm64 | sed -n 's/^ *Depends: \(linux-image-[0-9].*\)/\1/p' | head -n 1)
	[ -n "$kpkg" ] || die "apt names no kernel package for linux-image-arm64"
	kver=${kpkg#linux-image-}
	debian_package_files "$ROOTFS_SOURCE" busybox-static libc6 "$kpkg" fdisk e2fsprogs dosfstools \
		systemd-journal-remote
	# The kernel package's postinst would run depmod; its modules.dep is
	# not in the package.
	depmod -b "$ROOTFS_SOURCE" "$kver" || die "depmod failed for $kver"
fi
vmlinuz=$ROOTFS_SOURCE/boot/vmlinuz-$kver

# --- the desktop picture the installed system shows --------------------
if [ -z "$picture_tool" ]; then
	need "${CC:-cc}"
	"${CC:-cc}" -O2 -o "$work/make-desktop-picture" "$here/make-desktop-picture.c"
	picture_tool=$work/make-desktop-picture
fi

# --- Debian's signed boot chain and efibootmgr, unpacked, not installed ---
efi=$work/efi-packages
debian_package_files "$efi" shim-signed "shim-helpers-$arch-signed" shim-unsigned \
	"grub-efi-$arch-signed" efibootmgr libefiboot1 libefivar1
if [ "$arch" = arm64 ]; then
	# The CD's loaders, as efi/efi-loaders.sh takes amd64's: shim, the
	# signed CD GRUB and the same GRUB unsigned.
	debian_package_files "$efi" grub-efi-arm64-bin
	loaders=$work/efi-loaders
	mkdir -p "$loaders"
	ln -s "$efi/usr/lib/shim/shimaa64.efi.signed" "$efi/usr/lib/grub/arm64-efi-signed/gcdaa64.efi.signed" \
		"$efi/usr/lib/grub/arm64-efi/monolithic/gcdaa64.efi" "$loaders/"
	efi_loaders_check "$loaders"
fi

# --- the installed system (payload on the CD) ----------------------------
sys=$work/system
rootfs_skeleton "$sys"
rootfs_busybox "$sys"
rootfs_binary "$sys" /lib/systemd/systemd-journal-remote
# virtio_console: the results port of the downstream suites
rootfs_modules "$sys" "$kver" "$drm_module" virtio_console
cp -R "$here/system/etc" "$here/system/usr" "$sys/"
mkdir -p "$sys/boot" "$sys/var/log/journal" "$sys/var/lib/lightdm" "$sys/home" \
	"$sys/usr/share/smoketest"
"$picture_tool" 1024 768 "$sys/usr/share/smoketest/desktop-1024x768.bgra"
# What shim-signed, shim-helpers-amd64-signed (with shim-unsigned, its
# dependency: the fallback's BOOTX64.CSV) and grub-efi-amd64-signed put on a
# system: grub-install copies them to the EFI system partition.
mkdir -p "$sys/usr/lib/shim" "$sys/usr/lib/grub/$grub_efi-signed"
cp "$efi/usr/lib/shim/shim$EFI_ARCH.efi.signed" "$efi/usr/lib/shim/mm$EFI_ARCH.efi.signed" \
	"$efi/usr/lib/shim/fb$EFI_ARCH.efi.signed" \
	"$efi/usr/lib/shim/BOOT$(echo "$EFI_ARCH" | tr a-z A-Z).CSV" "$sys/usr/lib/shim/"
cp "$efi/usr/lib/grub/$grub_efi-signed/grub$EFI_ARCH.efi.signed" "$sys/usr/lib/grub/$grub_efi-signed/"

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
rootfs_binary "$inst" /usr/sbin/sfdisk /usr/sbin/mke2fs /usr/sbin/mkfs.fat
# extlinux boots a PC from a BIOS; an arm64 machine has UEFI only.
[ "$arch" != amd64 ] || rootfs_binary "$inst" /usr/bin/extlinux
rootfs_binary_from "$inst" "$efi" /bin/efibootmgr
# loop and squashfs: ubiquity and curtin copy the live file system;
# cd_modules: the CD-ROM's (ahci: SATA on a q35 machine, as UEFI PC guests
# are; virtio_scsi on an arm64 virt machine); vfat, its
# code pages and efivarfs: the EFI system partition and the firmware's boot
# entries under UEFI; virtio_net: DHCP for url= and the netinst's mirror.
# shellcheck disable=SC2086 # a list of modules
rootfs_modules "$inst" "$kver" virtio_pci virtio_blk $cd_modules sr_mod isofs crc32c_generic ext4 \
	loop squashfs overlay vfat nls_cp437 nls_ascii efivarfs virtio_net
mkdir -p "$inst/usr/lib/syslinux/mbr" "$inst/usr/lib/smoketest" "$inst/etc/udhcpc"
cp /usr/lib/syslinux/mbr/mbr.bin "$inst/usr/lib/syslinux/mbr/"
install -m 0755 "$here/installer/init" "$inst/init"
install -m 0755 "$here/installer/udhcpc.script" "$inst/etc/udhcpc/default.script"
# d-i's aliases for command line keys (url=, hostname=, auto=, ...).
install -m 0644 "$here/installer/preseed_aliases" "$inst/etc/preseed_aliases"
# One installer for the three families: frontend-<family>.sh is its face.
for f in log.sh debconf.sh install.sh configure.sh identity.sh bootloader.sh media.sh \
	cloud-init.sh netcfg.sh preseed.sh frontend-debian-installer.sh frontend-casper.sh \
	frontend-subiquity.sh; do
	install -m 0644 "$here/installer/$f" "$inst/usr/lib/smoketest/$f"
done
# casper's initrd also boots the live session (without automatic-ubiquity).
install -m 0755 "$here/live/init" "$inst/usr/lib/smoketest/live-init"
: >"$inst/etc/mtab"
rootfs_cpio "$inst" "$work/installer-common.gz"

# --- files every ISO shares ----------------------------------------------
common=$work/iso-common
# The EFI El Torito images: Debian's signed shim and GRUB, and the two
# unsigned kinds of the live family's failures. The live ones carry
# live-build's small grub.cfg in the image; the others debian-cd's layout.
efi_image_of signed "$common/efi.img" "$loaders"
if [ "$arch" = amd64 ]; then
	isolinux_files "$common/isolinux"
	cp "$here/installer/isolinux.cfg" "$common/isolinux/"
	for kind in signed unsigned-grub unsigned-loader; do
		efi_image_of "$kind" "$common/efi-live-$kind.img" "$loaders" "$here/grub/live-efi-stub.cfg"
	done
	menu_file "$here/grub/debian-installer.cfg" "$common/grub-debian-installer.cfg" install=install.amd
	di_isolinux=$common/isolinux
else
	# UEFI only: no isolinux; d-i's own arm64 menu.
	menu_file "$here/grub/debian-installer-arm64.cfg" "$common/grub-debian-installer.cfg" \
		install=install.a64
	di_isolinux=
fi

# --- one ISO per variant ---------------------------------------------------
for variant in $VARIANTS; do
	v=$work/variant-$variant
	tree=$v/tree
	mkdir -p "$v/initrd/etc" "$tree/$install_dir" "$tree/.disk" "$tree/pool"
	# The variant switch: a second cpio appended to the initrd, which the
	# kernel unpacks over the first one.
	printf '%s\n' "$variant" >"$v/initrd/etc/variant"
	rootfs_cpio "$v/initrd" "$v/variant.gz"
	cat "$work/installer-common.gz" "$v/variant.gz" >"$tree/$install_dir/initrd.gz"
	ln -s "$vmlinuz" "$tree/$install_dir/vmlinuz"
	boot_tree "$tree" "$di_isolinux" "$common/grub-debian-installer.cfg" "$common/efi.img"
	ln -s "$work/pool/system.tar.gz" "$tree/pool/system.tar.gz"
	if [ "$variant" = no-desktop ]; then
		# The display manager is set up for a session that is not installed.
		mkdir -p "$v/overlay/etc/lightdm"
		sed 's/^autologin-session=.*/autologin-session=ubuntu/' \
			"$here/system/etc/lightdm/lightdm.conf" >"$v/overlay/etc/lightdm/lightdm.conf"
		tar -C "$v/overlay" --numeric-owner --owner=0 --group=0 -czf "$tree/pool/overlay.tar.gz" .
	fi
	# Like Debian's /.disk/info: one line, no newline at the end.
	printf 'Smokegate Test Image 1.0 "%s" - %s debian-installer (%s)' \
		"$variant" "$arch" "$date" >"$tree/.disk/info"
	make_iso "$tree" "$outdir/smoketest-$arch-$variant.iso" "SMOKETEST_${arch^^}"
	msg "wrote $outdir/smoketest-$arch-$variant.iso"
done

# --- the live file system: the same system as the installed one ----------
# casper and live-boot mount it; ubiquity and curtin copy it to the disk.
# The live sessions boot with the harness's command line (no video=), so
# the framebuffer has bochs' default size: they get a picture for it too.
livefs=$work/live-filesystem
cp -al "$sys" "$livefs"
"$picture_tool" 1280 800 "$livefs/usr/share/smoketest/desktop-1280x800.bgra"
make_squashfs "$livefs" "$work/filesystem.squashfs"
# no-desktop: lightdm set up for a session that is not installed, as above.
cp -al "$livefs" "$work/system-no-desktop"
rm "$work/system-no-desktop/etc/lightdm/lightdm.conf"
sed 's/^autologin-session=.*/autologin-session=ubuntu/' "$here/system/etc/lightdm/lightdm.conf" \
	>"$work/system-no-desktop/etc/lightdm/lightdm.conf"
make_squashfs "$work/system-no-desktop" "$work/filesystem-no-desktop.squashfs"
# fail (subiquity): a squashfs cut short, like a bad download, so curtin's
# extract step fails for real.
head -c 65536 "$work/filesystem.squashfs" >"$work/filesystem-truncated.squashfs"

# --- subiquity: autoinstall from a CIDATA volume ---------------------------
isolinux=
[ "$arch" = arm64 ] || isolinux=$(isolinux_dir subiquity "$here/isolinux/subiquity.cfg")
menu_file "$here/grub/subiquity.cfg" "$work/grub-subiquity.cfg"
for variant in $SUBIQUITY_VARIANTS; do
	tree=$work/subiquity-$variant/tree
	mkdir -p "$tree/casper"
	variant_initrd "$work/installer-common.gz" subiquity "$variant" "$tree/casper/initrd"
	ln -s "$vmlinuz" "$tree/casper/vmlinuz"
	squashfs=$work/filesystem.squashfs
	[ "$variant" = fail ] && squashfs=$work/filesystem-truncated.squashfs
	ln -s "$squashfs" "$tree/casper/filesystem.squashfs"
	boot_tree "$tree" "$isolinux" "$work/grub-subiquity.cfg" "$common/efi.img"
	disk_info "$tree" "Smokegate Test Ubuntu Server 1.0 \"$variant\" - $arch subiquity ($date)"
	make_iso "$tree" "$outdir/smoketest-subiquity-$arch-$variant.iso" SMOKETEST_SUBIQUITY
	msg "wrote $outdir/smoketest-subiquity-$arch-$variant.iso"
done

# --- amd64 only from here: no arm64 ubiquity (Ubuntu's arm64 desktop has
# its new installer) or Debian live image, and the netinst is amd64's.
[ "$arch" = amd64 ] || exit 0

# --- netinst: the good install, but it needs a package mirror ------------
# Its own initrd: the common one with /etc/variant good and /etc/media netinst.
netinst=$work/installer-netinst
cp -a "$inst" "$netinst"
printf 'good\n' >"$netinst/etc/variant"
printf 'netinst\n' >"$netinst/etc/media"
tree=$work/netinst-good/tree
mkdir -p "$tree/install.amd" "$tree/pool"
rootfs_cpio "$netinst" "$tree/install.amd/initrd.gz"
ln -s "$vmlinuz" "$tree/install.amd/vmlinuz"
boot_tree "$tree" "$common/isolinux" "$common/grub-debian-installer.cfg" "$common/efi.img"
ln -s "$work/pool/system.tar.gz" "$tree/pool/system.tar.gz"
disk_info "$tree" "Smokegate Test Netinst 1.0 \"good\" - amd64 debian-installer ($date)"
make_iso "$tree" "$outdir/smoketest-netinst-amd64-good.iso" SMOKETEST_NETINST
msg "wrote $outdir/smoketest-netinst-amd64-good.iso"

# --- the live-only initrd: live-boot, no installer -------------------------
liveinit=$work/live-initrd
rootfs_skeleton "$liveinit"
rootfs_busybox "$liveinit"
rootfs_modules "$liveinit" "$kver" ata_piix ahci sr_mod isofs loop squashfs overlay
mkdir -p "$liveinit/usr/lib/smoketest"
install -m 0755 "$here/live/init" "$liveinit/init"
for f in media.sh identity.sh; do
	install -m 0644 "$here/installer/$f" "$liveinit/usr/lib/smoketest/$f"
done
rootfs_cpio "$liveinit" "$work/live-initrd.gz"

# --- casper: ubiquity installs, or the live session runs -------------------
isolinux=$(isolinux_dir casper "$here/isolinux/casper.cfg")
menu_file "$here/grub/casper.cfg" "$work/grub-casper.cfg"
for variant in $CASPER_VARIANTS; do
	tree=$work/casper-$variant/tree
	mkdir -p "$tree/casper" "$tree/preseed"
	variant_initrd "$work/installer-common.gz" casper "$variant" "$tree/casper/initrd"
	ln -s "$vmlinuz" "$tree/casper/vmlinuz"
	ln -s "$work/filesystem.squashfs" "$tree/casper/filesystem.squashfs"
	boot_tree "$tree" "$isolinux" "$work/grub-casper.cfg" "$common/efi.img"
	# For the boot menu's automatic install (file=/cdrom/preseed/...).
	cp "$here/testdata/smoketest-casper.seed" "$tree/preseed/smoketest.seed"
	disk_info "$tree" "Smokegate Test Ubuntu 1.0 \"$variant\" - amd64 ubiquity ($date)"
	make_iso "$tree" "$outdir/smoketest-casper-amd64-$variant.iso" SMOKETEST_CASPER
	msg "wrote $outdir/smoketest-casper-amd64-$variant.iso"
done

# --- live: a Debian live session, nothing to install -----------------------
# Its boot failures differ from good only in their boot loaders.
for variant in $LIVE_VARIANTS; do
	tree=$work/live-$variant/tree
	mkdir -p "$tree/live"
	ln -s "$work/live-initrd.gz" "$tree/live/initrd.img"
	ln -s "$vmlinuz" "$tree/live/vmlinuz"
	squashfs=$work/filesystem.squashfs
	[ "$variant" = no-desktop ] && squashfs=$work/filesystem-no-desktop.squashfs
	ln -s "$squashfs" "$tree/live/filesystem.squashfs"
	kernel=vmlinuz efi=$common/efi-live-signed.img
	case $variant in
	missing-kernel) kernel=vmlinuz-6.1.0-99-amd64 ;;
	unsigned-grub | unsigned-loader) efi=$common/efi-live-$variant.img ;;
	no-efi) efi= ;;
	esac
	isolinux=$(isolinux_dir "live-$variant" "$here/isolinux/live.cfg" kernel="$kernel")
	menu_file "$here/grub/live.cfg" "$work/live-$variant/grub.cfg" kernel="$kernel"
	boot_tree "$tree" "$isolinux" "$work/live-$variant/grub.cfg" "$efi"
	disk_info "$tree" "Smokegate Test Debian Live 1.0 \"$variant\" - amd64 live ($date)"
	make_iso "$tree" "$outdir/smoketest-live-amd64-$variant.iso" SMOKETEST_LIVE
	msg "wrote $outdir/smoketest-live-amd64-$variant.iso"
done
