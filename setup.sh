#!/bin/bash
# Quick start on a fresh Debian 12 machine, as root or as a user with sudo:
#   ./setup.sh          install what smokegate needs, build it, build the
#                       test images and test the good one end to end
#   ./setup.sh --deps   only install the Debian packages
# As a user, sudo runs apt-get and the fixture builds that need root
# (debootstrap, chroot: images/cached-fixture.sh); the real-component
# fixtures are kept in the machine's cache, /var/cache/smokegate/fixtures,
# outside the clone, and built once per machine.
set -euo pipefail
cd "$(dirname "$0")"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_deps() {
	mapfile -t packages < <(grep -v '^#' .ci/deps.txt | grep -v '^$')
	as_root apt-get update -qq
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${packages[@]}" > /dev/null
	# libguestfs builds its appliance from the host kernel, which must be readable.
	as_root chmod 0644 /boot/vmlinuz-* 2>/dev/null || true
}

install_deps
[ "${1:-}" = "--deps" ] && exit 0

[ -d build ] || meson setup build
meson compile -C build
# The fixture builds call `sudo -n` (never a prompt in the middle of a
# build): ask for the password now, if sudo needs one.
[ "$(id -u)" -eq 0 ] || sudo -v
meson compile -C build test-images real-di-images live-real-images
echo "== smokegate test build/images/smoketest-amd64-good.iso"
./build/harness/smokegate test build/images/smoketest-amd64-good.iso
