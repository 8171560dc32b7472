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
mirror=${SMOKEGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
stamp=$(date -u +%Y%m%d)
# Matches no DiskInfo= or VolumeId= glob of guests/flavours/*.conf.
volid=SMOKEGATE_LIVEBOOT

# The packages of the live system. --no-install-recommends throughout: only
# what each package needs.
packages=(
	systemd-sysv libpam-systemd dbus
	linux-image-amd64
	live-boot live-config live-config-systemd
	# live-config's user-setup component creates the live user with it;
	# its sudo component gives the user sudo, as on Debian's images.
	user-setup sudo
	xserver-xorg-core xserver-xorg-input-libinput
	lightdm
	icewm
)

chroot_work live-real
chroot_debootstrap "$suite" "$mirror"
chroot_install "${packages[@]}"
chroot_finish

# What live-build does before it packs a live root: no machine id (systemd
# makes one per boot).
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
printf 'debian\n' >"$root/etc/hostname"

kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
initrd=$root/boot/initrd.img-${kernel##*/vmlinuz-}
[ -s "$initrd" ] || die "no initrd for $kernel"

msg "packing filesystem.squashfs"
live=$work/live
mkdir -p "$live"
cp "$kernel" "$live/vmlinuz"
cp "$initrd" "$live/initrd.img"
# zstd: the Debian kernel reads it, and it unpacks faster than xz under TCG.
# Level 6 packs the 1.1 GB root in under a minute on 2 cores (mksquashfs's
# default, 15, took about ten) for 7% more bytes.
mksquashfs "$root" "$live/filesystem.squashfs" -comp zstd -Xcompression-level 6 \
	-noappend -no-progress -quiet \
	-e boot/vmlinuz-\* -e boot/initrd.img-\* >/dev/null

# layer NAME SESSION [XSESSION_EXEC] - a live-boot layer (NAME.squashfs)
# that points LightDM's autologin at SESSION, and with XSESSION_EXEC also
# installs that session.
layer() {
	local name=$1 session=$2 exec=${3:-} d=$work/layer-$1
	install -d -m 755 "$d/etc/lightdm/lightdm.conf.d"
	cat >"$d/etc/lightdm/lightdm.conf.d/90-smokegate-$name.conf" <<EOF
# Smokegate fixture ($name): LightDM's autologin session is $session.
[Seat:*]
autologin-session=$session
EOF
	if [ -n "$exec" ]; then
		install -d -m 755 "$d/usr/share/xsessions"
		cat >"$d/usr/share/xsessions/$session.desktop" <<EOF
[Desktop Entry]
Name=Black screen (smokegate fixture)
Comment=An X session that opens and never draws anything
Exec=$exec
Type=Application
EOF
	fi
	mksquashfs "$d" "$live/$name.squashfs" -comp zstd -noappend -no-progress -quiet \
		-all-root >/dev/null
	# live-boot stacks the images listed here in order, the last one on top.
	printf 'filesystem.squashfs\n%s.squashfs\n' "$name" >"$live/$name.module"
}
# black-screen: an X session that opens and draws nothing (no window
# manager, no background, no client).
layer black-screen black-screen '/usr/bin/sleep infinity'
# missing-session: a session that is not installed (Xfce's name, as a
# flavour whose seed names a desktop it forgot to ship).
layer missing-session xfce

isolinux=$work/isolinux
isolinux_files "$isolinux"
menu_file "$here/isolinux/live.cfg" "$isolinux/isolinux.cfg" kernel=vmlinuz
menu_file "$here/grub/live.cfg" "$work/grub.cfg" kernel=vmlinuz
efi_image_of signed "$work/efi.img" "$loaders" "$here/grub/live-efi-stub.cfg"

# live_iso VARIANT INFO MODULE LIVEFILE... - one ISO with these files of
# $work/live in /live/, and MODULE (unless "") as /live/filesystem.module.
live_iso() {
	local variant=$1 info=$2 module=$3 tree=$work/tree-$1 f iso
	shift 3
	mkdir -p "$tree/live" "$tree/boot/grub" "$tree/.disk"
	for f in "$@"; do ln -s "$live/$f" "$tree/live/$f"; done
	[ -z "$module" ] || ln -s "$live/$module" "$tree/live/filesystem.module"
	ln -s "$isolinux" "$tree/isolinux"
	ln -s "$work/grub.cfg" "$tree/boot/grub/grub.cfg"
	ln -s "$work/efi.img" "$tree/boot/grub/efi.img"
	printf '%s' "$info" >"$tree/.disk/info"
	iso=$out/smoketest-live-real-amd64-$variant.iso
	mkdir -p "$out"
	make_iso "$tree" "$iso" "$volid"
	msg "wrote $iso ($(du -m "$iso" | cut -f1) MiB)"
}

info="Smokegate live-boot fixture: Debian 12 live-boot, LightDM"
live_iso good "$info, IceWM amd64 $stamp" "" \
	vmlinuz initrd.img filesystem.squashfs
live_iso black-screen "$info, blank session (black-screen) amd64 $stamp" black-screen.module \
	vmlinuz initrd.img filesystem.squashfs black-screen.squashfs
live_iso missing-session "$info, autologin session not installed (missing-session) amd64 $stamp" \
	missing-session.module vmlinuz initrd.img filesystem.squashfs missing-session.squashfs
live_iso no-squashfs "$info, no live file system (no-squashfs) amd64 $stamp" "" \
	vmlinuz initrd.img
