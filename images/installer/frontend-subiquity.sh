# subiquity's face (Ubuntu Server live ISO), sourced by /init. Progress is
# subiquity's event lines on the console ("start: NAME: DESC" and
# "finish: NAME: SUCCESS|FAIL: DESC"), the answers come from the autoinstall:
# key of cloud-init's NoCloud user-data (cloud-init.sh), turned into debconf
# style answers so the shared steps ask for them the same way; the logs are
# subiquity's and curtin's. Like the real one it only installs unattended
# when "autoinstall" is on the command line, and goes interactive (a
# keyboard question) without an autoinstall config.

. /lib/smoketest/media.sh
. /lib/smoketest/cloud-init.sh

FRONTEND_MODULES="loop squashfs"
# The installed system says it is Ubuntu (identity.sh).
DISTRO=ubuntu
# Keys an autoinstall config may leave out: subiquity has defaults.
DEFAULTED_KEYS="debian-installer/locale partman-auto/method grub-installer/bootdev"
MEDIUM_LABEL=SMOKETEST_SUBIQUITY
PRESEED=/var/lib/subiquity/answers.cfg
SERVER_LOG=/var/log/subiquity-server-debug.log
CURTIN_LOG=/var/log/curtin-install.log
EVENT=            # the event now running, finished by the next stage
CURTIN=/Install/install/curtin_install

# sq LINE - a console line, also in the server's debug log.
sq() {
	printf '%s\n' "$*"
	printf '%s INFO subiquity.server.server:0 %s\n' "$(date '+%Y-%m-%d %H:%M:%S,000')" "$*" >>"$SERVER_LOG"
	log subiquity "$*"
}

# event_start NAME DESC / event_finish RESULT DESC - subiquity's reporting.
event_start() {
	EVENT=$1
	EVENT_DESC=$2
	sq "start: subiquity$1: $2"
	case $1 in "$CURTIN"/*) echo "start: curtin ${1##*/}: $2" >>"$CURTIN_LOG" ;; esac
}
event_finish() {
	[ -n "$EVENT" ] || return 0
	sq "finish: subiquity$EVENT: $1: $EVENT_DESC"
	case $EVENT in "$CURTIN"/*) echo "finish: curtin ${EVENT##*/}: $1: $EVENT_DESC" >>"$CURTIN_LOG" ;; esac
	EVENT=
}

frontend_banner() {
	echo
	sq "subiquity 24.04.1 (smokegate test image, $VARIANT) starting"
}

# stage ID TEXT - the event each shared step is part of.
stage() {
	event_finish SUCCESS
	case $1 in
	hardware) event_start /Probe/probe "probing block devices" ;;
	media) event_start /Source/load "loading the installation source" ;;
	components) event_start /Early/run "running early commands" ;;
	network) event_start /Network/apply_autoinstall_config "configuring the network" ;;
	users) event_start /Identity/apply_autoinstall_config "setting up the user" ;;
	partition)
		sq "start: subiquity/Install/install: installing the system"
		sq "start: subiquity$CURTIN: curtin command install"
		event_start "$CURTIN/run_curtin_step/partitioning" "curtin command block-meta"
		;;
	base) event_start "$CURTIN/run_curtin_step/extract" "curtin command extract" ;;
	configure) event_start "$CURTIN/run_curtin_step/curthooks" "curtin command curthooks" ;;
	bootloader) event_start "$CURTIN/run_curtin_step/install-grub" "curtin command install-grub" ;;
	finish)
		sq "finish: subiquity$CURTIN: SUCCESS: curtin command install"
		event_start /Install/install/postinstall "configuring the installed system"
		;;
	*) event_start "/$1" "$2" ;;
	esac
}

# fail COMPONENT TITLE TEXT - the event fails, and with a curtin step the
# whole curtin install and the install with it; subiquity saves a crash
# report (on the target too, if it is mounted) and waits at its error
# screen.
fail() {
	local running=$EVENT report
	log subiquity "$2: $3"
	event_finish FAIL
	case $running in
	"$CURTIN"/*)
		sq "finish: subiquity$CURTIN: FAIL: curtin command install"
		sq "finish: subiquity/Install/install: FAIL: installing the system"
		;;
	esac
	report=/var/log/subiquity-traceback.txt
	cat >$report <<-TB
		Traceback (most recent call last):
		  File "/snap/subiquity/5004/lib/python3.10/site-packages/subiquity/server/controllers/install.py", line 302, in install
		    await self.curtin_install(context=context, source=source)
		  File "/snap/subiquity/5004/lib/python3.10/site-packages/subiquity/server/curtin.py", line 153, in wait
		    raise subprocess.CalledProcessError(result.returncode, self._cmd)
		subprocess.CalledProcessError: Command '['curtin', '$1']' returned non-zero exit status 3.
		($2: $3)
	TB
	if grep -q ' /target ' /proc/mounts; then
		subiquity_logs
		cp $report /target/var/log/installer/subiquity-traceback.txt
	fi
	sync
	sq "An error occurred during installation: $(printf '%s\n' "$3" | head -n 1)"
	forever
}

frontend_mount_media() {
	local dev
	dev=$(find_cdrom "$MEDIUM_LABEL" 30) &&
		run cdrom-detect mount -t iso9660 -o ro "$dev" /cdrom ||
		fail source 'Detect the installation medium' "No medium labelled $MEDIUM_LABEL was found."
}

# interactive - what subiquity shows first without an autoinstall config;
# on a serial console nobody answers it.
interactive() {
	log subiquity "no autoinstall config: $1"
	event_finish SUCCESS
	dialog '!' 'Keyboard configuration' \
		'Please select your keyboard layout below, or select "Identify keyboard" to detect your layout automatically.

Layout: English (US)'
}

# The answers: NoCloud user-data's autoinstall: section, confirmed by
# "autoinstall" on the command line, written out as debconf-style answers.
frontend_answers() {
	local arg confirmed= reply value
	nocloud_fetch || interactive "no CIDATA volume with a user-data file"
	head -n 1 "$NOCLOUD_SEED/user-data" | grep -q '^#cloud-config' &&
		autoinstall_get version >/dev/null ||
		interactive "user-data is not a #cloud-config with an autoinstall: key"
	for arg in $(cat /proc/cmdline); do
		[ "$arg" = autoinstall ] && confirmed=1
	done
	while [ -z "$confirmed" ]; do
		# subiquity asks before it erases disks unless the kernel
		# command line already says yes.
		printf '\nA valid autoinstall configuration was found (NoCloud, CIDATA).\n'
		printf 'Autoinstall will wipe the disks it uses.\n'
		printf 'Continue with autoinstall? (yes|no)\n'
		log subiquity "waiting for autoinstall confirmation"
		read -r reply 2>/dev/null || sleep 3600
		[ "$reply" = yes ] && confirmed=1
	done
	mkdir -p "${PRESEED%/*}"
	: >"$PRESEED"
	answer() { printf 'subiquity %s string %s\n' "$1" "$2" >>"$PRESEED"; }
	value=$(autoinstall_get identity/hostname) && answer netcfg/get_hostname "$value"
	value=$(autoinstall_get identity/username) && answer passwd/username "$value" &&
		answer passwd/user-fullname "$(autoinstall_get identity/realname || echo "$value")"
	password_hash=$(autoinstall_get identity/password) || password_hash=
	value=$(autoinstall_get locale) && answer debian-installer/locale "$value"
	# layout "direct" (or the default, lvm) takes the largest disk: the
	# only one here.
	wait_for /dev/vda 5 && answer partman-auto/disk /dev/vda
	answer subiquity/shutdown "$(autoinstall_get shutdown || echo reboot)"
	log subiquity "autoinstall: storage layout $(autoinstall_get storage/layout/name || echo lvm)"
}

# Where subiquity and curtin leave their logs on the installed system.
subiquity_logs() {
	local d=/target/var/log/installer
	mkdir -p $d
	cp /cdrom/.disk/info $d/media-info 2>/dev/null
	autoinstall_section >$d/autoinstall-user-data
	chmod 0600 $d/autoinstall-user-data
	cp "$SERVER_LOG" $d/subiquity-server-debug.log
	{ cat "$CURTIN_LOG"; grep -E ' (partman|base-installer|grub-installer)\[' "$SYSLOG"; } >$d/curtin-install.log
	cp "$SYSLOG" $d/installer-journal.txt
}

frontend_finish() {
	local shutdown
	shutdown=$(ask_default subiquity/shutdown reboot)
	event_finish SUCCESS
	sq "finish: subiquity/Install/install: SUCCESS: installing the system"
	subiquity_logs
	sync
	umount /target
	umount /cdrom
	sync
	sq "start: subiquity/Shutdown/shutdown: mode=$(echo "$shutdown" | tr a-z A-Z)"
	if [ "$shutdown" = poweroff ]; then
		poweroff -f
	else
		reboot -f
	fi
}
