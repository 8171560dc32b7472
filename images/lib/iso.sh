# make_iso TREE OUT [VOLID] - a hybrid El Torito ISO the way debian-cd
# builds Debian's CDs (tools/boot/bookworm/boot-x86): isolinux boots it from
# a BIOS, isohdpfx.bin lets the same file boot from a disk; when the tree
# has boot/grub/efi.img (lib/bootloader.sh), a second El Torito entry
# boots that FAT image under UEFI, and a GPT makes the image's partition
# findable on a disk too. TREE holds the ISO's files (symlinks to the real
# files are followed, so common files are not copied per variant). VOLID
# is the volume id (default SMOKETEST_AMD64); the installers and live-boot
# of the other families find their own CD-ROM by it. A TREE without
# isolinux/ is UEFI only, as debian-cd's boot-arm64 makes arm64 CDs: the
# EFI image the only El Torito entry, and appended as partition 2 so the
# same file boots from a disk.
make_iso() {
	local tree=$1 out=$2 volid=${3:-SMOKETEST_AMD64} boot=()
	if [ ! -e "$tree/isolinux" ]; then
		[ -e "$tree/boot/grub/efi.img" ] || die "$tree: neither isolinux nor an EFI image"
		boot=(-e boot/grub/efi.img -no-emul-boot
			-append_partition 2 0xef "$(realpath "$tree/boot/grub/efi.img")"
			-partition_cyl_align all)
	else
		boot=(-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin
			-b isolinux/isolinux.bin -c isolinux/boot.cat
			-no-emul-boot -boot-load-size 4 -boot-info-table)
		if [ -e "$tree/boot/grub/efi.img" ]; then
			boot+=(-eltorito-alt-boot -e boot/grub/efi.img -no-emul-boot
				-isohybrid-gpt-basdat -isohybrid-apm-hfsplus)
		else
			# debian-cd's choice for an image without EFI.
			boot+=(-partition_offset 16)
		fi
	fi
	rm -f "$out.tmp"
	xorriso -as mkisofs -quiet -follow-links \
		-o "$out.tmp" -V "$volid" -r -J -joliet-long \
		"${boot[@]}" \
		"$tree" 2>&1 | grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
	[ -s "$out.tmp" ] || die "xorriso did not write $out"
	mv -f "$out.tmp" "$out"
}
