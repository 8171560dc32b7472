# The installing itself, the same for every installer family, sourced by
# /init: partitioning, the payload, waiting. Failures go to the frontend's
# fail COMPONENT TITLE TEXT, which shows them the way that installer would
# and never returns.

# The machine the installer runs on, in the names the install needs: UEFI's
# for its loaders (x64, aa64), GRUB's platform folder, and the serial
# console (the PC's 16550, the arm64 virt machine's PL011), where d-i's
# finish-install puts the installed system's getty too.
case $(uname -m) in
aarch64) EFI_ARCH=aa64 GRUB_EFI=arm64-efi SERIAL=ttyAMA0 ;;
*) EFI_ARCH=x64 GRUB_EFI=x86_64-efi SERIAL=ttyS0 ;;
esac

# wait_for DEVICE SECONDS - block devices show up once their driver probed.
wait_for() {
	local i=0
	while [ ! -b "$1" ]; do
		i=$((i + 1))
		[ "$i" -gt "$(($2 * 10))" ] && return 1
		usleep 100000
	done
}

# forever - what a hung installer does.
forever() {
	while :; do sleep 3600; done
}

# partition_disk DISK - the disk laid out as partman-auto's regular
# recipe does for the firmware it runs under, the root file system ext4 and
# mounted on /target. Under UEFI (/sys/firmware/efi, as d-i's archdetect
# tells amd64/efi) a GPT with an EFI system partition (FAT32) first and the
# root after it; under BIOS one bootable Linux partition in an MBR. Sets
# part and uuid (the root) and ESP (UEFI only) for configure.sh and
# bootloader.sh.
partition_disk() {
	local features layout
	disk=$1
	ESP=
	wait_for "$disk" 30 || fail partman 'Partition disks' "No disk $disk was found."
	if [ -d /sys/firmware/efi ]; then
		ESP=${disk}1
		part=${disk}2
		layout='label: gpt
size=128MiB, type=U
type=L'
	else
		part=${disk}1
		layout=',,L,*'
	fi
	echo "$layout" | run partman sfdisk --wipe always "$disk" ||
		fail partman 'Partition disks' "The partition table on $disk could not be written."
	wait_for "$part" 10
	if [ -n "$ESP" ]; then
		wait_for "$ESP" 10
		# The real mkfs.fat (dosfstools), as partman-efi formats it.
		esp_id=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
		run partman /usr/sbin/mkfs.fat -F 32 -i "$esp_id" "$ESP" ||
			fail partman 'Partition disks' \
				"Failed to create a file system

The FAT32 file system creation in partition #1 of $disk failed."
	fi
	uuid=$(cat /proc/sys/kernel/random/uuid)
	# The real mke2fs (busybox sh would run its own applet for a bare name,
	# which cannot make ext4). extlinux 6.04 reads ext4 without 64bit and metadata_csum.
	features=^64bit,^metadata_csum,^metadata_csum_seed,^orphan_file
	[ "$VARIANT" = installer-error ] && features=$features,smoketest_broken_feature
	if ! run partman /usr/sbin/mke2fs -F -q -t ext4 -U "$uuid" -L root -O "$features" "$part"; then
		fail partman 'Partition disks' \
			"Failed to create a file system

The ext4 file system creation in partition #${part##*[!0-9]} of $disk failed."
	fi
	run partman mount -t ext4 "$part" /target ||
		fail partman 'Partition disks' "Mounting partition #${part##*[!0-9]} of $disk on /target failed."
}

# install_payload - the installed system onto /target. d-i unpacks its
# tarballs from /pool; ubiquity and curtin copy the live file system
# (/casper/filesystem.squashfs), as the real ones do.
install_payload() {
	local payload
	if [ "$FAMILY" = debian-installer ]; then
		for payload in /cdrom/pool/system.tar.gz /cdrom/pool/overlay.tar.gz; do
			[ -e "$payload" ] || continue
			run base-installer tar -xzf "$payload" -C /target ||
				fail base-installer 'Install the base system' "Unpacking $payload failed."
		done
		# /install.amd/ or /install.a64/: d-i's folder for the CD's architecture.
		run base-installer cp /cdrom/install.*/vmlinuz /target/boot/vmlinuz
		return
	fi
	payload=/cdrom/casper/filesystem.squashfs
	mkdir -p /rofs
	run base-installer mount -t squashfs -o ro,loop "$payload" /rofs ||
		fail extract 'Install the base system' "Mounting $payload failed."
	run base-installer cp -a /rofs/. /target/ ||
		fail extract 'Install the base system' "Copying $payload to /target failed."
	umount /rofs
	run base-installer cp /cdrom/casper/vmlinuz /target/boot/vmlinuz
}
