#!/bin/bash
# cached-fixture.sh OUTDIR RECIPE [INPUT...] -- [RECIPE ARGS...]
#
# Runs RECIPE OUTDIR.tmp [RECIPE ARGS...] once per version of its recipe and
# keeps what it wrote in a cache outside the clone, so a machine builds each
# real-component fixture (debootstrap, Debian's installer packages: minutes
# and the network) once. The cache key is a SHA-256 over the recipe and
# every INPUT file (their names and contents): change any of them and the
# fixture is built again. Each file the recipe wrote is then hard-linked
# (or copied, across filesystems) into OUTDIR.
#
# Cache folder: $SMOKEGATE_FIXTURE_CACHE, else /var/cache/smokegate/fixtures,
# shared by the machine's users and clones. An entry counts only once its
# .complete marker exists: a build killed half-way is never used.
#
# The recipes run debootstrap and chroot, and the cache is root's: a user
# who is not root builds an entry through `sudo -n` (no password prompt in
# the middle of a build: `sudo -v` first, as setup.sh does), then links or
# copies it as themselves. SMOKEGATE_FIXTURE_CACHE_ONLY=1 (how this script
# calls itself under sudo) builds the entry and stops there.
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OUTDIR RECIPE [INPUT...] -- [RECIPE ARGS...]" >&2; exit 2; }
outdir=$1 recipe=$2
shift 2
inputs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
	inputs+=("$1")
	shift
done
[ $# -gt 0 ] && shift # the --
recipe_args=("$@")

cache=${SMOKEGATE_FIXTURE_CACHE:-/var/cache/smokegate/fixtures}

key=$(
	for f in "$recipe" "${inputs[@]}"; do
		printf '%s\n' "$(basename "$f")"
		sha256sum < "$f"
	done | sha256sum | cut -c1-16
)
entry="$cache/$(basename "$recipe" .sh)-$key"

if [ ! -e "$entry/.complete" ] && [ "$(id -u)" -ne 0 ]; then
	echo "${0##*/}: building $(basename "$entry") as root (sudo -n)" >&2
	sudo -n env SMOKEGATE_FIXTURE_CACHE="$cache" SMOKEGATE_FIXTURE_CACHE_ONLY=1 \
		"$(realpath "$0")" "$outdir" "$recipe" "${inputs[@]}" -- "${recipe_args[@]}" || {
		echo "${0##*/}: cannot build $(basename "$entry") as root: run 'sudo -v' first (or build as root)" >&2
		exit 1
	}
elif [ ! -e "$entry/.complete" ]; then
	mkdir -p "$cache"
	# One builder per entry; a second caller waits for the first.
	exec 9> "$entry.lock"
	flock 9
	if [ ! -e "$entry/.complete" ]; then
		echo "${0##*/}: building $(basename "$entry") (cached in $cache)" >&2
		rm -rf "$entry" "$entry.tmp"
		mkdir -p "$entry.tmp"
		"$recipe" "$entry.tmp" "${recipe_args[@]}"
		touch "$entry.tmp/.complete"
		mv "$entry.tmp" "$entry"
	fi
	# Other versions of the same recipe are of no more use here: exactly
	# RECIPE-<16 hex digits> (with its .tmp and .lock), never another
	# recipe's entries whose name merely starts the same. A version whose
	# lock another build holds (another clone building it right now) is
	# left to that build.
	for old in "$cache/$(basename "$recipe" .sh)"-*.lock; do
		old=${old%.lock}
		[ "$old" != "$entry" ] || continue
		[[ ${old#"$cache/$(basename "$recipe" .sh)"-} =~ ^[0-9a-f]{16}$ ]] || continue
		(
			exec 8< "$old.lock"
			flock -n 8 || exit 0
			rm -rf "$old" "$old.tmp"
			rm -f "$old.lock"
		)
	done
fi

[ -z "${SMOKEGATE_FIXTURE_CACHE_ONLY:-}" ] || exit 0

# A hard link to a file of root's cache is refused to other users
# (fs.protected_hardlinks): they get a copy.
mkdir -p "$outdir"
for f in "$entry"/*; do
	[ -f "$f" ] || continue
	target="$outdir/$(basename "$f")"
	rm -f "$target"
	ln "$f" "$target" 2> /dev/null || cp --reflink=auto "$f" "$target"
done
