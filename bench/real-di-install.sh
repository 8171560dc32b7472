#!/bin/bash
# A full install with Debian's REAL debian-installer (the real-di fixture,
# images/real-di/) that should pass: base system, kernel, GRUB, and a small
# Xfce desktop with LightDM autologin, from a partial Debian mirror served by
# nginx on loopback, judged by `smokegate test --flavour debian-netinst`
# (the shipped profile, with Mirror= pointed at that nginx). Prints the
# verdict, the seconds of each phase and in all. A figure to report, not a
# test: not run in CI (it takes long under TCG and needs the Debian mirror).
#
# The partial mirror is made with Debian's own tools and keeps Debian's
# signatures: the signed InRelease/Release/Release.gpg and the Packages
# indexes of bookworm main (debs and udebs) exactly as published (checked
# against the InRelease with gpgv and the archive keyring), and in pool/
# only the files the install needs: every udeb of main (d-i's anna picks
# among them; about 130 MB) and the .debs apt resolves, with its real
# dependency resolver (apt-get install --download-only in a private apt
# root with an empty dpkg status), for the base system (priorities
# required, important, standard), what the installer's own steps add
# (kernel, GRUB, netcfg's, user-setup's, ...) and the desktop. So the real
# d-i checks the real signatures; a file the install wants and the mirror
# lacks shows as a 404 in the nginx log (printed at the end).
#
# Measured on this workplace (2026-11-30): the Debian mirror in reach
# serves every .deb but only 149 of bookworm's 439 amd64 udebs (the others
# answer 404 there, e.g. apt-mirror-setup, debootstrap-udeb, grub-installer,
# partman-ext3, user-setup-udeb), so no real d-i install can finish here:
# the real installer verifies the mirror's signed Release, loads its udeb
# index, and stops at "[!!] Download installer components" ("Downloading a
# file failed:", Retry / Change mirror / Cancel) on the first udeb the
# mirror lacks. Against a complete Debian mirror every udeb is fetched.
#
# usage: bench/real-di-install.sh [BUILD-DIR] [WORK-DIR]
#   BUILD-DIR  with harness/smokegate and images/smoketest-real-di-amd64-netinst.iso
#              (meson compile -C BUILD-DIR real-di-images); default build
#   WORK-DIR   the mirror (kept and reused while its package list is the
#              same), the evidence, nginx's logs; default
#              /var/tmp/smokegate-bench-real-di
# Environment: SMOKEGATE_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# REAL_DI_INSTALL_SECONDS (the install phase's limit; default 14400: TCG on
# a shared 2-core host), REAL_DI_MIRROR_ONLY=1 (build the mirror, stop).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/vm/lib.sh" # start_nginx, stop_nginx
build=$(realpath "${1:-$here/build}")
work=${2:-/var/tmp/smokegate-bench-real-di}
upstream=${SMOKEGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
install_seconds=${REAL_DI_INSTALL_SECONDS:-14400}
suite=bookworm
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
smokegate=$build/harness/smokegate
iso=$build/images/smoketest-real-di-amd64-netinst.iso

msg() { printf '# %s\n' "$*" >&2; }
die() { msg "error: $*"; exit 1; }

for c in apt-get gpgv nginx xz jq curl; do
	command -v "$c" > /dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || die "missing tool: $c"
done
[ -x "$smokegate" ] || die "no $smokegate (meson compile -C $build)"
[ -f "$iso" ] || die "no $iso (meson compile -C $build real-di-images)"
[ -f "$keyring" ] || die "no $keyring (debian-archive-keyring)"
mkdir -p "$work"
work=$(realpath "$work")

# What the install needs besides priorities required/important/standard
# (debootstrap takes required+important; the rest is what d-i's steps
# apt-install into /target, and the desktop the answers ask for).
extra_packages=(
	# base-installer: the kernel and its initramfs
	linux-image-amd64 initramfs-tools busybox zstd firmware-linux-free
	# localechooser, console-setup, keyboard, clock
	locales console-setup keyboard-configuration kbd tzdata systemd-timesyncd
	# netcfg (DHCP), apt-setup
	ifupdown isc-dhcp-client ca-certificates gnupg
	# user-setup (no root login), grub-installer, hw-detect, pkgsel
	sudo grub-pc os-prober discover pciutils usbutils laptop-detect
	acpid acpi-support-base qemu-guest-agent tasksel tasksel-data
	popularity-contest installation-report eject
	# the desktop: Xorg, LightDM (autologin), Xfce
	xserver-xorg-core xserver-xorg-input-libinput xserver-xorg-video-fbdev
	xserver-xorg-video-vesa xserver-xorg lightdm lightdm-gtk-greeter xfce4
	dbus-user-session dbus-x11 xauth
)

# --- the partial mirror ---------------------------------------------------
build_mirror() {
	local m=$work/mirror apt=$work/apt list
	local aptopts=(-o "Dir::State=$apt/state" -o "Dir::State::status=$apt/status"
		-o "Dir::Cache=$apt/cache" -o "Dir::Cache::Archives=$apt/archives"
		-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=$apt/sources.list.d"
		-o "Dir::Etc::preferences=$apt/preferences" -o "Dir::Etc::preferencesparts=$apt/sources.list.d"
		-o "APT::Architecture=amd64" -o "APT::Architectures::=amd64"
		-o "Debug::NoLocking=1" -o "APT::Install-Recommends=1" -o "APT::Get::Assume-Yes=1")

	rm -rf "$m.tmp" "$apt"
	mkdir -p "$m.tmp/dists/$suite" "$apt/sources.list.d" "$apt/state/lists/partial" "$apt/cache" "$apt/archives/partial"
	: > "$apt/status"
	echo "deb [signed-by=$keyring] $upstream $suite main" > "$apt/sources.list"

	# Debian's indexes as published, checked against the signed InRelease.
	local d=$m.tmp/dists/$suite
	for f in InRelease Release Release.gpg; do
		curl -fsS -o "$d/$f" "$upstream/dists/$suite/$f"
	done
	gpgv --keyring "$keyring" "$d/InRelease" > /dev/null 2>&1 || die "InRelease: bad signature"
	gpgv --keyring "$keyring" "$d/Release.gpg" "$d/Release" > /dev/null 2>&1 || die "Release: bad signature"
	local f want
	for f in main/binary-amd64/Packages.xz main/binary-amd64/Packages.gz main/binary-amd64/Release \
		main/debian-installer/binary-amd64/Packages.xz main/debian-installer/binary-amd64/Packages.gz \
		main/debian-installer/binary-amd64/Release main/i18n/Translation-en.xz; do
		mkdir -p "$d/$(dirname "$f")"
		curl -fsS -o "$d/$f" "$upstream/dists/$suite/$f" || die "cannot fetch $f"
	done
	for f in main/binary-amd64/Packages main/debian-installer/binary-amd64/Packages; do
		xz -dc "$d/$f.xz" > "$d/$f"
	done
	for f in main/binary-amd64/Packages{,.xz,.gz} main/binary-amd64/Release \
		main/debian-installer/binary-amd64/Packages{,.xz,.gz} main/debian-installer/binary-amd64/Release \
		main/i18n/Translation-en.xz; do
		want=$(awk -v f="$f" '/^SHA256:/ { s = 1; next } /^[A-Za-z]/ { s = 0 } s && $3 == f { print $1 }' "$d/Release")
		[ -n "$want" ] && [ "$(sha256sum < "$d/$f" | cut -d' ' -f1)" = "$want" ] ||
			die "$f does not match the signed Release file"
		# apt asks for the indexes by hash (Acquire-By-Hash: yes)
		mkdir -p "$d/$(dirname "$f")/by-hash/SHA256"
		ln -f "$d/$f" "$d/$(dirname "$f")/by-hash/SHA256/$want"
	done
	cp "$d/main/binary-amd64/Packages" "$work/Packages"
	cp "$d/main/debian-installer/binary-amd64/Packages" "$work/Packages-udeb"

	# The .debs: apt's own resolver over an empty system.
	list=$(awk '/^Package:/ { p = $2 } /^Priority: (required|important|standard)$/ { print p }' "$work/Packages" | sort -u)
	apt-get "${aptopts[@]}" update > "$work/apt-update.log" 2>&1 || die "apt-get update failed: $work/apt-update.log"
	# shellcheck disable=SC2086
	apt-get "${aptopts[@]}" install --download-only $list "${extra_packages[@]}" \
		> "$work/apt-download.log" 2>&1 || die "apt could not resolve or download: $work/apt-download.log"

	# Each .deb where the Packages index says it lives (pool/main/...).
	awk '/^Package:/ { p = $2 } /^Version:/ { v = $2 } /^Filename:/ { print p, v, $2 }' \
		"$work/Packages" "$work/Packages-udeb" > "$work/filenames"
	local deb name ver arch fn n=0
	for deb in "$apt"/archives/*.deb; do
		name=$(dpkg-deb -f "$deb" Package) ver=$(dpkg-deb -f "$deb" Version)
		fn=$(awk -v p="$name" -v v="$ver" '$1 == p && $2 == v { print $3; exit }' "$work/filenames")
		[ -n "$fn" ] || die "$deb is not in the Packages index"
		mkdir -p "$m.tmp/$(dirname "$fn")"
		ln -f "$deb" "$m.tmp/$fn"
		n=$((n + 1))
	done
	msg "mirror: $n .debs resolved by apt"

	# Every udeb of main: Debian's apt does not fetch udebs, so they are
	# fetched by their Filename and checked against the signed index.
	awk '/^Filename:/ { f = $2 } /^SHA256:/ { print $2, f }' "$work/Packages-udeb" > "$work/udebs"
	while read -r sum fn; do
		mkdir -p "$m.tmp/$(dirname "$fn")"
		echo "url = \"$upstream/$fn\""
		echo "output = \"$m.tmp/$fn\""
	done < "$work/udebs" > "$work/udebs.curl"
	# Where the Debian mirror in reach lacks some (this workplace's serves
	# only part of the udebs), the mirror is built without them and the
	# install shows what that costs: the real d-i's own error, and the
	# 404s in nginx's log.
	curl -fsS --parallel --parallel-max 8 --config "$work/udebs.curl" 2> "$work/udebs.log" || true
	local missing=0
	: > "$work/udebs-missing"
	while read -r sum fn; do
		if [ ! -s "$m.tmp/$fn" ]; then
			echo "$fn" >> "$work/udebs-missing"
			missing=$((missing + 1))
		elif [ "$(sha256sum < "$m.tmp/$fn" | cut -d' ' -f1)" != "$sum" ]; then
			die "$fn does not match the signed index"
		fi
	done < "$work/udebs"
	msg "mirror: $(($(wc -l < "$work/udebs") - missing)) of $(wc -l < "$work/udebs") udebs; not to be had from $upstream: $missing (list: $work/udebs-missing)"
	rm -rf "$m"
	mv "$m.tmp" "$m"
	printf '%s\n' "${extra_packages[@]}" > "$m/.packages"
}

if [ -f "$work/mirror/.packages" ] &&
	[ "$(cat "$work/mirror/.packages")" = "$(printf '%s\n' "${extra_packages[@]}")" ]; then
	msg "mirror: reusing $work/mirror ($(du -sh "$work/mirror" | cut -f1))"
else
	start=$(date +%s)
	build_mirror
	msg "mirror: built in $(($(date +%s) - start)) s, $(du -sh "$work/mirror" | cut -f1)"
fi
[ "${REAL_DI_MIRROR_ONLY:-0}" = 1 ] && exit 0

# --- nginx on loopback, the profile, the answers ----------------------------
rm -rf "$work/nginx" "$work/flavours" "$work/evidence" "$work/www"
mkdir -p "$work/flavours" "$work/www"
ln -sfn "$work/mirror" "$work/www/debian"
# The tests' own loopback nginx (tests/vm/lib.sh), serving $work/www.
workdir=$work
start_nginx || die "nginx is not installed (Debian package nginx-light)"
trap stop_nginx EXIT

sed -e "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" -e "s#^InstallSeconds=.*#InstallSeconds=$install_seconds#" \
	"$here/guests/flavours/debian-netinst.conf" > "$work/flavours/debian-netinst.conf"
# The shipped answers, less what this mirror cannot serve: no security
# suite, no recommends (a small desktop: Xorg, LightDM, Xfce), no tasks.
{
	grep -v -e '^tasksel tasksel/first' -e '^d-i pkgsel/include' "$here/preseed/debian-netinst.seed"
	cat << 'SEED'
# bench/real-di-install.sh: the mirror-only network leases no name server
d-i netcfg/get_nameservers string
d-i base-installer/install-recommends boolean false
tasksel tasksel/first multiselect
d-i pkgsel/include string xserver-xorg-core xserver-xorg-input-libinput xserver-xorg-video-fbdev lightdm lightdm-gtk-greeter xfce4 dbus-user-session xauth
SEED
} > "$work/answers.seed"

# --- the install -------------------------------------------------------------
export SMOKEGATE_NO_PROGRESS=1
msg "install: $iso, mirror http://127.0.0.1:$port/debian, evidence $work/evidence"
start=$(date +%s)
set +e
"$smokegate" test "$iso" --flavours-dir "$work/flavours" --flavour debian-netinst \
	--answers "$work/answers.seed" --evidence "$work/evidence" > "$work/out" 2>&1
status=$?
set -e
end=$(date +%s)
result=$work/evidence/result.json
echo "$(cat "$work/out")"
printf '| verdict | exit | seconds | install s | boot s | inspect s | reason |\n|---|---|---|---|---|---|---|\n'
printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$(jq -r .verdict "$result")" "$status" "$((end - start))" \
	"$(jq -r '[.phases[]? | select(.name == "install") | .duration_s] | first // "-"' "$result")" \
	"$(jq -r '[.phases[]? | select(.name == "boot") | .duration_s] | first // "-"' "$result")" \
	"$(jq -r '[.phases[]? | select(.name == "inspect") | .duration_s] | first // "-"' "$result")" \
	"$(jq -r .reason "$result" | cut -c1-160)"
missing=$(awk '$9 == 404 { print $7 }' "$work/nginx/access.log" | sort -u)
[ -z "$missing" ] || { msg "asked of the mirror and not there (404):"; printf '#   %s\n' $missing; }
exit $status
