#!/bin/bash
# real-di-iso.sh OUTDIR [DI_IMAGES]
#
# Writes OUTDIR/smoketest-real-di-amd64-netinst.iso: Debian's REAL
# debian-installer (the kernel and initrd.gz of the package
# debian-installer-12-netboot-amd64, copied untouched) laid out like a
# Debian 12 netinst CD:
#   /install.amd/vmlinuz, /install.amd/initrd.gz   the real d-i, byte for byte
#   /.disk/info     Debian GNU/Linux 12.N.0 "Bookworm" - Official amd64 NETINST with firmware DATE
#   volume id       Debian 12.N.0 amd64 n
#   /isolinux/      isolinux boots the CD (BIOS, El Torito, and isohybrid for a disk)
# N and DATE come from the package: its "Installer build: 20230607+deb12uN"
# (point release 12.N ships d-i +deb12uN) and the initrd's date. So
# smokegate's shipped debian-netinst profile recognises it as it would
# Debian's own netinst.
#
# What is NOT there, unlike Debian's CD: /pool/ and /dists/ with the udebs
# and the base system. The netboot initrd does not look for them: it takes
# the network and fetches every further installer component (partitioner,
# debootstrap, ...) from the mirror the answer file names. Without a mirror
# the real installer stops at a real dialog; that is what the tests use.
#
# DI_IMAGES: the package's "text" folder (default
# /usr/lib/debian-installer/images/12/amd64/text). No mounts, no root, no
# network: xorriso writes the ISO from a plain folder. Wrap it with
# ../cached-fixture.sh so a machine builds it once (the cache names its
# entries after the recipe's file name and drops other entries starting
# with it: so a name no other recipe begins with).
set -euo pipefail

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 OUTDIR [DI_IMAGES]" >&2; exit 2; }
outdir=$1
di=${2:-/usr/lib/debian-installer/images/12/amd64/text}
kernel=$di/debian-installer/amd64/linux
initrd=$di/debian-installer/amd64/initrd.gz
here=$(cd "$(dirname "$0")" && pwd)

command -v xorriso >/dev/null 2>&1 || die "missing tool: xorriso"
for f in "$kernel" "$initrd" "$di/version.info"; do
	[ -e "$f" ] || die "missing file: $f (install debian-installer-12-netboot-amd64)"
done
for f in /usr/lib/ISOLINUX/isolinux.bin /usr/lib/ISOLINUX/isohdpfx.bin \
	/usr/lib/syslinux/modules/bios/ldlinux.c32 /usr/lib/syslinux/modules/bios/menu.c32 \
	/usr/lib/syslinux/modules/bios/libutil.c32; do
	[ -e "$f" ] || die "missing file: $f (install isolinux and syslinux-common)"
done

# "Installer build: 20230607+deb12u15" -> point release 12.15.0
build=$(sed -n 's/^Installer build: *//p' "$di/version.info")
point=$(printf '%s\n' "$build" | sed -n 's/.*+deb12u\([0-9][0-9]*\)$/\1/p')
[ -n "$point" ] || die "cannot tell the point release from '$build' ($di/version.info)"
release="12.$point.0"
stamp=$(date -u -r "$initrd" +%Y%m%d-%H:%M)

mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
work=$(mktemp -d "$outdir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

tree=$work/tree
mkdir -p "$tree/install.amd" "$tree/.disk" "$tree/isolinux"
cp "$kernel" "$tree/install.amd/vmlinuz"
cp "$initrd" "$tree/install.amd/initrd.gz"
cmp -s "$initrd" "$tree/install.amd/initrd.gz" || die "initrd.gz changed on copy"

# Debian's own wording (debian-cd tools/start_new_disc), e.g.
# Debian GNU/Linux 12.11.0 "Bookworm" - Official amd64 NETINST with firmware 20250517-09:51
printf 'Debian GNU/Linux %s "Bookworm" - Official amd64 NETINST with firmware %s' \
	"$release" "$stamp" > "$tree/.disk/info"
echo "not_complete" > "$tree/.disk/cd_type"
cat > "$tree/README.txt" <<TXT
smokegate test fixture: Debian's real debian-installer $build
(kernel and initrd.gz of the package debian-installer-12-netboot-amd64,
untouched) in the layout of a Debian $release netinst CD. It holds no
packages: the installer fetches everything else from a mirror.
TXT

cp /usr/lib/ISOLINUX/isolinux.bin "$tree/isolinux/"
for m in ldlinux.c32 menu.c32 libutil.c32; do
	cp "/usr/lib/syslinux/modules/bios/$m" "$tree/isolinux/"
done
sed "s/@RELEASE@/$release/" "$here/isolinux.cfg" > "$tree/isolinux/isolinux.cfg"

volid="Debian $release amd64 n"
iso=$outdir/smoketest-real-di-amd64-netinst.iso
xorriso -as mkisofs -quiet \
	-o "$work/out.iso" -V "$volid" -r -J -joliet-long \
	-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
	-b isolinux/isolinux.bin -c isolinux/boot.cat \
	-no-emul-boot -boot-load-size 4 -boot-info-table \
	"$tree" 2>&1 | grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
[ -s "$work/out.iso" ] || die "xorriso did not write the ISO"
mv -f "$work/out.iso" "$iso"
msg "wrote $iso ($volid; d-i $build)"
