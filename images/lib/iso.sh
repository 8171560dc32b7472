# make_iso TREE OUT [VOLID] - a hybrid El Torito ISO the way Debian builds
# its netinst: isolinux boots from CD, isohdpfx.bin lets the same file boot
# from a disk. TREE holds the ISO's files (symlinks to the real files are
# followed, so common files are not copied per variant). VOLID is the
# volume id (default SMOKETEST_AMD64); the installers and live-boot of the
# other families find their own CD-ROM by it.
make_iso() {
	local tree=$1 out=$2 volid=${3:-SMOKETEST_AMD64}
	rm -f "$out.tmp"
	xorriso -as mkisofs -quiet -follow-links \
		-o "$out.tmp" -V "$volid" -r -J -joliet-long \
		-isohybrid-mbr /usr/lib/ISOLINUX/isohdpfx.bin \
		-b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table \
		"$tree" 2>&1 | grep -v -e "^xorriso : NOTE" -e "^xorriso [0-9.]* : RockRidge" -e "^$" >&2 || true
	[ -s "$out.tmp" ] || die "xorriso did not write $out"
	mv -f "$out.tmp" "$out"
}
