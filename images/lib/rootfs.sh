# Building root trees for initramfs images and the installed system.

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
rootfs_busybox() {
	local root=$1 applet
	install -m 0755 /bin/busybox "$root/usr/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ "$applet" = usr/bin/busybox ] && continue
		[ -e "$root/$applet" ] || [ -L "$root/$applet" ] ||
			ln -s /usr/bin/busybox "$root/$applet"
	done
}

# rootfs_binary ROOT BIN... - copy dynamic binaries with the shared
# libraries ldd resolves for them (the guests have no package manager).
rootfs_binary() {
	local root=$1
	shift
	rootfs_binary_from "$root" "" "$@"
}

# rootfs_binary_from ROOT TREE BIN... - the same for binaries of a package
# unpacked under TREE (debian_package_files) rather than installed: BIN is
# its path in the package, libraries are looked up in TREE first and land
# at their path in the package.
rootfs_binary_from() {
	local root=$1 tree=$2 bin lib
	shift 2
	for bin in "$@"; do
		mkdir -p "$root/$(dirname "$bin")"
		rm -f "$root/$bin"
		cp -L "$tree$bin" "$root/$bin"
		for lib in $(LD_LIBRARY_PATH=${tree:+$tree/usr/lib/x86_64-linux-gnu} ldd "$tree$bin" |
			awk '/=> \//{print $3} /^[ \t]*\//{print $1}'); do
			[ -e "$root/${lib#"$tree"}" ] && continue
			mkdir -p "$root/$(dirname "${lib#"$tree"}")"
			cp -L "$lib" "$root/${lib#"$tree"}"
		done
	done
}

# rootfs_modules ROOT KVER MODULE... - copy kernel modules and everything
# modules.dep says they need, and write a modules.dep for just that subset
# so busybox modprobe can load them by name.
rootfs_modules() {
	local root=$1 kver=$2 src=/lib/modules/$2 want ko
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
