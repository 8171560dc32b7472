#!/bin/bash
# efi-loaders.sh OUTDIR - Debian's own UEFI boot loaders for the test ISOs'
# EFI El Torito images, taken from the Debian mirror with `apt-get download`
# and unpacked with dpkg-deb: never installed, so shim's postinst (which
# writes to the host's EFI system partition) never runs. Wrap it with
# ../cached-fixture.sh so a machine downloads them once. Writes:
#
#   shimx64.efi.signed   shim-signed: /usr/lib/shim/shimx64.efi.signed, signed
#                        by Microsoft's UEFI CA, with Debian's CA built in.
#                        A Debian CD's EFI/boot/bootx64.efi.
#   gcdx64.efi.signed    grub-efi-amd64-signed: GRUB for CDs, signed by Debian.
#                        A Debian CD's EFI/boot/grubx64.efi. Its built-in
#                        config finds the CD by /.disk/info and reads the CD's
#                        /boot/grub/grub.cfg.
#   gcdx64.efi           grub-efi-amd64-bin: /usr/lib/grub/x86_64-efi/monolithic/
#                        gcdx64.efi, the same GRUB as Debian builds it, before
#                        it is signed. Shim and Secure Boot refuse it; plain
#                        UEFI boots it.
#   efi-loaders.txt      the packages and versions these came from.
#
# Needs apt-get with current package lists (apt-get update) and the
# Debian mirror; no root.
set -euo pipefail

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
for c in apt-get dpkg-deb; do
	command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"
done
out=$1
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/var/tmp}/smokegate-efi-loaders.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP

packages=(shim-signed grub-efi-amd64-signed grub-efi-amd64-bin)
# As root apt-get drops to the _apt user to download, which cannot write to
# a private work folder; the download is checked by apt either way.
sandbox=()
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
(cd "$work" && apt-get download -q "${sandbox[@]}" "${packages[@]}") >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log" >&2; die "apt-get download ${packages[*]} failed (apt-get update first?)"; }

: >"$work/efi-loaders.txt"
for p in "${packages[@]}"; do
	deb=$(ls "$work/${p}_"*.deb)
	dpkg-deb -x "$deb" "$work/root"
	printf '%s %s\n' "$p" "$(dpkg-deb -f "$deb" Version)" >>"$work/efi-loaders.txt"
done

take() {
	[ -s "$work/root/$1" ] || die "$1 is not in ${packages[*]}"
	cp "$work/root/$1" "$out/$2"
}
take usr/lib/shim/shimx64.efi.signed shimx64.efi.signed
take usr/lib/grub/x86_64-efi-signed/gcdx64.efi.signed gcdx64.efi.signed
take usr/lib/grub/x86_64-efi/monolithic/gcdx64.efi gcdx64.efi
cp "$work/efi-loaders.txt" "$out/efi-loaders.txt"
msg "wrote $out: $(tr '\n' ' ' <"$work/efi-loaders.txt")"
