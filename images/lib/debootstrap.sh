# A Debian system in a chroot for the real-component fixture recipes
# (live-real, installed-real). Needs root: debootstrap, chroot and the mounts
# of proc, sys and dev inside the chroot, which are undone on any exit.
# SMOKEGATE_KEEP_WORK=1 keeps the work folder for a look.

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "error: $*"; exit 1; }

# Everything mounted below $work, deepest first.
mounts_under_work() {
	findmnt -rn -o TARGET | grep -F "$work/" | sort -r || true
}

chroot_cleanup() {
	local m
	for m in $(mounts_under_work); do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	# Never remove a tree that still has a mount in it (that would be the
	# host's /dev or /sys).
	if [ -n "${SMOKEGATE_KEEP_WORK:-}" ]; then
		msg "kept $work"
	elif [ -z "$(mounts_under_work)" ]; then
		rm -rf "$work"
	else
		msg "left $work: still mounted: $(mounts_under_work | tr '\n' ' ')"
	fi
}

# chroot_work NAME: $work, a new work folder (removed on any exit), and
# $root, the chroot in it.
chroot_work() {
	work=$(mktemp -d "${TMPDIR:-/var/tmp}/smokegate-$1.XXXXXX")
	root=$work/chroot
	trap chroot_cleanup EXIT
	trap 'exit 130' INT TERM HUP
}

in_root() {
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"
}

# binfmt_register ARCH: the kernel runs ARCH's programs through
# qemu-user-static (its interpreters registered with F, fix_binary: opened
# now, so the chroot needs no copy of them). Installing the package
# registers them only through systemd's binfmt unit or binfmt-support's
# service, which nothing starts here (a container, a CI job): mount
# binfmt_misc when missing and import Debian's own entry.
binfmt_register() {
	local qemu
	case $1 in
	arm64) qemu=qemu-aarch64 ;;
	ppc64el) qemu=qemu-ppc64le ;;
	*) qemu=qemu-$1 ;;
	esac
	[ -e /usr/share/binfmts/$qemu ] ||
		die "no /usr/share/binfmts/$qemu (install qemu-user-static and binfmt-support)"
	[ -e /proc/sys/fs/binfmt_misc/register ] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
		die "cannot mount binfmt_misc on /proc/sys/fs/binfmt_misc"
	[ -e /proc/sys/fs/binfmt_misc/$qemu ] || update-binfmts --import "$qemu" ||
		die "update-binfmts --import $qemu failed"
	update-binfmts --enable "$qemu" >/dev/null 2>&1 || true
	grep -qx enabled "/proc/sys/fs/binfmt_misc/$qemu" || die "binfmt_misc entry $qemu is not enabled"
}

# chroot_debootstrap SUITE MIRROR [ARCH]: Priority required + apt (minbase),
# no documentation, no service started inside the chroot, proc/sys/dev
# mounted. With ARCH (another architecture's system: arm64), debootstrap's
# first stage unpacks here and its second stage runs in the chroot under
# qemu-user-static (binfmt_register).
chroot_debootstrap() {
	local foreign=()
	[ -z "${3:-}" ] || { binfmt_register "$3"; foreign=(--arch="$3" --foreign); }
	msg "debootstrap $1${3:+ ($3)} from $2"
	debootstrap --variant=minbase "${foreign[@]}" "$1" "$root" "$2" >"$work/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }
	if [ -n "${3:-}" ]; then
		chroot "$root" /debootstrap/debootstrap --second-stage >>"$work/debootstrap.log" 2>&1 ||
			{ tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap's second stage failed (log above)"; }
	fi
	# Debian's own way of keeping documentation out of a small system.
	cat >"$root/etc/dpkg/dpkg.cfg.d/smokegate-nodoc" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
EOF
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	# The initrd is built once, by chroot_finish, with every package in:
	# until then update-initramfs (called by the kernel's postinst hook and
	# by initramfs-tools' trigger for live-boot, udev, ...) is diverted to a
	# no-op. Each build is minutes natively and about 40 under qemu-user.
	in_root dpkg-divert --local --rename --divert /usr/sbin/update-initramfs.smokegate \
		--add /usr/sbin/update-initramfs >/dev/null
	printf '#!/bin/sh\nexit 0\n' >"$root/usr/sbin/update-initramfs"
	chmod 755 "$root/usr/sbin/update-initramfs"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount --bind /dev "$root/dev"
	mount --bind /dev/pts "$root/dev/pts"
}

# chroot_install PACKAGE...: one apt-get, --no-install-recommends: only
# what each package needs.
chroot_install() {
	msg "installing $*"
	in_root apt-get update -q >"$work/apt.log" 2>&1 ||
		{ tail -n 30 "$work/apt.log" >&2; die "apt-get update failed"; }
	in_root apt-get install -y -q --no-install-recommends "$@" >>"$work/apt.log" 2>&1 ||
		{ tail -n 40 "$work/apt.log" >&2; die "apt-get install failed (log above)"; }
}

# chroot_finish: update-initramfs back, the initrd built once with every
# package in, the chroot's mounts undone, the service policy, package
# lists and caches gone.
chroot_finish() {
	local m started
	rm -f "$root/usr/sbin/update-initramfs"
	in_root dpkg-divert --local --rename --remove /usr/sbin/update-initramfs >/dev/null
	started=$(date +%s)
	in_root update-initramfs -c -k all >"$work/initramfs.log" 2>&1 ||
		{ tail -n 30 "$work/initramfs.log" >&2; die "update-initramfs failed"; }
	msg "update-initramfs took $(($(date +%s) - started)) s"
	in_root apt-get clean
	for m in $(mounts_under_work); do umount "$m"; done
	[ -z "$(mounts_under_work)" ] || die "could not unmount the chroot's file systems"
	rm -f "$root/usr/sbin/policy-rc.d"
	rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/tmp/"*
}
