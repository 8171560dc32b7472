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
need xorriso apt-get apt-cache dpkg-deb

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
iso=$outdir/smoketest-real-di-ppc64el-netinst.iso
rm -f "$iso.tmp"
xorriso -as mkisofs -quiet -o "$iso.tmp" -V "$volid" -r -J -joliet-long -cache-inodes -l \
	"$tree" 2>&1 |
	grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
[ -s "$iso.tmp" ] || die "xorriso did not write $iso"
mv -f "$iso.tmp" "$iso"
msg "wrote $iso ($volid; d-i $build)"
