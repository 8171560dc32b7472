# Boot loader installation, sourced by /init, after partition_disk
# (install.sh) chose the firmware's way: ESP is set under UEFI.
#
# BIOS: Debian would install GRUB; extlinux is much smaller and is what
# syslinux ships for booting from ext4, so the MBR + extlinux pair stands
# in for it.
# UEFI: what Debian's grub-installer gets from grub-install on a Secure
# Boot capable system (Debian's grub2 2.06, util/grub-install.c with its
# install-signed, grub-install-extra-removable and
# grub-install-removable-shim patches; grub-core/osdep/unix/platform.c):
# the signed shim, GRUB, MokManager and fallback with the fallback's
# BOOTX64.CSV from the target's shim-signed, shim-helpers-amd64-signed,
# shim-unsigned and grub-efi-amd64-signed in /EFI/debian of the EFI system
# partition, a grub.cfg there that finds the root file system and reads
# its /boot/grub/grub.cfg, and a firmware boot entry "debian" made with
# efibootmgr. The removable path /EFI/BOOT (shim as BOOTX64.EFI, GRUB,
# the fallback) only with grub-installer/force-efi-extra-removable.
#
# The kernel line mirrors what the harness expects of a real system: both
# consoles, serial last so it becomes /dev/console. video= pins the bochs
# framebuffer to the 1024x768 of the desktop picture (its default is
# 1280x800); the text cursor is hidden so it does not blink on the picture.

KERNEL_ARGS="video=1024x768 vt.global_cursor_default=0 consoleblank=0 console=tty0 console=$SERIAL,115200"

install_bootloader() {
	if [ -n "${ESP:-}" ]; then
		install_grub_efi
	else
		install_extlinux "$1"
	fi
}

install_extlinux() {
	local bootdev=$1 dir=/target/boot/extlinux
	mkdir -p $dir
	cat >$dir/extlinux.conf <<-CONF
		# Written by the smokegate test installer.
		DEFAULT debian
		PROMPT 0
		TIMEOUT 0
		LABEL debian
		  LINUX /boot/vmlinuz
		  INITRD /boot/initrd.img
		  APPEND root=$part rootfstype=ext4 $KERNEL_ARGS
	CONF
	run extlinux extlinux --install $dir || return 1
	# syslinux's MBR boots the partition marked active by sfdisk.
	run extlinux dd if=/usr/lib/syslinux/mbr/mbr.bin of="$bootdev" bs=440 count=1 conv=notrunc || return 1
	log grub-installer "boot loader installed on $bootdev"
}

install_grub_efi() {
	local efi=/target/boot/efi shim=/target/usr/lib/shim
	local grub=/target/usr/lib/grub/$GRUB_EFI-signed/grub$EFI_ARCH.efi.signed
	local dir=$efi/EFI/debian removable csv
	csv=BOOT$(echo "$EFI_ARCH" | tr a-z A-Z).CSV
	mkdir -p $efi
	run grub-installer mount -t vfat "$ESP" $efi || return 1
	mkdir -p $dir
	run grub-installer cp $shim/shim$EFI_ARCH.efi.signed $dir/shim$EFI_ARCH.efi || return 1
	run grub-installer cp $grub $dir/grub$EFI_ARCH.efi || return 1
	run grub-installer cp $shim/mm$EFI_ARCH.efi.signed $dir/mm$EFI_ARCH.efi
	run grub-installer cp $shim/fb$EFI_ARCH.efi.signed $dir/fb$EFI_ARCH.efi
	# The fallback (fbx64.efi) makes a boot entry from it if one is lost.
	run grub-installer cp $shim/$csv $dir/$csv
	# grub-install's load.cfg for the signed image (its prefix is
	# /EFI/debian on the partition it was loaded from), with the line
	# the install-signed patch appends. The hint keeps its trailing blank.
	printf "search.fs_uuid %s root hd0,gpt%s \nset prefix=(\$root)'/boot/grub'\nconfigfile \$prefix/grub.cfg\n" \
		"$uuid" "${part##*[!0-9]}" >$dir/grub.cfg
	removable=$(ask_default grub-installer/force-efi-extra-removable false)
	if [ "$removable" = true ]; then
		mkdir -p $efi/EFI/BOOT
		run grub-installer cp $shim/shim$EFI_ARCH.efi.signed \
			"$efi/EFI/BOOT/BOOT$(echo "$EFI_ARCH" | tr a-z A-Z).EFI" || return 1
		run grub-installer cp $grub $efi/EFI/BOOT/grub$EFI_ARCH.efi || return 1
		run grub-installer cp $shim/fb$EFI_ARCH.efi.signed $efi/EFI/BOOT/fb$EFI_ARCH.efi
	fi
	write_grub_cfg
	efi_boot_entry || return 1
	sync
	run grub-installer umount $efi
	log grub-installer "boot loader installed on $ESP (EFI, extra removable: $removable)"
}

# write_grub_cfg - /boot/grub/grub.cfg, what grub-mkconfig's 10_linux
# writes for one kernel, cut down (no submenu, no recovery entry).
write_grub_cfg() {
	local name='Debian GNU/Linux'
	[ "$DISTRO" = ubuntu ] && name=Ubuntu
	mkdir -p /target/boot/grub
	cat >/target/boot/grub/grub.cfg <<-CFG
		# Written by the smokegate test installer in grub-mkconfig's shape.
		set default=0
		set timeout=0
		menuentry '$name' --class debian --class gnu-linux --class gnu --class os {
		insmod part_gpt
		insmod ext2
		search --no-floppy --fs-uuid --set=root $uuid
		echo 'Loading Linux $KVER ...'
		linux /boot/vmlinuz root=$part rootfstype=ext4 $KERNEL_ARGS
		echo 'Loading initial ramdisk ...'
		initrd /boot/initrd.img
		}
	CFG
}

# efi_boot_entry - grub_install_register_efi: efivarfs, old "debian"
# entries removed, then "efibootmgr -q -c -d DISK -p N -w -L debian -l
# \EFI\debian\shimx64.efi"; the firmware's entries go to syslog.
efi_boot_entry() {
	local num
	run grub-installer modprobe efivarfs
	grep -q ' /sys/firmware/efi/efivars ' /proc/mounts ||
		run grub-installer mount -t efivarfs efivarfs /sys/firmware/efi/efivars || return 1
	for num in $(efibootmgr 2>/dev/null | sed -n 's/^Boot\([0-9A-Fa-f]\{4\}\)\*\{0,1\} debian$/\1/p'); do
		run grub-installer efibootmgr -q -b "$num" -B
	done
	run grub-installer efibootmgr -q -c -d "$disk" -p "${ESP##*[!0-9]}" -w -L debian \
		-l "\\EFI\\debian\\shim$EFI_ARCH.efi" || return 1
	run grub-installer efibootmgr -v
}
