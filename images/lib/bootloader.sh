# The test ISOs' boot loaders, as Debian's own CDs have them: isolinux for
# BIOS, and for UEFI an El Torito image (a FAT file system, made with
# dosfstools and mtools: no mounts) holding shim as EFI/boot/bootx64.efi and
# GRUB as EFI/boot/grubx64.efi. Sourced by the recipes; needs msg and die.
# The loaders come from ../efi/efi-loaders.sh (a folder: EFI_LOADERS).
# EFI_ARCH is UEFI's name of the machine they are for, in their file
# names: x64 (amd64, the default) or aa64 (arm64: bootaa64.efi,
# grubaa64.efi, from Debian's arm64 shim-signed and grub-efi-arm64-signed).
EFI_ARCH=x64

# isolinux_files DIR - isolinux and the text-mode menu's modules (menu.c32
# draws with BIOS text calls, which SeaBIOS's serial console mirrors; Debian's
# own vesamenu.c32 draws in a VESA graphics mode that reaches no serial port).
isolinux_files() {
	local m
	mkdir -p "$1"
	cp /usr/lib/ISOLINUX/isolinux.bin "$1/"
	for m in ldlinux.c32 menu.c32 libutil.c32 libcom32.c32; do
		cp "/usr/lib/syslinux/modules/bios/$m" "$1/"
	done
}

# efi_loaders_check DIR - the files efi-loaders.sh writes are all there.
efi_loaders_check() {
	local f
	for f in "shim$EFI_ARCH.efi.signed" "gcd$EFI_ARCH.efi.signed" "gcd$EFI_ARCH.efi"; do
		[ -s "$1/$f" ] || die "missing $1/$f (build it with images/efi/efi-loaders.sh)"
	done
}

# efi_image OUT BOOTX64 GRUBX64 [STUB_CFG] - the EFI El Torito image:
# BOOTX64 as EFI/boot/bootx64.efi (the loader UEFI starts from removable
# media), GRUBX64 (unless "") as EFI/boot/grubx64.efi (what shim starts
# next); x64 is EFI_ARCH. With
# STUB_CFG, also boot/grub/grub.cfg in the image, as live-build writes it
# (scripts/build/binary_grub-efi: search the CD by /.disk/info, then its
# /boot/grub/grub.cfg); without, debian-cd's layout, where GRUB's built-in
# config does that search itself. The size follows live-build's rule: the
# files plus 4 KiB a folder, plus 55 KiB, in 32 KiB steps.
efi_image() {
	local out=$1 bootx64=$2 grubx64=$3 stub=${4:-} size blocks
	size=$(($(stat -L -c %s "$bootx64") + 4 * 4096))
	[ -z "$grubx64" ] || size=$((size + $(stat -L -c %s "$grubx64")))
	[ -z "$stub" ] || size=$((size + $(stat -L -c %s "$stub")))
	blocks=$(((size / 1024 + 55) / 32 * 32))
	rm -f "$out"
	mkdir -p "$(dirname "$out")"
	# The volume serial number debian-cd gives its image; --invariant: the
	# same bytes on every build.
	mkfs.msdos --invariant -i deb00001 -C "$out" "$blocks" >/dev/null ||
		die "mkfs.msdos failed for $out"
	export MTOOLS_SKIP_CHECK=1
	mmd -i "$out" ::EFI ::EFI/boot
	mcopy -i "$out" "$bootx64" "::EFI/boot/boot$EFI_ARCH.efi"
	[ -z "$grubx64" ] || mcopy -i "$out" "$grubx64" "::EFI/boot/grub$EFI_ARCH.efi"
	if [ -n "$stub" ]; then
		mmd -i "$out" ::boot ::boot/grub
		mcopy -i "$out" "$stub" ::boot/grub/grub.cfg
	fi
}

# efi_image_of KIND OUT LOADERS [STUB_CFG] - the EFI El Torito image of one
# KIND, which says what it holds:
#   signed           Debian's signed shim, then Debian's signed CD GRUB: what
#                    Debian's CDs ship; boots under Secure Boot
#   unsigned-grub    Debian's signed shim, then the same GRUB unsigned: shim
#                    refuses it under Secure Boot; plain UEFI boots it
#   unsigned-loader  the unsigned GRUB is the loader itself: the firmware
#                    refuses it under Secure Boot; plain UEFI boots it
# Put it (or a link to it) at TREE/boot/grub/efi.img, beside the CD's
# /boot/grub/grub.cfg, and make_iso adds the EFI El Torito entry.
efi_image_of() {
	local kind=$1 out=$2 loaders=$3 stub=${4:-}
	efi_loaders_check "$loaders"
	case $kind in
	signed) efi_image "$out" "$loaders/shim$EFI_ARCH.efi.signed" "$loaders/gcd$EFI_ARCH.efi.signed" "$stub" ;;
	unsigned-grub) efi_image "$out" "$loaders/shim$EFI_ARCH.efi.signed" "$loaders/gcd$EFI_ARCH.efi" "$stub" ;;
	unsigned-loader) efi_image "$out" "$loaders/gcd$EFI_ARCH.efi" "" "$stub" ;;
	*) die "efi_image_of: unknown kind $kind" ;;
	esac
}

# menu_file TEMPLATE OUT [KEY=VALUE]... - a boot menu from a template of
# images/isolinux or images/grub, each %KEY% replaced by VALUE (debian-cd's
# own placeholder style: %install%).
menu_file() {
	local in=$1 out=$2 kv script=
	shift 2
	for kv in "$@"; do
		script="$script;s|%${kv%%=*}%|${kv#*=}|g"
	done
	mkdir -p "$(dirname "$out")"
	rm -f "$out"
	sed "${script#;}" "$in" >"$out"
	! grep -q '%[a-z]*%' "$out" || die "$out: a %placeholder% left unfilled"
}
