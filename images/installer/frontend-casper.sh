# ubiquity's face (automatic-ubiquity on a casper live CD), sourced by
# /init. Progress goes to the console as "ubiquity[PID]: ..." lines, a
# failure is ubiquity's crash ("ubiquity crashed: partman failed"), a
# question the seed does not answer is shown like d-i's (ubiquity drives the
# same debconf questions), answers come from the seed named by file= on the
# command line, and the logs are ubiquity's (syslog, casper.log, debug).

FRONTEND_MODULES="ahci loop squashfs"
# The installed system says it is Ubuntu (identity.sh).
DISTRO=ubuntu
# ubiquity installs the boot loader where it partitioned.
DEFAULTED_KEYS="grub-installer/bootdev"
. /lib/smoketest/media.sh
MEDIUM_LABEL=SMOKETEST_CASPER
CASPER_LOG=/var/log/casper.log
DEBUG_LOG=/var/log/installer-debug

# A pid that is not 1, for the console lines, as ubiquity is not init.
sleep 0 &
UPID=$!

# ubi TEXT - one line on the console and in ubiquity's debug log.
ubi() {
	printf 'ubiquity[%s]: %s\n' "$UPID" "$*"
	printf '%s ubiquity[%s]: %s\n' "$(date '+%b %e %H:%M:%S')" "$UPID" "$*" >>"$DEBUG_LOG"
	log ubiquity "$*"
}

frontend_banner() {
	echo
	ubi "Ubiquity 22.04.20 (smokegate test image, $VARIANT): automatic install"
}

# stage ID TEXT - ubiquity's progress bar text for each step.
stage() {
	case $1 in
	hardware) ubi "Configuring hardware..." ;;
	media) ubi "Looking for the live medium..." ;;
	components) ubi "Preparing to install Ubuntu..." ;;
	partition) ubi "Partitioning disks..." ;;
	base) ubi "Copying files..." ;;
	configure) ubi "Installing system..." ;;
	bootloader) ubi "Installing the boot loader..." ;;
	finish) ubi "Cleaning up..." ;;
	*) ubi "$2" ;;
	esac
}

# fail COMPONENT TITLE TEXT - ubiquity's crash handler: the step that failed,
# then it waits for someone to read the crash dialog.
fail() {
	ubi "$2: $(printf '%s\n' "$3" | head -n 1)"
	printf '%s\n' "$3" >>"$DEBUG_LOG"
	ubi "ubiquity crashed: $1 failed"
	sync
	forever
}

frontend_mount_media() {
	local dev
	dev=$(find_cdrom "$MEDIUM_LABEL" 30) &&
		run cdrom-detect mount -t iso9660 -o ro "$dev" /cdrom ||
		fail casper 'Detect the live medium' "No live medium labelled $MEDIUM_LABEL was found."
	printf 'casper: live medium %s (%s) mounted on /cdrom\n' "$dev" "$MEDIUM_LABEL" >>"$CASPER_LOG"
}

# The seed is file=PATH: a path in the initrd (injected by the harness) or,
# as on Ubuntu's own CDs, on the medium (file=/cdrom/preseed/ubuntu.seed).
frontend_answers() {
	local arg
	for arg in $(cat /proc/cmdline); do
		case $arg in
		file=*) PRESEED=${arg#file=} ;;
		esac
	done
	[ -r "$PRESEED" ] || [ ! -r "/cdrom$PRESEED" ] || PRESEED=/cdrom$PRESEED
	printf 'casper: seed %s\n' "$PRESEED" >>"$CASPER_LOG"
	log ubiquity "seed: $PRESEED"
}

# Where ubiquity leaves its logs on the installed system.
ubiquity_logs() {
	local d=/target/var/log/installer
	mkdir -p $d
	cp /cdrom/.disk/info $d/media-info 2>/dev/null
	printf 'ubiquity 22.04.20\n' >$d/version
	cp "$CASPER_LOG" $d/casper.log
	cp "$DEBUG_LOG" $d/debug
	log ubiquity "installation finished"
	cp "$SYSLOG" $d/syslog
}

frontend_finish() {
	local poweroff_answer reboot_answer
	poweroff_answer=$(ask_default ubiquity/poweroff false)
	reboot_answer=$(ask_default ubiquity/reboot false)
	ubiquity_logs
	sync
	umount /target
	umount /cdrom
	sync
	ubi "Installation complete."
	if [ "$poweroff_answer" = true ]; then
		poweroff -f
	elif [ "$reboot_answer" = true ]; then
		reboot -f
	fi
	# Neither: ubiquity's last dialog waits for "Restart Now".
	dialog '!' 'Installation Complete' \
		'Installation has finished. You can continue testing Ubuntu now, but until you restart the computer, any changes you make or documents you save will not be preserved.'
}
