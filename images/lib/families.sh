# Helpers for the ISOs of the casper (ubiquity), subiquity and live
# families, sourced by build-test-images.sh. Same rule as the others: plain
# files and folders, no mounts.

# variant_initrd BASE FAMILY VARIANT OUT - BASE with a second cpio appended
# holding /etc/family and /etc/variant: the kernel unpacks it over the
# first, so one installer initrd serves every family and variant.
variant_initrd() {
	local base=$1 family=$2 variant=$3 out=$4 d
	d=$(mktemp -d "$work/switch.XXXXXX")
	mkdir -p "$d/etc"
	printf '%s\n' "$family" >"$d/etc/family"
	printf '%s\n' "$variant" >"$d/etc/variant"
	rootfs_cpio "$d" "$d.gz"
	cat "$base" "$d.gz" >"$out"
	rm -rf "$d" "$d.gz"
}

# make_squashfs ROOT OUT - the live file system, as casper and live-boot
# mount it and ubiquity/curtin copy it. gzip rather than xz: it unpacks
# fast enough under TCG. mksquashfs takes its time stamps from
# SOURCE_DATE_EPOCH when that is set.
make_squashfs() {
	rm -f "$2"
	mksquashfs "$1" "$2" -comp gzip -noappend -no-progress -quiet -all-root -no-xattrs >/dev/null ||
		die "mksquashfs failed for $1"
}

# isolinux_dir NAME CFG [KEY=VALUE]... - an isolinux folder with the shared
# binaries and this family's menu (menu_file: %KEY% filled in), printed.
isolinux_dir() {
	local d=$work/isolinux-$1 cfg=$2 f
	shift 2
	mkdir -p "$d"
	for f in "$common"/isolinux/*.c32 "$common/isolinux/isolinux.bin"; do
		ln -sf "$f" "$d/"
	done
	menu_file "$cfg" "$d/isolinux.cfg" "$@"
	echo "$d"
}

# boot_tree TREE ISOLINUX GRUB_CFG [EFI_IMG] - the boot loaders of one ISO:
# TREE/isolinux the folder ISOLINUX (none when it is empty: a UEFI-only
# CD), TREE/boot/grub/grub.cfg the menu GRUB_CFG and, unless EFI_IMG is
# empty, TREE/boot/grub/efi.img (the EFI El Torito entry). Links: make_iso
# follows them.
boot_tree() {
	local tree=$1 isolinux=$2 grub_cfg=$3 efi=${4:-}
	mkdir -p "$tree/boot/grub"
	[ -z "$isolinux" ] || ln -sfn "$isolinux" "$tree/isolinux"
	ln -sf "$grub_cfg" "$tree/boot/grub/grub.cfg"
	[ -z "$efi" ] || ln -sf "$efi" "$tree/boot/grub/efi.img"
}

# disk_info TREE TEXT - /.disk/info: one line, no newline at the end.
disk_info() {
	mkdir -p "$1/.disk"
	printf '%s' "$2" >"$1/.disk/info"
}
