#!/bin/bash
# real-di-arm64-iso.sh OUTDIR - Debian's REAL arm64 debian-installer (the
# kernel and initrd.gz of debian-installer-12-netboot-arm64, an
# Architecture: all package that `apt-get download` fetches on any machine,
# copied untouched) laid out like a Debian 12 arm64 netinst CD:
#
#   smoketest-real-di-arm64-netinst.iso
#     /install.a64/vmlinuz, /install.a64/initrd.gz   the real d-i, byte for byte
#     /.disk/info   Debian GNU/Linux 12.N.0 "Bookworm" - Official arm64 NETINST with firmware DATE
#     volume id     Debian 12.N.0 arm64 n
#     /boot/grub/   d-i's GRUB menu (../grub/debian-installer.cfg) and the
#                   package's arm64-efi modules
#     EFI El Torito image boot/grub/efi.img: the package's own GRUB
#                   (grubaa64.efi, signed by Debian, no shim) as
#                   EFI/boot/bootaa64.efi; its built-in prefix is
#                   /debian-installer/arm64/grub, where a stub grub.cfg (in
#                   the image and on the CD: GRUB takes the CD for its root)
#                   finds the CD by /.disk/info and reads its
#                   /boot/grub/grub.cfg, as live-build's stub does
#
# UEFI only, as an arm64 machine boots (no isolinux). N and DATE come from
# the package, as in ../real-di/real-di-iso.sh. No mounts, no root.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/common.sh"
. "$here/lib/bootloader.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
outdir=$1
need xorriso apt-get dpkg-deb mkfs.msdos mmd mcopy

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
(cd "$work" && apt-get download -q "${sandbox[@]}" debian-installer-12-netboot-arm64) \
	>"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log" >&2; die "apt-get download debian-installer-12-netboot-arm64 failed (apt-get update first?)"; }
dpkg-deb -x "$work"/debian-installer-12-netboot-arm64_*.deb "$work/package"
di=$work/package/usr/lib/debian-installer/images/12/arm64/text
netboot=$di/debian-installer/arm64
need_file "$netboot/linux" "$netboot/initrd.gz" "$netboot/grubaa64.efi" "$di/version.info"

build=$(sed -n 's/^Installer build: *//p' "$di/version.info")
point=$(printf '%s\n' "$build" | sed -n 's/.*+deb12u\([0-9][0-9]*\)$/\1/p')
[ -n "$point" ] || die "cannot tell the point release from '$build' ($di/version.info)"
release="12.$point.0"
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
menu_file "$here/grub/debian-installer.cfg" "$tree/boot/grub/grub.cfg" install=install.a64
# The netboot GRUB carries a built-in unicode font, so d-i's "if loadfont"
# block would switch to gfxterm, off the serial console (seen); Debian's CD
# GRUB (gcdaa64.efi) has none and stays on the text console: so does this.
sed -i '/^if loadfont/,/^fi$/d' "$tree/boot/grub/grub.cfg"
grep -q '^ *terminal_output gfxterm' "$tree/boot/grub/grub.cfg" && die "gfxterm left in the arm64 menu"
cp -r "$netboot/grub/arm64-efi" "$tree/boot/grub/"

# The EFI El Torito image: GRUB as the removable-media loader, and the stub
# its built-in prefix reads (no font: the menu stays on the text console,
# which AAVMF mirrors to the serial port).
stub=$work/stub.cfg
cat >"$stub" <<'CFG'
search --no-floppy --file --set=root /.disk/info
set prefix=($root)/boot/grub
source $prefix/grub.cfg
CFG
efi=$tree/boot/grub/efi.img
size=$(($(stat -c %s "$netboot/grubaa64.efi") + $(stat -c %s "$stub") + 6 * 4096))
mkfs.msdos --invariant -i deb00001 -C "$efi" $(((size / 1024 + 55) / 32 * 32)) >/dev/null ||
	die "mkfs.msdos failed for $efi"
export MTOOLS_SKIP_CHECK=1
mmd -i "$efi" ::EFI ::EFI/boot ::debian-installer ::debian-installer/arm64 \
	::debian-installer/arm64/grub
mcopy -i "$efi" "$netboot/grubaa64.efi" ::EFI/boot/bootaa64.efi
mcopy -i "$efi" "$stub" ::debian-installer/arm64/grub/grub.cfg
# GRUB started from the El Torito image takes the CD itself for its root
# (seen: it stops at grub> without this copy), so the stub is there too.
mkdir -p "$tree/debian-installer/arm64/grub"
cp "$stub" "$tree/debian-installer/arm64/grub/grub.cfg"

volid="Debian $release arm64 n"
iso=$outdir/smoketest-real-di-arm64-netinst.iso
rm -f "$iso.tmp"
xorriso -as mkisofs -quiet -o "$iso.tmp" -V "$volid" -r -J -joliet-long \
	-e boot/grub/efi.img -no-emul-boot -isohybrid-gpt-basdat "$tree" 2>&1 |
	grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
[ -s "$iso.tmp" ] || die "xorriso did not write $iso"
mv -f "$iso.tmp" "$iso"
msg "wrote $iso ($volid; d-i $build)"
