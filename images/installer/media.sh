# Finding CD-ROMs by volume id, sourced by the installer (casper and
# subiquity families) and by the live init. With two CD-ROMs attached (the
# ISO and a CIDATA answer volume) the order of /dev/sr0 and /dev/sr1 depends
# on which IDE slot each sits in, so both are looked up by label, the way
# casper looks for its medium and cloud-init for its NoCloud volume.

# volume_id DEV - the ISO 9660 volume id: 32 bytes at offset 32808 (sector
# 16, the primary volume descriptor, byte 40), trailing blanks removed.
volume_id() {
	dd if="$1" bs=2048 skip=16 count=1 2>/dev/null |
		dd bs=1 skip=40 count=32 2>/dev/null | tr -d '\0' | sed 's/ *$//'
}

# find_cdrom LABEL SECONDS - print the /dev/sr* whose volume id is LABEL.
# Drives appear one by one while sr_mod probes, so keep looking.
find_cdrom() {
	local label=$1 i=0 dev
	while [ "$i" -le "$(($2 * 10))" ]; do
		for dev in /dev/sr*; do
			[ -b "$dev" ] || continue
			if [ "$(volume_id "$dev")" = "$label" ]; then
				echo "$dev"
				return 0
			fi
		done
		i=$((i + 1))
		usleep 100000
	done
	return 1
}
