# Building root trees for initramfs images and the installed system.

# Where the guests' pieces come from: the host itself (empty, the default),
# or a folder holding another architecture's Debian packages unpacked
# (debian_package_files after foreign_apt, lib/foreign-apt.sh): its
# busybox, its kernel's modules (depmod run there) and its binaries and
# their libraries, which that folder gets as they are found to be needed.
ROOTFS_SOURCE=

# rootfs_skeleton ROOT - a merged-/usr layout like Debian 12, so the paths
# ldd prints (/lib/x86_64-linux-gnu/...) land in usr/lib through the
# symlinks, exactly as on the host the binaries come from.
rootfs_skeleton() {
	local root=$1 d
	mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib "$root"/usr/lib64
	for d in bin sbin lib lib64; do
		[ -L "$root/$d" ] || ln -s "usr/$d" "$root/$d"
	done
	mkdir -p "$root"/dev "$root"/proc "$root"/sys "$root"/run "$root"/tmp \
		"$root"/etc "$root"/root "$root"/mnt "$root"/var/log
	chmod 1777 "$root/tmp"
}

# rootfs_busybox ROOT - the static busybox plus one symlink per applet.
# The applets are the host's busybox-static's: another architecture's
# cannot run here, and is built from the same source with the same
# configuration (a version that differs is said).
rootfs_busybox() {
	local root=$1 applet
	install -m 0755 "$ROOTFS_SOURCE/bin/busybox" "$root/usr/bin/busybox"
	if [ -n "$ROOTFS_SOURCE" ] && ! cmp -s <(/bin/busybox 2>&1 | head -n 1 | cut -d' ' -f2) \
		<(strings "$ROOTFS_SOURCE/bin/busybox" | grep -m 1 -o '^BusyBox v[^ ]*' | cut -d' ' -f2); then
		msg "warning: the host's busybox is not the version of $ROOTFS_SOURCE/bin/busybox: its applet list may differ"
	fi
	for applet in $(/bin/busybox --list-full); do
		[ "$applet" = usr/bin/busybox ] && continue
		[ -e "$root/$applet" ] || [ -L "$root/$applet" ] ||
			ln -s /usr/bin/busybox "$root/$applet"
	done
}

# rootfs_binary ROOT BIN... - copy dynamic binaries with the shared
# libraries they need (the guests have no package manager), from
# ROOTFS_SOURCE.
rootfs_binary() {
	local root=$1
	shift
	rootfs_binary_from "$root" "$ROOTFS_SOURCE" "$@"
}

# rootfs_binary_from ROOT TREE BIN... - the same for binaries of a package
# unpacked under TREE (debian_package_files) rather than installed: BIN is
# its path in the package; libraries are looked up in TREE, then in
# ROOTFS_SOURCE, and land at their path there. readelf reads what each
# needs (ldd would have to run another architecture's binaries).
rootfs_binary_from() {
	local root=$1 tree=$2 bin
	shift 2
	for bin in "$@"; do
		rm -f "$root/$bin"
		rootfs_elf "$root" "$tree" "$bin"
	done
}

# rootfs_resolve TREE PATH - the file at PATH in TREE (empty: the host),
# symbolic links followed inside TREE; fails when there is none. /usr/X and
# /X are one file on a Debian 12 system (merged /usr), not in its packages.
rootfs_resolve() {
	local tree=$1 path=$2 target n=0
	if [ ! -e "$tree$path" ] && [ ! -L "$tree$path" ]; then
		case $path in
		/usr/*) path=${path#/usr} ;;
		*) path=/usr$path ;;
		esac
	fi
	while [ -L "$tree$path" ] && [ "$n" -lt 20 ]; do
		target=$(readlink "$tree$path")
		case $target in
		/*) path=$target ;;
		*) path=$(dirname "$path")/$target ;;
		esac
		n=$((n + 1))
	done
	[ -f "$tree$path" ] && printf '%s\n' "$tree$path"
}

# rootfs_library TREE NAME DIR... - the path (in TREE, else in
# ROOTFS_SOURCE) of the library NAME in the first DIR holding it. A library
# another architecture's ROOTFS_SOURCE lacks comes with the package that
# holds it on the host (the same name for every architecture).
rootfs_library() {
	local tree=$1 name=$2 t d pkg
	shift 2
	for t in "$tree" "$ROOTFS_SOURCE"; do
		for d in "$@"; do
			rootfs_resolve "$t" "$d/$name" >/dev/null && { printf '%s\n' "$d/$name"; return 0; }
		done
	done
	[ -n "$ROOTFS_SOURCE" ] || return 1
	pkg=$(dpkg -S "*/$name" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ -n "$pkg" ] || return 1
	debian_package_files "$ROOTFS_SOURCE" "$pkg"
	for d in "$@"; do
		rootfs_resolve "$ROOTFS_SOURCE" "$d/$name" >/dev/null && { printf '%s\n' "$d/$name"; return 0; }
	done
	return 1
}

# rootfs_elf ROOT TREE PATH - the ELF file PATH (in TREE, else in
# ROOTFS_SOURCE) copied to ROOT, then its program interpreter and each
# library it needs (RUNPATH first, then the multiarch folders), and theirs.
rootfs_elf() {
	local root=$1 tree=$2 path=$3 file triplet kind name dirs= needed= lib
	[ -e "$root/$path" ] && return 0
	file=$(rootfs_resolve "$tree" "$path") || file=$(rootfs_resolve "$ROOTFS_SOURCE" "$path") ||
		die "no $path in ${tree:-the host}${ROOTFS_SOURCE:+ or $ROOTFS_SOURCE}"
	mkdir -p "$root/$(dirname "$path")"
	cp "$file" "$root/$path"
	case $(LC_ALL=C readelf -h "$file" | sed -n 's/^ *Machine: *//p') in
	AArch64) triplet=aarch64-linux-gnu ;;
	*X86-64) triplet=x86_64-linux-gnu ;;
	*) die "$path: an ELF machine the test images are not built for" ;;
	esac
	while read -r kind name; do
		case $kind in
		interp) rootfs_elf "$root" "$tree" "$name" ;;
		needed) needed="$needed $name" ;;
		path) dirs="$dirs ${name//:/ }" ;;
		esac
	done < <(LC_ALL=C readelf -lW -d "$file" | sed -n \
		-e 's/.*\[Requesting program interpreter: \(.*\)\]/interp \1/p' \
		-e 's/.*(NEEDED).*\[\(.*\)\]/needed \1/p' \
		-e 's/.*(R[UN]*PATH).*\[\(.*\)\]/path \1/p')
	for name in $needed; do
		# shellcheck disable=SC2086 # a list of folders
		lib=$(rootfs_library "$tree" "$name" $dirs "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib) ||
			die "$path needs $name, found in none of ${tree:-the host}${ROOTFS_SOURCE:+, $ROOTFS_SOURCE}"
		rootfs_elf "$root" "$tree" "$lib"
	done
}

# rootfs_modules ROOT KVER MODULE... - copy kernel modules and everything
# modules.dep says they need, and write a modules.dep for just that subset
# so busybox modprobe can load them by name.
rootfs_modules() {
	local root=$1 kver=$2 src=$ROOTFS_SOURCE/lib/modules/$2 want ko
	shift 2
	want=$(printf '%s\n' "$@" | tr - _)
	local files
	files=$(awk -v want="$want" '
		BEGIN { n = split(want, w, "\n"); for (i = 1; i <= n; i++) if (w[i] != "") need[w[i]] = 1 }
		{
			name = $1; sub(/:$/, "", name); base = name
			sub(/^.*\//, "", base); sub(/\.ko(\.[a-z]+)?$/, "", base); gsub(/-/, "_", base)
			if (base in need) { print name; for (i = 2; i <= NF; i++) print $i; found[base] = 1 }
		}
		END { for (m in need) if (!(m in found)) { print "missing module " m > "/dev/stderr"; exit 1 } }
	' "$src/modules.dep" | sort -u) || die "kernel modules not found in $src"
	mkdir -p "$root/lib/modules/$kver"
	for ko in $files; do
		mkdir -p "$root/lib/modules/$kver/$(dirname "$ko")"
		cp "$src/$ko" "$root/lib/modules/$kver/$ko"
	done
	# Keep every line of the host's modules.dep whose module was copied;
	# modules.dep lists the full dependency closure, so lines stay valid.
	awk -v have="$files" '
		BEGIN { n = split(have, h, "\n"); for (i = 1; i <= n; i++) ok[h[i]] = 1 }
		{ name = $1; sub(/:$/, "", name); if (name in ok) print }
	' "$src/modules.dep" >>"$root/lib/modules/$kver/modules.dep"
	sort -u -o "$root/lib/modules/$kver/modules.dep" "$root/lib/modules/$kver/modules.dep"
	cp "$src/modules.builtin" "$root/lib/modules/$kver/" 2>/dev/null || true
}

# rootfs_cpio ROOT OUT - gzip'd newc cpio as the kernel unpacks it, files
# owned by root whoever builds it, stable order so reruns give the same bytes.
rootfs_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$2"
}
