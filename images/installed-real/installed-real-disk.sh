#!/bin/bash
# installed-real-disk.sh OUTDIR SEED - a real installed Debian 12 desktop disk,
# the disk debian-installer leaves after an install with SEED (the
# debian-netinst flavour's answer file), built from Debian's own packages
# with debootstrap (minutes and the network; wrap it with ../cached-fixture.sh
# so a machine builds it once):
#
#   smoketest-installed-real-amd64.qcow2
#       an MBR disk, one ext4 root partition, GRUB (i386-pc) in the MBR:
#       it boots by itself in QEMU (BIOS). systemd, the Debian kernel,
#       LightDM logging the answer file's user in automatically, Xorg, and
#       Xfce's session pieces (xfce4-session, which runs XDG autostart,
#       xfwm4, xfce4-panel, xfdesktop4). Hostname, domain, user, time zone,
#       locale, keyboard and the kernel's console arguments are SEED's, set
#       in the files debian-installer sets them in.
#
# No loop device, no mount of the disk and no helper VM: the root file system
# is made from the chroot folder with mke2fs -d and placed in a partitioned
# raw file; GRUB is put where grub-install puts it on a BIOS disk (boot.img
# in the MBR, core.img from sector 1, its modules in /boot/grub), made by the
# system's own grub-mkimage, and its menu is update-grub's for one kernel.
#
# Needs root (chroot, mounts of proc/sys/dev inside the chroot, which are
# undone on any exit: ../lib/debootstrap.sh), debootstrap, e2fsprogs,
# fdisk (sfdisk), qemu-utils. Mirror: $SMOKEGATE_DEBIAN_MIRROR, else deb.debian.org.
# SMOKEGATE_KEEP_WORK=1 keeps the work folder (the chroot) for a look.
set -euo pipefail
. "$(dirname "$0")/../lib/debootstrap.sh"

[ $# -eq 2 ] || { echo "usage: $0 OUTDIR SEED" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
for c in debootstrap mke2fs sfdisk qemu-img chroot mount umount findmnt; do
	command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"
done

out=$(realpath -m "$1")
seed=$(realpath "$2")
mirror=${SMOKEGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
# The root file system's size (sparse: only what is written takes room) and
# its UUID (fixed, so every build's disk is the same to GRUB and fstab).
root_mib=6144
root_uuid=5d0e6a55-5e9a-4b1e-8c2f-736d6f6b6567

# seed_value KEY: the value of "d-i KEY TYPE VALUE" (or "OWNER KEY TYPE
# VALUE") in the answer file, as debconf would read it.
seed_value() {
	awk -v key="$1" '$1 !~ /^#/ && $2 == key { $1 = $2 = $3 = ""; sub(/^ +/, ""); print; exit }' "$seed"
}
hostname=$(seed_value netcfg/get_hostname)
domain=$(seed_value netcfg/get_domain)
user=$(seed_value passwd/username)
fullname=$(seed_value passwd/user-fullname)
password=$(seed_value passwd/user-password)
timezone=$(seed_value time/zone)
locale=$(seed_value debian-installer/locale)
keymap=$(seed_value keyboard-configuration/xkb-keymap)
kernel_opts=$(seed_value debian-installer/add-kernel-opts)
for v in hostname user password timezone locale keymap; do
	[ -n "${!v}" ] || die "$seed sets no $v"
done
msg "from $seed: hostname $hostname, user $user, timezone $timezone, locale $locale, keyboard $keymap"

# The installed system's packages. --no-install-recommends throughout: only
# what each package needs (task-xfce-desktop would bring much more; these
# are the pieces a session needs to start, run autostart and draw).
packages=(
	systemd-sysv libpam-systemd dbus dbus-user-session
	linux-image-amd64 grub-pc
	locales tzdata keyboard-configuration console-setup sudo
	xserver-xorg-core xserver-xorg-input-libinput
	# what Debian's xorg metapackage brings for people and scripts:
	# xdpyinfo, xwininfo, xprop, xmessage, setxkbmap
	x11-utils x11-xkb-utils
	lightdm lightdm-gtk-greeter
	xfce4-session xfwm4 xfce4-panel xfdesktop4 xfconf fonts-dejavu-core
)

chroot_work installed-real

start=$(date +%s)
chroot_debootstrap "$suite" "$mirror"

# What d-i's localechooser, console-setup, clock-setup and grub-installer
# answer for the packages, from the seed's values.
cat >"$work/debconf" <<EOF
locales locales/locales_to_be_generated multiselect $locale UTF-8
locales locales/default_environment_locale select $locale
keyboard-configuration keyboard-configuration/xkb-keymap select $keymap
keyboard-configuration keyboard-configuration/layoutcode string ${keymap%%(*}
keyboard-configuration keyboard-configuration/modelcode string pc105
tzdata tzdata/Areas select ${timezone%%/*}
tzdata tzdata/Zones/${timezone%%/*} select ${timezone#*/}
grub-pc grub-pc/install_devices multiselect
grub-pc grub-pc/install_devices_empty boolean true
EOF
cp "$work/debconf" "$root/tmp/debconf"
in_root debconf-set-selections /tmp/debconf
chroot_install "${packages[@]}"

# --- what debian-installer sets, in the files it sets it in ---
# localechooser: the locale generated and the system's default.
sed -i "s/^# *\($locale \)/\1/" "$root/etc/locale.gen"
in_root locale-gen >"$work/locale.log" 2>&1 || { cat "$work/locale.log" >&2; die "locale-gen failed"; }
in_root update-locale "LANG=$locale"
# clock-setup / tzsetup: /etc/localtime links to the zone, /etc/timezone names it.
ln -sf "/usr/share/zoneinfo/$timezone" "$root/etc/localtime"
printf '%s\n' "$timezone" >"$root/etc/timezone"
# console-setup (keyboard-configuration): /etc/default/keyboard.
cat >"$root/etc/default/keyboard" <<EOF
# KEYBOARD CONFIGURATION FILE

# Consult the keyboard(5) manual page.

XKBMODEL="pc105"
XKBLAYOUT="${keymap%%(*}"
XKBVARIANT="$(printf '%s' "$keymap" | sed -n 's/.*(\(.*\))/\1/p')"
XKBOPTIONS=""

BACKSPACE="guess"
EOF
# netcfg: /etc/hostname and /etc/hosts.
printf '%s\n' "$hostname" >"$root/etc/hostname"
cat >"$root/etc/hosts" <<EOF
127.0.0.1	localhost
127.0.1.1	$hostname${domain:+.$domain}	$hostname

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
ff02::2 ip6-allrouters
EOF
# user-setup: the user, in the groups d-i gives the first user that exist
# here, and sudo (the seed turns root's login off).
in_root adduser --disabled-password --gecos "$fullname" "$user" >"$work/user.log" 2>&1 ||
	{ cat "$work/user.log" >&2; die "adduser failed"; }
printf '%s:%s\n' "$user" "$password" | in_root chpasswd
for group in audio cdrom dip floppy video plugdev netdev sudo; do
	if in_root getent group "$group" >/dev/null; then
		in_root adduser "$user" "$group" >>"$work/user.log" 2>&1
	fi
done
in_root passwd -l root >/dev/null
# partman: the root file system by UUID.
cat >"$root/etc/fstab" <<EOF
# /etc/fstab: static file system information.
# <file system> <mount point>   <type>  <options>       <dump>  <pass>
UUID=$root_uuid /               ext4    errors=remount-ro 0       1
EOF
# grub-installer: the seed's kernel options on the kernel line ("quiet" is
# d-i's own; systemd.show_status=1 in them keeps the status lines).
sed -i -e "s|^GRUB_CMDLINE_LINUX_DEFAULT=.*|GRUB_CMDLINE_LINUX_DEFAULT=\"quiet $kernel_opts\"|" \
	"$root/etc/default/grub"
# The seed's late_command: LightDM logs the user in on its own.
mkdir -p "$root/etc/lightdm/lightdm.conf.d"
cat >"$root/etc/lightdm/lightdm.conf.d/50-smokegate-autologin.conf" <<EOF
[Seat:*]
autologin-user=$user
autologin-user-timeout=0
EOF
# An installed system has its machine id from the install on.
rm -f "$root/etc/machine-id" "$root/var/lib/dbus/machine-id"
in_root systemd-machine-id-setup >/dev/null 2>&1
# Where d-i leaves its logs: the evidence smokegate's inspection reads.
mkdir -p "$root/var/log/installer"
cp "$work/debconf" "$root/var/log/installer/smokegate-fixture-debconf"
printf 'Smokegate installed-real fixture: debootstrap %s, packages: %s\n' "$suite" "${packages[*]}" \
	>"$root/var/log/installer/smokegate-fixture"

# grub-installer: what grub-install leaves in /boot/grub (the modules, the
# core image with the prefix of the root partition) and update-grub's menu
# (the same kernel line as /etc/default/grub's; update-grub itself cannot
# probe the root device from a chroot).
kver=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
kver=${kver##*/vmlinuz-}
grub=$root/boot/grub
mkdir -p "$grub/i386-pc"
cp "$root"/usr/lib/grub/i386-pc/*.mod "$root"/usr/lib/grub/i386-pc/*.lst \
	"$root/usr/lib/grub/i386-pc/boot.img" "$grub/i386-pc/"
in_root grub-mkimage -O i386-pc -o /boot/grub/i386-pc/core.img -p '(hd0,msdos1)/boot/grub' \
	biosdisk part_msdos ext2
cat >"$grub/grub.cfg" <<EOF
# Written by the smokegate installed-real fixture as update-grub would for
# one kernel (/etc/default/grub's GRUB_CMDLINE_LINUX_DEFAULT).
set default=0
set timeout=2
insmod part_msdos
insmod ext2
search --no-floppy --fs-uuid --set=root $root_uuid
menuentry 'Debian GNU/Linux' {
	insmod gzio
	linux /boot/vmlinuz-$kver root=UUID=$root_uuid ro quiet $kernel_opts
	initrd /boot/initrd.img-$kver
}
EOF

chroot_finish
msg "system installed after $(($(date +%s) - start)) s"

# --- the disk: MBR, one partition from 1 MiB, made without a loop device ---
disk=$work/disk.raw
mke2fs -q -t ext4 -L root -U "$root_uuid" -d "$root" "$work/root.ext4" "${root_mib}M"
truncate -s $((root_mib + 1))M "$disk"
printf 'label: dos\nstart=2048, type=83, bootable\n' | sfdisk -q "$disk"
dd if="$work/root.ext4" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none
rm -f "$work/root.ext4"

# GRUB as grub-bios-setup writes it: boot.img's code in the MBR (the
# partition table kept; it loads sector 1, its default), the drive check
# turned off (0x66, as for a hard disk), core.img from sector 1, before
# the partition.
core=$root/boot/grub/i386-pc/core.img
[ "$(stat -c %s "$core")" -lt $((2047 * 512)) ] || die "core.img does not fit before the partition"
dd if="$root/boot/grub/i386-pc/boot.img" of="$disk" bs=440 count=1 conv=notrunc status=none
printf '\220\220' | dd of="$disk" bs=1 seek=$((0x66)) conv=notrunc status=none
dd if="$core" of="$disk" bs=512 seek=1 conv=notrunc status=none

mkdir -p "$out"
qemu-img convert -f raw -O qcow2 "$disk" "$out/smoketest-installed-real-amd64.qcow2.tmp"
mv -f "$out/smoketest-installed-real-amd64.qcow2.tmp" "$out/smoketest-installed-real-amd64.qcow2"
msg "wrote $out/smoketest-installed-real-amd64.qcow2 ($(du -m "$out/smoketest-installed-real-amd64.qcow2" | cut -f1) MiB) after $(($(date +%s) - start)) s"
