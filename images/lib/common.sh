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
