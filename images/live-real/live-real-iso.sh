#!/bin/bash
# live-real-iso.sh OUTDIR EFI_LOADERS - real Debian 12 live-boot test ISOs,
# built from Debian's own packages with debootstrap (minutes and the network;
# wrap it with ../cached-fixture.sh so a machine builds it once):
#
#   smoketest-live-real-amd64-good.iso
#       live-boot + live-config (the live user "user", LightDM autologin:
#       what real Debian live images do), systemd, the Debian kernel, Xorg
#       (modesetting, libinput), LightDM, IceWM with its taskbar.
#   smoketest-live-real-amd64-black-screen.iso
#       the same system plus one more live-boot layer on top
#       (/live/black-screen.squashfs, stacked by /live/filesystem.module):
#       LightDM's autologin session is an X session that draws nothing,
#       ever (no window manager, no background, the session sleeps).
#   smoketest-live-real-amd64-missing-session.iso
#       the same system plus a layer (/live/missing-session.squashfs) whose
#       LightDM autologin names the session "xfce", which is not installed:
#       LightDM shows its greeter instead.
#   smoketest-live-real-amd64-no-squashfs.iso
#       the same kernel, initrd and menus without /live/filesystem.squashfs:
#       live-boot finds no live file system ("BOOT FAILED!") and drops to
#       its BusyBox shell.
#
# All are made from ONE debootstrap and share /live/filesystem.squashfs. They
# boot as live-build's images do: isolinux under a BIOS, and under UEFI
# (Secure Boot too) Debian's signed shim and signed CD GRUB (EFI_LOADERS,
# the folder ../efi/efi-loaders.sh writes) in the EFI El Torito image, with
# live-build's menus (../isolinux/live.cfg, ../grub/live.cfg). None names a
# shipped flavour profile in .disk/info or its volume id: smokegate must tell
# them from their layout (/live/) alone.
#
# Needs root (chroot, mounts of proc/sys/dev inside the chroot, which are
# undone on any exit: ../lib/debootstrap.sh), debootstrap, squashfs-tools,
# xorriso, isolinux, syslinux-common, dosfstools, mtools. Mirror:
# $SMOKEGATE_DEBIAN_MIRROR, else deb.debian.org. SMOKEGATE_KEEP_WORK=1 keeps
# the work folder (the chroot) for a look.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/debootstrap.sh"
. "$here/lib/bootloader.sh"
. "$here/lib/iso.sh"
. "$here/lib/live.sh"

[ $# -eq 2 ] || { echo "usage: $0 OUTDIR EFI_LOADERS" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
for c in debootstrap mksquashfs xorriso chroot mount umount findmnt mkfs.msdos mmd mcopy; do
	command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"
done
for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/ISOLINUX/isohdpfx.bin \
	/usr/lib/syslinux/modules/bios/ldlinux.c32; do
	[ -e "$f" ] || die "missing file: $f (install isolinux and syslinux-common)"
done

out=$(realpath -m "$1")
loaders=$(realpath "$2")
efi_loaders_check "$loaders"
mapfile -t packages < <(live_packages amd64)

chroot_work live-real
chroot_debootstrap "$suite" "$mirror"
chroot_install "${packages[@]}"
chroot_finish

live_pack

# black-screen: an X session that opens and draws nothing (no window
# manager, no background, no client).
live_layer black-screen black-screen '/usr/bin/sleep infinity'
# missing-session: a session that is not installed (Xfce's name, as a
# flavour whose seed names a desktop it forgot to ship).
live_layer missing-session xfce

isolinux=$work/isolinux
isolinux_files "$isolinux"
menu_file "$here/isolinux/live.cfg" "$isolinux/isolinux.cfg" kernel=vmlinuz
menu_file "$here/grub/live.cfg" "$work/grub.cfg" kernel=vmlinuz
efi_image_of signed "$work/efi.img" "$loaders" "$here/grub/live-efi-stub.cfg"

# live_boot_files TREE - isolinux, live-build's GRUB menu and the EFI
# image in TREE (for live_iso).
live_boot_files() {
	mkdir -p "$1/boot/grub"
	ln -s "$isolinux" "$1/isolinux"
	ln -s "$work/grub.cfg" "$1/boot/grub/grub.cfg"
	ln -s "$work/efi.img" "$1/boot/grub/efi.img"
}

info="Smokegate live-boot fixture: Debian 12 live-boot, LightDM"
live_iso amd64 good "$info, IceWM amd64 $stamp" "" \
	vmlinuz initrd.img filesystem.squashfs
live_iso amd64 black-screen "$info, blank session (black-screen) amd64 $stamp" black-screen.module \
	vmlinuz initrd.img filesystem.squashfs black-screen.squashfs
live_iso amd64 missing-session "$info, autologin session not installed (missing-session) amd64 $stamp" \
	missing-session.module vmlinuz initrd.img filesystem.squashfs missing-session.squashfs
live_iso amd64 no-squashfs "$info, no live file system (no-squashfs) amd64 $stamp" "" \
	vmlinuz initrd.img
