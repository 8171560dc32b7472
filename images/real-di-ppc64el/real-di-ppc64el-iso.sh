#!/bin/bash
# real-di-ppc64el-iso.sh OUTDIR - Debian's REAL ppc64el debian-installer (the
# vmlinux and initrd.gz of debian-installer-12-netboot-ppc64el, an
# Architecture: all package, copied untouched) on a CD laid out as Debian
# 12's ppc64el netinst is (debian-cd's boot-ppc64el: d-i's cdrom build in
# /install/):
#
#   smoketest-real-di-ppc64el-netinst.iso
#     /install/vmlinux, /install/initrd.gz   the real d-i, byte for byte
#     /.disk/info   Debian GNU/Linux 12.N.0 "Bookworm" - Official ppc64el NETINST with firmware DATE
#     volume id     Debian 12.N.0 ppc64el n
#
#   smoketest-real-di-ppc64el-no-kernel.iso
#     the same CD but for its vmlinux's first instruction, made an illegal
#     one (SLOF enters the kernel big-endian, where its first word is
#     FIXUP_ENDIAN's branch): SLOF takes the exception and returns to its
#     "2 >" prompt; the kernel never prints a line (a kernel broken in its
#     build)
#
# N and DATE come from the package, as in ../real-di/real-di-iso.sh. No
# mounts, no root. What is not there, unlike Debian's CD: /pool/, /dists/,
# and its bootloader (GRUB for IEEE 1275 in /boot/grub/, /ppc/bootinfo.txt
# and the CHRP boot partition SLOF reads): smokegate boots a ppc64el
# image's kernel directly, so nothing would read them.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/lib/common.sh"
. "$here/lib/di-release.sh"

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
outdir=$1
need xorriso apt-get apt-cache dpkg-deb od dd

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

debian_package_files "$work/package" debian-installer-12-netboot-ppc64el
di=$work/package/usr/lib/debian-installer/images/12/ppc64el/text
netboot=$di/debian-installer/ppc64el
need_file "$netboot/vmlinux" "$netboot/initrd.gz" "$di/version.info"

build=$(sed -n 's/^Installer build: *//p' "$di/version.info")
release=$(di_release "$di/version.info")
stamp=$(date -u -r "$netboot/initrd.gz" +%Y%m%d-%H:%M)

tree=$work/tree
mkdir -p "$tree/install" "$tree/.disk"
cp "$netboot/vmlinux" "$tree/install/vmlinux"
cp "$netboot/initrd.gz" "$tree/install/initrd.gz"
cmp -s "$netboot/initrd.gz" "$tree/install/initrd.gz" || die "initrd.gz changed on copy"
cmp -s "$netboot/vmlinux" "$tree/install/vmlinux" || die "vmlinux changed on copy"
printf 'Debian GNU/Linux %s "Bookworm" - Official ppc64el NETINST with firmware %s' \
	"$release" "$stamp" >"$tree/.disk/info"
echo "not_complete" >"$tree/.disk/cd_type"
cat >"$tree/README.txt" <<TXT
smokegate test fixture: Debian's real ppc64el debian-installer $build
(vmlinux and initrd.gz of the package debian-installer-12-netboot-ppc64el,
untouched) in the layout of a Debian $release ppc64el netinst CD. It holds
no packages and no bootloader: the installer's kernel is booted directly,
and it fetches everything else from a mirror.
TXT

volid="Debian $release ppc64el n"

# write_iso NAME - the tree as NAME.iso in OUTDIR.
write_iso() {
	local iso=$outdir/$1.iso
	rm -f "$iso.tmp"
	xorriso -as mkisofs -quiet -o "$iso.tmp" -V "$volid" -r -J -joliet-long -cache-inodes -l \
		"$tree" 2>&1 |
		grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
	[ -s "$iso.tmp" ] || die "xorriso did not write $iso"
	mv -f "$iso.tmp" "$iso"
	msg "wrote $iso ($volid; d-i $build)"
}
write_iso smoketest-real-di-ppc64el-netinst

# le64 FILE OFFSET - the little-endian 64-bit number at OFFSET in FILE.
le64() { od -An -tu8 --endian=little -j "$2" -N 8 "$1" | tr -d ' '; }
# The kernel's entry is the start of its first program segment (a PT_LOAD);
# its first word, read big-endian as SLOF runs it, becomes 0x00000048, no
# instruction at all.
kernel=$tree/install/vmlinux
phoff=$(le64 "$kernel" 32)
[ "$(od -An -tu4 --endian=little -j "$phoff" -N 4 "$kernel" | tr -d ' ')" = 1 ] &&
	[ "$(le64 "$kernel" $((phoff + 16)))" = "$(le64 "$kernel" 24)" ] ||
	die "the kernel's entry is not the start of its first segment ($kernel)"
printf '\x00\x00\x00\x48' |
	dd of="$kernel" bs=1 seek="$(le64 "$kernel" $((phoff + 8)))" conv=notrunc status=none
cmp -s "$netboot/vmlinux" "$kernel" && die "the kernel was not changed"
write_iso smoketest-real-di-ppc64el-no-kernel
