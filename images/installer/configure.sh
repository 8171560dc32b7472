# Configuring the installed system, sourced by /init after the payload is
# unpacked. Uses the answers /init collected: hostname, domain, fullname,
# username, password, uuid, disk, part, VARIANT.
#
# The identity files make libguestfs inspection see a Debian root; the
# boot-time evidence (journal, syslog, lightdm.log) is NOT written here: the
# installed system writes it itself when it boots.

configure_target() {
	local t=/target hash
	hash=$(mkpasswd -m sha512 "$password")
	log user-setup "creating user $username (uid 1000)"

	printf '%s\n' "$hostname" >$t/etc/hostname
	cat >$t/etc/hosts <<-HOSTS
		127.0.0.1	localhost
		127.0.1.1	$hostname.$domain	$hostname

		::1	localhost ip6-localhost ip6-loopback
	HOSTS
	cat >$t/etc/fstab <<-FSTAB
		# /etc/fstab: static file system information.
		# <file system> <mount point> <type> <options> <dump> <pass>
		# / was on $part during installation
		UUID=$uuid	/	ext4	errors=remount-ro	0	1
	FSTAB
	cat >$t/etc/os-release <<-OS
		PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
		NAME="Debian GNU/Linux"
		VERSION_ID="12"
		VERSION="12 (bookworm)"
		VERSION_CODENAME=bookworm
		ID=debian
		VARIANT="Smokegate test image"
		VARIANT_ID=smoketest
		HOME_URL="https://www.debian.org/"
	OS
	echo 12.0 >$t/etc/debian_version

	cat >$t/etc/passwd <<-PASSWD
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
		lightdm:x:108:115:Light Display Manager:/var/lib/lightdm:/bin/false
		$username:x:1000:1000:$fullname,,,:/home/$username:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	PASSWD
	# No root password was preseeded: root is locked, the user gets sudo.
	cat >$t/etc/shadow <<-SHADOW
		root:*:19700:0:99999:7:::
		daemon:*:19700:0:99999:7:::
		lightdm:*:19700:0:99999:7:::
		$username:$hash:19700:0:99999:7:::
		nobody:*:19700:0:99999:7:::
	SHADOW
	chmod 0640 $t/etc/shadow
	cat >$t/etc/group <<-GROUP
		root:x:0:
		daemon:x:1:
		adm:x:4:$username
		sudo:x:27:$username
		video:x:44:$username
		lightdm:x:115:
		$username:x:1000:
		nogroup:x:65534:
	GROUP
	mkdir -p $t/home/$username
	chown 1000:1000 $t/home/$username
	chmod 0755 $t/home/$username

	# A new machine gets its own id, as systemd-machine-id-setup does; the
	# journal the system writes at boot lives in a folder named after it.
	tr -d '-' </proc/sys/kernel/random/uuid >$t/etc/machine-id
	log finish-install "machine-id $(cat $t/etc/machine-id)"
}

# finish_logs - what d-i leaves in /var/log/installer on the target.
finish_logs() {
	local d=/target/var/log/installer
	mkdir -p $d/cdebconf
	cp /cdrom/.disk/info $d/media-info 2>/dev/null
	printf 'Package: smoketest-installer\nStatus: install ok installed\nVersion: 1.0\nVariant: %s\n\n' \
		"$VARIANT" >$d/status
	for udeb in main-menu hw-detect cdrom-detect localechooser netcfg user-setup-udeb \
		partman-base base-installer grub-installer finish-install; do
		printf 'Package: %s\nStatus: install ok installed\nVersion: 1.0\n\n' "$udeb" >>$d/status
	done
	lsmod >$d/lsmod 2>/dev/null
	cp "$QUESTIONS" $d/cdebconf/questions.dat
	chmod 0600 $d/cdebconf/questions.dat
	log finish-install "installation finished"
	cp "$SYSLOG" $d/syslog
}
