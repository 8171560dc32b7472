#!/bin/bash
# live-real-arm64-iso.sh OUTDIR - real Debian 12 arm64 live-boot test ISOs,
# built from Debian's own arm64 packages with debootstrap, its second stage
# and every package's scripts run under qemu-user-static (minutes of
# emulated CPU and the network; wrap it with ../cached-fixture.sh so a
# machine builds it once):
#
#   smoketest-live-real-arm64-good.iso
#       the arm64 twin of ../live-real's good ISO: live-boot + live-config
#       (the live user "user", LightDM autologin), systemd, the Debian arm64
#       kernel, Xorg (modesetting, libinput), LightDM, IceWM.
#   smoketest-live-real-arm64-black-screen.iso
#       the same system plus the black-screen layer of ../live-real
#       (../lib/live.sh): LightDM's autologin session draws nothing.
#
# UEFI only, as an arm64 machine boots and as Debian's arm64 live images
# are laid out (live-build's binary_grub-efi with d-i's efi-image): GRUB's
# arm64 EFI from grub-efi-arm64-bin, installed in the arm64 chroot and
# built there with grub-mkimage, is EFI/boot/bootaa64.efi in the El Torito
# EFI image, with live-build's small grub.cfg built in (find the CD by
# /.disk/info, then its /boot/grub/grub.cfg); its modules are in
# /boot/grub/arm64-efi/ on the CD; the menu is live-build's entries in
# GRUB's text terminal (../grub/live-arm64.cfg), which reaches the serial
# console. Unsigned: AAVMF's Secure Boot variables are not shipped by
# Debian's qemu-efi-aarch64 (see the closing notes of issue 22).
#
# Needs root (chroot, binfmt_misc: ../lib/debootstrap.sh), debootstrap,
# qemu-user-static, binfmt-support (update-binfmts), squashfs-tools,
# xorriso, dosfstools, mtools. Mirror: $SMOKEGATE_DEBIAN_MIRROR, else
# deb.debian.org. SMOKEGATE_KEEP_WORK=1 keeps the work folder.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/debootstrap.sh"
. "$here/lib/bootloader.sh"
. "$here/lib/iso.sh"
. "$here/lib/live.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, binfmt_misc)"
for c in debootstrap update-binfmts mksquashfs xorriso chroot mount umount findmnt \
	mkfs.msdos mmd mcopy; do
	command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"
done

out=$(realpath -m "$1")
# ../live-real's system with the arm64 kernel, and GRUB's arm64 EFI
# modules for the image's own bootloader.
mapfile -t packages < <(live_packages arm64)
packages+=(grub-efi-arm64-bin)

chroot_work live-real-arm64
started=$(date +%s)
chroot_debootstrap "$suite" "$mirror" arm64
msg "debootstrap took $(($(date +%s) - started)) s"
chroot_install "${packages[@]}"
msg "debootstrap and packages took $(($(date +%s) - started)) s"

# GRUB built by the chroot's own grub-mkimage, as live-build's efi-image
# does: the CD found by /.disk/info (live-build's small grub.cfg, built in),
# the rest of GRUB's modules read from /boot/grub/arm64-efi/ on the CD.
cp "$here/grub/live-efi-stub.cfg" "$root/tmp/grub-embedded.cfg"
in_root grub-mkimage -O arm64-efi -o /tmp/bootaa64.efi -p /boot/grub \
	-c /tmp/grub-embedded.cfg \
	search search_fs_file search_label iso9660 fat part_gpt part_msdos \
	normal configfile linux gzio echo test ls cat efi_gop all_video ||
	die "grub-mkimage failed"
cp "$root/tmp/bootaa64.efi" "$work/bootaa64.efi"
chroot_finish

live_pack
live_layer black-screen black-screen '/usr/bin/sleep infinity'

# The files every variant shares: the menu, GRUB's modules, the EFI image
# (bootaa64.efi alone: no shim) also copied onto the CD as debian-cd does.
common=$work/common
menu_file "$here/grub/live-arm64.cfg" "$common/boot/grub/grub.cfg" kernel=vmlinuz
mkdir -p "$common/boot/grub/arm64-efi" "$common/EFI/boot"
cp "$root"/usr/lib/grub/arm64-efi/*.mod "$root"/usr/lib/grub/arm64-efi/*.lst \
	"$common/boot/grub/arm64-efi/"
cp "$work/bootaa64.efi" "$common/EFI/boot/bootaa64.efi"
size=$(($(stat -c %s "$work/bootaa64.efi") / 1024 + 55 + 4 * 4))
img=$common/boot/grub/efi.img
mkfs.msdos --invariant -i deb00001 -C "$img" $(((size + 31) / 32 * 32)) >/dev/null ||
	die "mkfs.msdos failed for $img"
export MTOOLS_SKIP_CHECK=1
mmd -i "$img" ::EFI ::EFI/boot
mcopy -i "$img" "$work/bootaa64.efi" ::EFI/boot/bootaa64.efi

# live_boot_files TREE - the menu, GRUB's modules and the EFI image in
# TREE (for live_iso).
live_boot_files() {
	ln -s "$common/boot" "$1/boot"
	ln -s "$common/EFI" "$1/EFI"
}

info="Smokegate live-boot fixture: Debian 12 live-boot, LightDM"
live_iso arm64 good "$info, IceWM arm64 $stamp" "" vmlinuz initrd.img filesystem.squashfs
live_iso arm64 black-screen "$info, blank session (black-screen) arm64 $stamp" black-screen.module \
	vmlinuz initrd.img filesystem.squashfs black-screen.squashfs
msg "built in $(($(date +%s) - started)) s"
