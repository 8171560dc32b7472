# Who and what the system is, sourced by the installer's configure.sh and by
# the live init: the files libguestfs inspection reads (os-release,
# debian_version) and the accounts lightdm logs in as. The installer writes
# them onto the disk once; the live init writes them into the live
# session's RAM overlay at every boot, as casper and live-boot create their
# live user at boot.

# write_os_release ROOT DISTRO - DISTRO is debian or ubuntu.
write_os_release() {
	local t=$1
	case $2 in
	ubuntu)
		cat >$t/etc/os-release <<-OS
			PRETTY_NAME="Ubuntu 22.04.4 LTS"
			NAME="Ubuntu"
			VERSION_ID="22.04"
			VERSION="22.04.4 LTS (Jammy Jellyfish)"
			VERSION_CODENAME=jammy
			ID=ubuntu
			ID_LIKE=debian
			VARIANT="Smokegate test image"
			VARIANT_ID=smoketest
			HOME_URL="https://www.ubuntu.com/"
			UBUNTU_CODENAME=jammy
		OS
		cat >$t/etc/lsb-release <<-LSB
			DISTRIB_ID=Ubuntu
			DISTRIB_RELEASE=22.04
			DISTRIB_CODENAME=jammy
			DISTRIB_DESCRIPTION="Ubuntu 22.04.4 LTS"
		LSB
		echo bookworm/sid >$t/etc/debian_version
		printf 'Ubuntu 22.04.4 LTS \\n \\l\n\n' >$t/etc/issue
		;;
	*)
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
		;;
	esac
}

# write_accounts ROOT USER UID FULLNAME HASH - root locked, one desktop
# user with sudo (the installers' user is uid 1000, casper's live user 999).
write_accounts() {
	local t=$1 user=$2 uid=$3 fullname=$4 hash=$5
	cat >$t/etc/passwd <<-PASSWD
		root:x:0:0:root:/root:/bin/sh
		daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
		lightdm:x:108:115:Light Display Manager:/var/lib/lightdm:/bin/false
		$user:x:$uid:$uid:$fullname,,,:/home/$user:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
	PASSWD
	cat >$t/etc/shadow <<-SHADOW
		root:*:19700:0:99999:7:::
		daemon:*:19700:0:99999:7:::
		lightdm:*:19700:0:99999:7:::
		$user:$hash:19700:0:99999:7:::
		nobody:*:19700:0:99999:7:::
	SHADOW
	chmod 0640 $t/etc/shadow
	cat >$t/etc/group <<-GROUP
		root:x:0:
		daemon:x:1:
		adm:x:4:$user
		sudo:x:27:$user
		video:x:44:$user
		lightdm:x:115:
		$user:x:$uid:
		nogroup:x:65534:
	GROUP
	mkdir -p $t/home/$user
	chown $uid:$uid $t/home/$user
	chmod 0755 $t/home/$user
}

# new_machine_id ROOT - as systemd-machine-id-setup does; the journal the
# system writes at boot lives in a folder named after it.
new_machine_id() {
	tr -d '-' </proc/sys/kernel/random/uuid >$1/etc/machine-id
}
