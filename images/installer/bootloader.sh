# Boot loader installation, sourced by /init.
# Debian would install GRUB; extlinux is much smaller and is what syslinux
# ships for booting from ext4, so the MBR + extlinux pair stands in for it.
# The installed kernel line mirrors what the harness expects of a real
# system: both consoles, serial last so it becomes /dev/console. video=
# pins the bochs framebuffer to the 1024x768 of the desktop picture (its
# default is 1280x800); the text cursor is hidden so it does not blink on
# the picture.

install_bootloader() {
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
		  APPEND root=$part rootfstype=ext4 video=1024x768 vt.global_cursor_default=0 consoleblank=0 console=tty0 console=ttyS0,115200
	CONF
	run extlinux extlinux --install $dir || return 1
	# syslinux's MBR boots the partition marked active by sfdisk.
	run extlinux dd if=/usr/lib/syslinux/mbr/mbr.bin of="$bootdev" bs=440 count=1 conv=notrunc || return 1
	log grub-installer "boot loader installed on $bootdev"
}
