#!/bin/bash
# real-di-arm64-iso.sh OUTDIR - Debian's REAL arm64 debian-installer (the
# kernel and initrd.gz of debian-installer-12-netboot-arm64, copied
# untouched) on a CD laid out as Debian 12's arm64 netinst is, from Debian's
# own arm64 packages (fetched for arm64 with an apt configuration of the
# recipe's own: lib/foreign-apt.sh):
#
#   smoketest-real-di-arm64-netinst.iso
#     /install.a64/vmlinuz, /install.a64/initrd.gz   the real d-i, byte for byte
#     /.disk/info   Debian GNU/Linux 12.N.0 "Bookworm" - Official arm64 NETINST with firmware DATE
#     volume id     Debian 12.N.0 arm64 n
#     /boot/grub/grub.cfg   d-i's own arm64 menu (the package's grub.cfg with
#                   the CD's paths, as d-i's cdrom build writes it: text
#                   only, no font, no splash)
#     /boot/grub/arm64-efi/ the package's GRUB modules and the grub.cfg
#                   d-i's build/util/efi-image writes there (insmod part_*,
#                   then /boot/grub/grub.cfg)
#     boot/grub/efi.img     the EFI El Torito image (also appended as
#                   partition 2, as debian-cd's boot-arm64 does), holding
#                   what efi-image puts in it for a signed build:
#                     efi/boot/bootaa64.efi  shim-signed's shimaa64.efi.signed
#                     efi/boot/grubaa64.efi  grub-efi-arm64-signed's
#                                            grubaa64.efi.signed (prefix
#                                            /EFI/debian)
#                     efi/debian/grub.cfg    finds the CD by /.disk/info and
#                                            reads its /boot/grub/arm64-efi/grub.cfg
#     /EFI/         the same efi/ tree on the CD itself (debian-cd copies it
#                   there: GRUB may take the CD for its root)
#
# UEFI only, as an arm64 machine boots (no isolinux). N and DATE come from
# the package, as in ../real-di/real-di-iso.sh. No mounts, no root. What is
# not there, unlike Debian's CD: /pool/, /dists/ and the graphical
# installer (/install.a64/gtk/, which the menu's "Graphical" entries name).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/common.sh"
. "$here/lib/foreign-apt.sh"
. "$here/lib/di-release.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
outdir=$1
need xorriso apt-get apt-cache dpkg-deb mkfs.msdos mmd mcopy

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

foreign_apt arm64 "$work/apt"
debian_package_files "$work/package" debian-installer-12-netboot-arm64 shim-signed \
	grub-efi-arm64-signed
di=$work/package/usr/lib/debian-installer/images/12/arm64/text
netboot=$di/debian-installer/arm64
shim=$work/package/usr/lib/shim/shimaa64.efi.signed
grub=$work/package/usr/lib/grub/arm64-efi-signed/grubaa64.efi.signed
need_file "$netboot/linux" "$netboot/initrd.gz" "$netboot/grub/grub.cfg" \
	"$netboot/grub/arm64-efi/grub.cfg" "$di/version.info" "$shim" "$grub"

build=$(sed -n 's/^Installer build: *//p' "$di/version.info")
release=$(di_release "$di/version.info")
stamp=$(date -u -r "$netboot/initrd.gz" +%Y%m%d-%H:%M)

tree=$work/tree
mkdir -p "$tree/install.a64" "$tree/.disk" "$tree/boot/grub"
cp "$netboot/linux" "$tree/install.a64/vmlinuz"
cp "$netboot/initrd.gz" "$tree/install.a64/initrd.gz"
cmp -s "$netboot/initrd.gz" "$tree/install.a64/initrd.gz" || die "initrd.gz changed on copy"
printf 'Debian GNU/Linux %s "Bookworm" - Official arm64 NETINST with firmware %s' \
	"$release" "$stamp" >"$tree/.disk/info"
echo "not_complete" >"$tree/.disk/cd_type"
cat >"$tree/README.txt" <<TXT
smokegate test fixture: Debian's real arm64 debian-installer $build
(kernel and initrd.gz of the package debian-installer-12-netboot-arm64,
untouched) in the layout of a Debian $release arm64 netinst CD. It holds no
packages: the installer fetches everything else from a mirror.
TXT

# d-i's netboot menu names its files from the TFTP root; its cdrom build
# names the same kernel /install.a64/vmlinuz.
sed -e 's|/debian-installer/arm64/linux|/install.a64/vmlinuz|g' \
	-e 's|/debian-installer/arm64/|/install.a64/|g' \
	"$netboot/grub/grub.cfg" >"$tree/boot/grub/grub.cfg"
grep -q '/debian-installer/' "$tree/boot/grub/grub.cfg" && die "a netboot path left in grub.cfg"
cp -r "$netboot/grub/arm64-efi" "$tree/boot/grub/"
cp "$netboot/grub/font.pf2" "$tree/boot/grub/"

# efi-image's skeleton grub.cfg: the signed GRUB's prefix is /EFI/debian.
efi=$tree/EFI
mkdir -p "$efi/boot" "$efi/debian"
cp "$shim" "$efi/boot/bootaa64.efi"
cp "$grub" "$efi/boot/grubaa64.efi"
cat >"$efi/debian/grub.cfg" <<'CFG'
search --file --set=root /.disk/info
set prefix=($root)/boot/grub
source $prefix/arm64-efi/grub.cfg
CFG
# debian-cd's size rule (calculate_efi_image_size): the files in KiB, 32 KiB
# over each, in 32 KiB steps, a block per folder.
blocks=0
for f in "$efi"/boot/* "$efi"/debian/*; do
	blocks=$((blocks + ($(stat -c %s "$f") / 1024 + 1 + 32 + 31) / 32 * 32))
done
blocks=$((blocks + 4))
img=$tree/boot/grub/efi.img
mkfs.msdos --invariant -i deb00001 -C "$img" "$blocks" >/dev/null || die "mkfs.msdos failed for $img"
export MTOOLS_SKIP_CHECK=1
mmd -i "$img" ::efi
mcopy -s -i "$img" "$efi"/* ::efi

volid="Debian $release arm64 n"
iso=$outdir/smoketest-real-di-arm64-netinst.iso
rm -f "$iso.tmp"
xorriso -as mkisofs -quiet -o "$iso.tmp" -V "$volid" -r -J -joliet-long -cache-inodes -l \
	-e boot/grub/efi.img -no-emul-boot -append_partition 2 0xef "$img" \
	-partition_cyl_align all "$tree" 2>&1 |
	grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
[ -s "$iso.tmp" ] || die "xorriso did not write $iso"
mv -f "$iso.tmp" "$iso"
msg "wrote $iso ($volid; d-i $build)"
