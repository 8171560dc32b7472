#!/bin/bash
# live-real-iso.sh OUTDIR - real Debian 12 live-boot test ISOs, built from Debian's
# own packages with debootstrap (minutes and the network; wrap it with
# ../cached-fixture.sh so a machine builds it once):
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
#
# Both ISOs are made from ONE debootstrap and share /live/filesystem.squashfs.
# Neither names a shipped flavour profile in .disk/info or its volume id:
# smokegate must tell them from their layout (/live/) alone.
#
# Needs root (chroot, mounts of proc/sys/dev inside the chroot, which are
# undone on any exit), debootstrap, squashfs-tools, xorriso, isolinux,
# syslinux-common. Mirror: $SMOKEGATE_DEBIAN_MIRROR, else deb.debian.org.
# SMOKEGATE_KEEP_WORK=1 keeps the work folder (the chroot) for a look.
set -euo pipefail

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
for c in debootstrap mksquashfs xorriso chroot mount umount findmnt; do
	command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"
done
for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/ISOLINUX/isohdpfx.bin \
	/usr/lib/syslinux/modules/bios/ldlinux.c32; do
	[ -e "$f" ] || die "missing file: $f (install isolinux and syslinux-common)"
done

out=$(realpath -m "$1")
mirror=${SMOKEGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
stamp=$(date -u +%Y%m%d)
# Matches no DiskInfo= or VolumeId= glob of guests/flavours/*.conf.
volid=SMOKEGATE_LIVEBOOT
# The kernel arguments of the harness's live plan, also the boot menu's.
kargs="boot=live components console=tty0 console=ttyS0,115200 systemd.journald.forward_to_console=1 systemd.show_status=1"

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

work=$(mktemp -d "${TMPDIR:-/var/tmp}/smokegate-live-real.XXXXXX")
root=$work/chroot

# Everything mounted below $work, deepest first.
mounts_under_work() {
	findmnt -rn -o TARGET | grep -F "$work/" | sort -r || true
}

cleanup() {
	local m
	for m in $(mounts_under_work); do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	# Never remove a tree that still has a mount in it (that would be the
	# host's /dev or /sys).
	if [ -n "${SMOKEGATE_KEEP_WORK:-}" ]; then
		msg "kept $work"
	elif [ -z "$(mounts_under_work)" ]; then
		rm -rf "$work"
	else
		msg "left $work: still mounted: $(mounts_under_work | tr '\n' ' ')"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
}

msg "debootstrap $suite from $mirror"
# minbase: Priority required + apt; the rest comes in one apt-get below.
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

# Debian's own way of keeping documentation out of a small system.
cat >"$root/etc/dpkg/dpkg.cfg.d/smokegate-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
# No service starts inside the build chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

msg "installing ${packages[*]}"
in_root apt-get update -q >"$work/apt.log" 2>&1 ||
	{ tail -n 30 "$work/apt.log" >&2; die "apt-get update failed"; }
in_root apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$work/apt.log" 2>&1 ||
	{ tail -n 40 "$work/apt.log" >&2; die "apt-get install failed (log above)"; }

# The initrd with live-boot's hooks and scripts (the packages' triggers made
# one already; this makes sure it is built after every package is in).
in_root update-initramfs -u -k all >"$work/initramfs.log" 2>&1 ||
	{ tail -n 30 "$work/initramfs.log" >&2; die "update-initramfs failed"; }
in_root apt-get clean

for m in $(mounts_under_work); do umount "$m"; done
[ -z "$(mounts_under_work)" ] || die "could not unmount the chroot's file systems"

# What live-build does before it packs a live root: no machine id (systemd
# makes one per boot), no build-time package lists, no service policy.
rm -f "$root/usr/sbin/policy-rc.d"
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id"
rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/tmp/"*
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

# The black-screen layer: LightDM's autologin session becomes an X session
# that opens and draws nothing (no window manager, no background, no client).
layer=$work/black-screen
install -d -m 755 "$layer/etc/lightdm/lightdm.conf.d" "$layer/usr/share/xsessions"
cat >"$layer/etc/lightdm/lightdm.conf.d/90-smokegate-black-screen.conf" <<'EOF'
# Smokegate fixture: the autologin session opens and draws nothing.
[Seat:*]
autologin-session=black-screen
EOF
cat >"$layer/usr/share/xsessions/black-screen.desktop" <<'EOF'
[Desktop Entry]
Name=Black screen (smokegate fixture)
Comment=An X session that opens and never draws anything
Exec=/usr/bin/sleep infinity
Type=Application
EOF
mksquashfs "$layer" "$live/black-screen.squashfs" -comp zstd -noappend -no-progress -quiet \
	-all-root >/dev/null
# live-boot stacks the images listed here in order, the last one on top.
printf 'filesystem.squashfs\nblack-screen.squashfs\n' >"$live/filesystem.module"

isolinux=$work/isolinux
mkdir -p "$isolinux"
cp /usr/lib/ISOLINUX/isolinux.bin "$isolinux/"
for m in ldlinux.c32 menu.c32 libutil.c32 libcom32.c32; do
	cp "/usr/lib/syslinux/modules/bios/$m" "$isolinux/"
done

# make_iso VARIANT INFO LIVEFILE... - a hybrid isolinux ISO like Debian's.
make_iso() {
	local variant=$1 info=$2 tree=$work/tree-$1 f iso
	shift 2
	mkdir -p "$tree/live" "$tree/.disk" "$tree/isolinux"
	for f in "$@"; do ln -s "$live/$f" "$tree/live/$f"; done
	for f in "$isolinux"/*; do ln -s "$f" "$tree/isolinux/"; done
	cat >"$tree/isolinux/isolinux.cfg" <<EOF
UI menu.c32
PROMPT 0
TIMEOUT 30
MENU TITLE Smokegate live-boot fixture ($variant)

DEFAULT live
LABEL live
  MENU LABEL ^Live system (amd64)
  KERNEL /live/vmlinuz
  INITRD /live/initrd.img
  APPEND $kargs
EOF
	printf '%s' "$info" >"$tree/.disk/info"
	iso=$out/smoketest-live-real-amd64-$variant.iso
	mkdir -p "$out"
	rm -f "$iso.tmp"
	xorriso -as mkisofs -quiet -follow-links \
		-o "$iso.tmp" -V "$volid" -r -J -joliet-long \
		-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
		-b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table \
		"$tree" 2>"$work/xorriso.log" || { cat "$work/xorriso.log" >&2; die "xorriso failed"; }
	mv -f "$iso.tmp" "$iso"
	msg "wrote $iso ($(du -m "$iso" | cut -f1) MiB)"
}

make_iso good \
	"Smokegate live-boot fixture: Debian 12 live-boot, LightDM, IceWM amd64 $stamp" \
	vmlinuz initrd.img filesystem.squashfs
make_iso black-screen \
	"Smokegate live-boot fixture: Debian 12 live-boot, LightDM, blank session (black-screen) amd64 $stamp" \
	vmlinuz initrd.img filesystem.squashfs black-screen.squashfs filesystem.module
