# Configuring the installed system, sourced by /init after the payload is
# unpacked. Uses the answers /init collected: hostname, domain (may be
# empty: ubiquity and subiquity do not ask for one), fullname, username,
# password or password_hash (subiquity's identity is already crypted), uuid,
# disk, part, ESP and esp_id (UEFI: the EFI system partition and its FAT
# volume id), DISTRO, VARIANT.
#
# The identity files (identity.sh) make libguestfs inspection see a Debian
# or Ubuntu root; the
# boot-time evidence (journal, syslog, lightdm.log) is NOT written here: the
# installed system writes it itself when it boots.

configure_target() {
	local t=/target hash
	hash=${password_hash:-$(mkpasswd -m sha512 "$password")}
	log user-setup "creating user $username (uid 1000)"

	printf '%s\n' "$hostname" >$t/etc/hostname
	cat >$t/etc/hosts <<-HOSTS
		127.0.0.1	localhost
		127.0.1.1	${domain:+$hostname.$domain	}$hostname

		::1	localhost ip6-localhost ip6-loopback
	HOSTS
	cat >$t/etc/fstab <<-FSTAB
		# /etc/fstab: static file system information.
		# <file system> <mount point> <type> <options> <dump> <pass>
		# / was on $part during installation
		UUID=$uuid	/	ext4	errors=remount-ro	0	1
	FSTAB
	if [ -n "${ESP:-}" ]; then
		cat >>$t/etc/fstab <<-FSTAB
			# /boot/efi was on $ESP during installation
			UUID=$(echo "$esp_id" | tr a-f A-F | sed 's/^..../&-/')	/boot/efi	vfat	umask=0077	0	1
		FSTAB
		mkdir -p $t/boot/efi
	fi
	write_os_release $t "$DISTRO"
	# finish-install's getty on the serial console the installer ran on.
	[ "$SERIAL" = ttyS0 ] || sed -i "s/ttyS0/$SERIAL/g" $t/etc/inittab

	# No root password was preseeded: root is locked, the user gets sudo.
	write_accounts $t "$username" 1000 "$fullname" "$hash"

	new_machine_id $t
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
