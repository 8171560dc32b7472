# Shared helpers for the test-image recipe. Sourced by build-test-images.sh.
# Everything here works on plain folders and files: no mounts, no loop
# devices, so a root CI (or a user) can run it without special privileges.

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# need CMD... - fail early with the tool's name instead of half-way through.
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "missing tool: $c"
	done
}

# need_file FILE... - the host files the images are built from.
need_file() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || die "missing file: $f (install the Debian package that ships it)"
	done
}

# debian_package_files DEST PKG... - the files of each PKG (the version apt
# would install) unpacked under DEST with `apt-get download` and `dpkg-deb
# -x`: nothing is installed on the host, so no maintainer script runs
# (shim-signed's would set up the host's own EFI boot). The packages are
# kept in the fixture cache's debs/ folder (see cached-fixture.sh), so a
# rebuild needs the network only when the archive has a newer version.
debian_package_files() {
	local dest=$1 cache pkg file tmp
	shift
	cache=${SMOKEGATE_FIXTURE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smokegate/fixtures}
	[ -n "${SMOKEGATE_FIXTURE_CACHE:-}" ] || [ "$(id -u)" -ne 0 ] || cache=/var/cache/smokegate/fixtures
	mkdir -p "$cache/debs" "$dest"
	for pkg in "$@"; do
		file=$(apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's|^Filename: .*/||p' | head -n 1)
		[ -n "$file" ] || die "apt knows no package $pkg (run apt-get update)"
		if [ ! -s "$cache/debs/$file" ]; then
			tmp=$(mktemp -d "$cache/debs/.download.XXXXXX")
			# apt warns when its _apt user cannot write the folder; harmless.
			(cd "$tmp" && apt-get -q download "$pkg" 2>&1) | grep -v -e unsandboxed -e '^Get:' -e '^Fetched' >&2 || true
			mv -f "$tmp"/*.deb "$cache/debs/$file" 2>/dev/null || true
			rm -rf "$tmp"
			[ -s "$cache/debs/$file" ] || die "apt-get download $pkg failed"
		fi
		dpkg-deb -x "$cache/debs/$file" "$dest"
	done
}
