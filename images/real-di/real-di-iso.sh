#!/bin/bash
# real-di-iso.sh OUTDIR EFI_LOADERS [DI_IMAGES]
#
# Debian's REAL debian-installer (the kernel and initrd.gz of Debian's
# netboot packages, copied untouched) laid out like a Debian 12 netinst CD:
#
#   smoketest-real-di-amd64-netinst.iso   debian-installer-12-netboot-amd64
#     /install.amd/vmlinuz, /install.amd/initrd.gz   the real d-i, byte for byte
#     /.disk/info     Debian GNU/Linux 12.N.0 "Bookworm" - Official amd64 NETINST with firmware DATE
#     volume id       Debian 12.N.0 amd64 n
#     /isolinux/      isolinux boots the CD under a BIOS (El Torito, and
#                     isohybrid for a disk)
#     /boot/grub/     under UEFI (Secure Boot too): Debian's signed shim and
#                     signed CD GRUB (EFI_LOADERS, the folder
#                     ../efi/efi-loaders.sh writes) in the EFI El Torito
#                     image boot/grub/efi.img, and d-i's GRUB menu
#   smoketest-real-di-i386-netinst.iso    debian-installer-12-netboot-i386
#     the same for i386: /install.386/, "Official i386 NETINST", volume id
#     "Debian 12.N.0 i386 n"; BIOS only (Debian's i386 CD also carries
#     32-bit UEFI loaders, which an x86-64 UEFI cannot start).
#
# N and DATE come from the package: its "Installer build: 20230607+deb12uN"
# (point release 12.N ships d-i +deb12uN) and the initrd's date. So
# smokegate's shipped debian-netinst profile recognises them as it would
# Debian's own netinst.
#
# What is NOT there, unlike Debian's CD: /pool/ and /dists/ with the udebs
# and the base system. The netboot initrd does not look for them: it takes
# the network and fetches every further installer component (partitioner,
# debootstrap, ...) from the mirror the answer file names. Without a mirror
# the real installer stops at a real dialog; that is what the tests use.
#
# DI_IMAGES: the amd64 package's "text" folder (default
# /usr/lib/debian-installer/images/12/amd64/text, the installed package).
# The i386 package is taken with `apt-get download` and unpacked here
# (Architecture: all, never installed): current package lists and the
# Debian mirror. No mounts, no root: xorriso writes the ISOs from plain
# folders. Wrap it with ../cached-fixture.sh so a machine builds them once
# (the cache names its entries after the recipe's file name and drops other
# entries starting with it: so a name no other recipe begins with).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/common.sh"
. "$here/lib/bootloader.sh"
. "$here/lib/iso.sh"
. "$here/lib/di-release.sh"

[ $# -ge 2 ] && [ $# -le 3 ] || { echo "usage: $0 OUTDIR EFI_LOADERS [DI_IMAGES]" >&2; exit 2; }
outdir=$1
loaders=$(realpath "$2")
di_amd64=${3:-/usr/lib/debian-installer/images/12/amd64/text}

need xorriso apt-get dpkg-deb mkfs.msdos mmd mcopy
efi_loaders_check "$loaders"
need_file /usr/lib/ISOLINUX/isolinux.bin /usr/lib/ISOLINUX/isohdpfx.bin \
	/usr/lib/syslinux/modules/bios/ldlinux.c32 /usr/lib/syslinux/modules/bios/menu.c32 \
	/usr/lib/syslinux/modules/bios/libutil.c32

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# The i386 netboot package, unpacked (as root apt-get would drop to the _apt
# user, who cannot write to this private folder).
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
(cd "$work" && apt-get download -q "${sandbox[@]}" debian-installer-12-netboot-i386) \
	>"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log" >&2; die "apt-get download debian-installer-12-netboot-i386 failed (apt-get update first?)"; }
dpkg-deb -x "$work"/debian-installer-12-netboot-i386_*.deb "$work/i386-package"
di_i386=$work/i386-package/usr/lib/debian-installer/images/12/i386/text

# netinst ARCH DI_IMAGES INSTALLDIR EFI - one netinst-like ISO; EFI is yes
# for Debian's UEFI boot (amd64), no for BIOS only.
netinst() {
	local arch=$1 di=$2 install=$3 efi=$4 tree=$work/tree-$1 kernel initrd build release
	local stamp volid iso
	kernel=$di/debian-installer/$arch/linux
	initrd=$di/debian-installer/$arch/initrd.gz
	need_file "$kernel" "$initrd" "$di/version.info"

	build=$(sed -n 's/^Installer build: *//p' "$di/version.info")
	release=$(di_release "$di/version.info")
	stamp=$(date -u -r "$initrd" +%Y%m%d-%H:%M)

	mkdir -p "$tree/$install" "$tree/.disk"
	cp "$kernel" "$tree/$install/vmlinuz"
	cp "$initrd" "$tree/$install/initrd.gz"
	cmp -s "$initrd" "$tree/$install/initrd.gz" || die "initrd.gz changed on copy"

	# Debian's own wording (debian-cd tools/start_new_disc), e.g.
	# Debian GNU/Linux 12.11.0 "Bookworm" - Official amd64 NETINST with firmware 20250517-09:51
	printf 'Debian GNU/Linux %s "Bookworm" - Official %s NETINST with firmware %s' \
		"$release" "$arch" "$stamp" >"$tree/.disk/info"
	echo "not_complete" >"$tree/.disk/cd_type"
	cat >"$tree/README.txt" <<TXT
smokegate test fixture: Debian's real debian-installer $build
(kernel and initrd.gz of the package debian-installer-12-netboot-$arch,
untouched) in the layout of a Debian $release $arch netinst CD. It holds no
packages: the installer fetches everything else from a mirror.
TXT

	isolinux_files "$tree/isolinux"
	# The menus' background, as on Debian's CD (GRUB's menu draws it).
	cp "$di/debian-installer/$arch/boot-screens/splash.png" "$tree/isolinux/"
	menu_file "$here/real-di/isolinux.cfg" "$tree/isolinux/isolinux.cfg" install="$install"
	if [ "$efi" = yes ]; then
		menu_file "$here/grub/debian-installer.cfg" "$tree/boot/grub/grub.cfg" install="$install"
		efi_image_of signed "$tree/boot/grub/efi.img" "$loaders"
	fi

	volid="Debian $release $arch n"
	iso=$outdir/smoketest-real-di-$arch-netinst.iso
	make_iso "$tree" "$iso" "$volid"
	msg "wrote $iso ($volid; d-i $build)"
}

netinst amd64 "$di_amd64" install.amd yes
netinst i386 "$di_i386" install.386 no
