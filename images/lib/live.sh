# A live-boot system's packages, files and ISOs, for the live-real recipes:
# sourced after debootstrap.sh (msg, die, $work, $root) and iso.sh
# (make_iso). The mirror: $SMOKEGATE_DEBIAN_MIRROR, else
# deb.debian.org.

mirror=${SMOKEGATE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
stamp=$(date -u +%Y%m%d)
# Matches no DiskInfo= or VolumeId= glob of guests/flavours/*.conf.
volid=SMOKEGATE_LIVEBOOT

# live_packages ARCH - the packages of the live system, ARCH's kernel
# among them, one a line. --no-install-recommends throughout: only what
# each package needs.
live_packages() {
	# live-config's user-setup component creates the live user with
	# user-setup; its sudo component gives the user sudo, as on Debian's
	# images.
	printf '%s\n' systemd-sysv libpam-systemd dbus \
		"linux-image-$1" \
		live-boot live-config live-config-systemd \
		user-setup sudo \
		xserver-xorg-core xserver-xorg-input-libinput \
		lightdm \
		icewm
}

# live_pack - what live-build does before it packs a live root (no machine
# id: systemd makes one per boot; a hostname), then $live (set here): the
# kernel as vmlinuz, its initrd as initrd.img and the root as
# filesystem.squashfs.
live_pack() {
	local kernel initrd
	: >"$root/etc/machine-id"
	rm -f "$root/var/lib/dbus/machine-id"
	printf 'debian\n' >"$root/etc/hostname"

	kernel=$(ls "$root"/boot/vmlinuz-* | sort -V | tail -n 1)
	initrd=$root/boot/initrd.img-${kernel##*/vmlinuz-}
	[ -s "$initrd" ] || die "no initrd for $kernel"

	msg "packing filesystem.squashfs"
	live=$work/live
	mkdir -p "$live"
	cp "$kernel" "$live/vmlinuz"
	cp "$initrd" "$live/initrd.img"
	# zstd: the Debian kernel reads it, and it unpacks faster than xz under
	# TCG. Level 6 packs the 1.1 GB root in under a minute on 2 cores
	# (mksquashfs's default, 15, took about ten) for 7% more bytes.
	mksquashfs "$root" "$live/filesystem.squashfs" -comp zstd -Xcompression-level 6 \
		-noappend -no-progress -quiet \
		-e boot/vmlinuz-\* -e boot/initrd.img-\* >/dev/null
}

# live_layer NAME SESSION [XSESSION_EXEC] - a live-boot layer
# ($live/NAME.squashfs) that points LightDM's autologin at SESSION, and
# with XSESSION_EXEC also installs that session; and $live/NAME.module,
# the list of images live-boot stacks, the last one on top.
live_layer() {
	local name=$1 session=$2 exec=${3:-} d=$work/layer-$1
	install -d -m 755 "$d/etc/lightdm/lightdm.conf.d"
	cat >"$d/etc/lightdm/lightdm.conf.d/90-smokegate-$name.conf" <<CONF
# Smokegate fixture ($name): LightDM's autologin session is $session.
[Seat:*]
autologin-session=$session
CONF
	if [ -n "$exec" ]; then
		install -d -m 755 "$d/usr/share/xsessions"
		cat >"$d/usr/share/xsessions/$session.desktop" <<DESKTOP
[Desktop Entry]
Name=Black screen (smokegate fixture)
Comment=An X session that opens and never draws anything
Exec=$exec
Type=Application
DESKTOP
	fi
	mksquashfs "$d" "$live/$name.squashfs" -comp zstd -noappend -no-progress -quiet \
		-all-root >/dev/null
	printf 'filesystem.squashfs\n%s.squashfs\n' "$name" >"$live/$name.module"
}

# live_iso ARCH VARIANT INFO MODULE LIVEFILE... -
# $out/smoketest-live-real-ARCH-VARIANT.iso with these files of $live in
# /live/, MODULE (unless "") as /live/filesystem.module, INFO as
# /.disk/info and the volume id $volid. The recipe's live_boot_files TREE
# puts its boot loaders in the tree: with isolinux the ISO boots from a BIOS
# and UEFI, without from UEFI alone (make_iso).
live_iso() {
	local arch=$1 variant=$2 info=$3 module=$4 tree=$work/tree-$2 f iso
	shift 4
	mkdir -p "$tree/live" "$tree/.disk"
	for f in "$@"; do ln -s "$live/$f" "$tree/live/$f"; done
	[ -z "$module" ] || ln -s "$live/$module" "$tree/live/filesystem.module"
	live_boot_files "$tree"
	printf '%s' "$info" >"$tree/.disk/info"
	iso=$out/smoketest-live-real-$arch-$variant.iso
	mkdir -p "$out"
	make_iso "$tree" "$iso" "$volid"
	msg "wrote $iso ($(du -m "$iso" | cut -f1) MiB)"
}
