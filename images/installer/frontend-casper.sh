# ubiquity's face (automatic-ubiquity on a casper live CD), sourced by
# /init. Progress goes to the console as "ubiquity[PID]: ..." lines, a
# failure is ubiquity's crash ("ubiquity crashed: partman failed"), a
# question the seed does not answer is shown like d-i's (ubiquity drives the
# same debconf questions), answers come as casper's 24preseed loads them
# (file=, url=, words of the command line), and the logs are ubiquity's
# (syslog, casper.log, debug).

FRONTEND_MODULES="loop squashfs"
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

# The answers, as casper's casper-bottom/24preseed loads them before
# ubiquity starts (casper 1.470, Ubuntu 22.04; Launchpad's casper, mirrored
# in github.com/elementary/os-patches): /preseed.cfg in the initrd, then
# each command line word in turn: file= and preseed/file= name seeds,
# url= and preseed/url= are fetched with wget into /tmp (the network is
# brought up for it, with DHCP on every NIC, and down again), a/b=value
# (a/b?=value: not marked seen) and locale= answer one question; the seeds
# are loaded last, over the words. A seed path is one in the initrd (where
# the harness puts /preseed.cfg), else on the medium (file=/cdrom/preseed/
# ubuntu.seed, as Ubuntu's own boot menus say). casper 1.470 strips only
# "url=" from the word, so its preseed/url= fetches a URL that still starts
# with the key; the imitation strips both, as casper's changelog (1.433)
# means it to.
frontend_answers() {
	local x url locations='' item
	printf 'Begin: %s ... ' 'Loading preseed file...'
	[ -e /preseed.cfg ] && preseed_load /preseed.cfg
	for x in $(cat /proc/cmdline); do
		case $x in
		preseed/file=*) locations="${x#preseed/file=} $locations" ;;
		file=*) locations="${x#file=} $locations" ;;
		url=*.iso) ;; # not a preseed: a netboot ISO
		preseed/url=* | url=*)
			url=${x#preseed/url=}
			url=${url#url=}
			casper_start_network
			log casper "fetching $url"
			wget -P /tmp "$url"
			locations="/tmp/${url##*/} $locations"
			;;
		*/*\?=*) preseed_set d-i "${x%%\?=*}" "${x#*\?=}" ;;
		*/*=*) preseed_set d-i "${x%%=*}" "${x#*=}" ;;
		locale=*)
			# casper picks the UTF-8 locale of /usr/share/i18n/SUPPORTED
			# (its debian-installer/locale= case comes after */*=*, which
			# takes that word first)
			case ${x#*=} in
			*.*) preseed_set d-i debian-installer/locale "${x#*=}" ;;
			*) preseed_set d-i debian-installer/locale "${x#*=}.UTF-8" ;;
			esac
			;;
		esac
	done
	for item in $locations; do
		[ -r "$item" ] || [ ! -r "/cdrom$item" ] || item=/cdrom$item
		if [ -r "$item" ]; then
			preseed_load "$item"
			printf 'casper: seed %s\n' "$item" >>"$CASPER_LOG"
			log ubiquity "seed: $item"
		else
			printf 'casper: no seed %s\n' "$item" >>"$CASPER_LOG"
			log ubiquity "no seed: $item"
		fi
	done
	casper_stop_network
	printf 'done.\n'
}

# casper_start_network / casper_stop_network - 24preseed's start_network
# and stop_network: DHCP on every NIC (its dhclient; busybox udhcpc with
# /etc/udhcpc/default.script here), whatever comes of it, and down again.
# udev has settled before casper-bottom runs: wait for the NIC as it would.
casper_start_network() {
	local i=0 device name
	[ -z "${casper_network:-}" ] || return 0
	casper_network=1
	run casper modprobe virtio_net
	while [ -z "$(ls /sys/class/net/*/device 2>/dev/null)" ] && [ "$i" -lt 50 ]; do
		usleep 100000
		i=$((i + 1))
	done
	for device in /sys/class/net/*/device; do
		[ -e "$device" ] || continue
		name=${device%/device}
		name=${name##*/}
		run casper ip link set dev lo up
		run casper udhcpc -i "$name" -n -q -t 5
	done
}
casper_stop_network() {
	local device name
	[ -n "${casper_network:-}" ] || return 0
	for device in /sys/class/net/*/device; do
		[ -e "$device" ] || continue
		name=${device%/device}
		run casper ip link set dev "${name##*/}" down
	done
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
