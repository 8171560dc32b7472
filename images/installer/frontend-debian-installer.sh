# debian-installer's face, sourced by /init: plain progress lines, newt-style
# [!!] dialogs for errors, answers as d-i's preseed udebs load them
# (preseed.sh: /preseed.cfg, the command line, file=, url=), the ISO always
# on /dev/sr0, logs as d-i leaves them (configure.sh: finish_logs).

. /lib/smoketest/preseed.sh

FRONTEND_MODULES=
DISTRO=debian
DEFAULTED_KEYS=

frontend_banner() {
	echo
	echo "Debian GNU/Linux installer (smokegate test image, $VARIANT)"
	echo
}

# stage ID TEXT - d-i's main menu says what it runs next.
stage() {
	progress "$2"
}

# fail COMPONENT TITLE TEXT - a critical error dialog, then nothing.
fail() {
	dialog '!!' "$2" "$3"
}

frontend_mount_media() {
	if ! wait_for /dev/sr0 30 || ! run cdrom-detect mount -t iso9660 -o ro /dev/sr0 /cdrom; then
		dialog '!!' 'Detect and mount installation media' \
			'No installation media was found on /dev/sr0.'
	fi
}

# file-preseed, once the CD-ROM is mounted; url= waits for the network
# (/init).
frontend_answers() {
	preseed_file
}

frontend_finish() {
	local poweroff_answer
	ask finish-install/reboot_in_progress 'Finish the installation' 'Installation complete' >/dev/null
	poweroff_answer=$(ask_default debian-installer/exit/poweroff false)
	finish_logs
	sync
	umount /target
	umount /cdrom
	sync
	echo "Installation complete."
	if [ "$poweroff_answer" = true ]; then
		poweroff -f
	else
		reboot -f
	fi
}

# debian-installer-startup loads the initrd's file and the command line
# before the main menu starts.
preseed_startup
