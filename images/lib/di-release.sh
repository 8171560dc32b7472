# di_release VERSION_INFO - the Debian point release a d-i build belongs to,
# as its netinst CD names it: "Installer build: 20230607+deb12u15" in the
# netboot package's version.info is 12.15.0. Stops the recipe (die) when the
# build says none.
di_release() {
	local build point
	build=$(sed -n 's/^Installer build: *//p' "$1")
	point=$(printf '%s\n' "$build" | sed -n 's/.*+deb12u\([0-9][0-9]*\)$/\1/p')
	[ -n "$point" ] || die "cannot tell the point release from '$build' ($1)"
	echo "12.$point.0"
}
