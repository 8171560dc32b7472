#!/bin/bash
# bench/arches.sh [-l] [-n RUNS] [-a "ARCH..."] [-o DIR] [BUILD-DIR]
#
# One architecture next to another on this machine, all under TCG here,
# RUNS times each (default 3), alternating:
# - by default Debian's real debian-installer, amd64, arm64 and ppc64el
#   (images/real-di/, images/real-di-arm64/, images/real-di-ppc64el/), with
#   the answers that stop it at its first question ([!!] Configure the
#   network);
# - with -l the real Debian live-boot images, amd64 and arm64
#   (images/live-real/, images/live-real-arm64/: LightDM autologin, IceWM),
#   judged as generic live images to a drawn desktop.
# amd64 and arm64 are booted by `smokegate test` through their own firmware
# and bootloader under plain UEFI (x64 OVMF on q35, AAVMF on virt with a
# cortex-a72), ppc64el's vmlinux directly on pseries under SLOF (a POWER9).
# -a: the architectures (default "amd64 arm64 ppc64el", with -l "amd64 arm64").
# Prints, per run and as a table of medians, the seconds from power-on to:
#   kernel  the kernel's first console line (smokegate's own figure:
#           result.json's boot.seconds_to_kernel, timed from power-on)
#   dialog  the first byte of the installer's first dialog title ("[!!]" or
#           "[!]") in the console log, which this script watches every
#           0.2 s (so up to 0.2 s late), from the phase's start;
#   desktop (-l) the autologin session's line on the console, seen the same
#           way, plus the seconds smokegate then took to see a settled drawn
#           screen (result.json's screen.seconds_after_markers)
#   verdict the verdict written (the phase's duration)
# Figures to report, not to assert. Run it under the machine's VM lock:
#   flock /tmp/smokegate-vm.lock bench/arches.sh
# -o DIR keeps each run's evidence (ARCH-RUN/).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
runs=3 keep='' live='' arches=''
while getopts ln:a:o: opt; do
	case $opt in
	l) live=1 ;;
	n) runs=$OPTARG ;;
	a) arches=$OPTARG ;;
	o) keep=$(realpath "$OPTARG") ;;
	*) echo "usage: $0 [-l] [-n RUNS] [-a \"ARCH...\"] [-o DIR] [BUILD-DIR]" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
build=$(realpath "${1:-$here/build}")
for c in jq nginx date; do
	command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] ||
		{ echo "$0: missing tool: $c" >&2; exit 69; }
done
if [ -n "$live" ]; then
	targets=(live-real-images live-real-arm64-images) phase=live what=desktop
	arches=${arches:-amd64 arm64}
	declare -A iso=([amd64]=$build/images/smoketest-live-real-amd64-good.iso
		[arm64]=$build/images/smoketest-live-real-arm64-good.iso)
	# The last of the generic live profile's console markers.
	marker='pam_unix\((gdm|gdm3|lightdm|sddm)-autologin:session\): session opened'
else
	targets=(real-di-images real-di-arm64-images real-di-ppc64el-images) phase=install what=dialog
	arches=${arches:-amd64 arm64 ppc64el}
	declare -A iso=([amd64]=$build/images/smoketest-real-di-amd64-netinst.iso
		[arm64]=$build/images/smoketest-real-di-arm64-netinst.iso
		[ppc64el]=$build/images/smoketest-real-di-ppc64el-netinst.iso)
	marker='\[!!?\]'
fi
# pseries has one firmware, and a ppc64el image is always booted directly.
declare -A firmware=([amd64]="--firmware uefi" [arm64]="--firmware uefi" [ppc64el]="")
for arch in $arches; do
	[ -n "${iso[$arch]:-}" ] || { echo "$0: no $phase fixture for $arch" >&2; exit 64; }
done
meson compile -C "$build" "${targets[@]}" >/dev/null ||
	{ echo "$0: cannot build ${targets[*]} in $build" >&2; exit 70; }
smokegate=$build/harness/smokegate

. "$here/tests/vm/lib.sh" # make_workdir, start_nginx, stop_nginx
make_workdir
start_nginx || { echo "$0: nginx is not installed (Debian package nginx-light)" >&2; exit 69; }
trap 'stop_nginx; rm -rf "$workdir"' EXIT
mkdir -p "$workdir/flavours" "$workdir/www/debian"
# The question comes before the mirror is asked anything: an empty one.
sed "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" "$here/guests/flavours/debian-netinst.conf" \
	>"$workdir/flavours/debian-netinst.conf"

# seconds_since START_ISO8601 EPOCH - EPOCH - START, one decimal.
seconds_since() {
	awk -v a="$(date -d "$1" +%s.%N)" -v b="$2" 'BEGIN { printf "%.1f", b - a }'
}

# one ARCH RUN - a test; appends "ARCH RUN kernel dialog|desktop verdict exit" to rows.
one() {
	local arch=$1 run=$2 evidence=$workdir/$1-$2 log pid seen_at='' status record started args after
	log=$evidence/console-$phase.log
	args=(test "${iso[$arch]}" ${firmware[$arch]} --evidence "$evidence")
	[ -n "$live" ] || args+=(--flavours-dir "$workdir/flavours" --flavour debian-netinst
		--answers "$here/images/testdata/real-di-no-nameservers.seed")
	"$smokegate" "${args[@]}" >"$workdir/out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$seen_at" ] && [ -f "$log" ] && grep -qaE "$marker" "$log"; then
			seen_at=$(date +%s.%N)
		fi
		sleep 0.2
	done
	status=0
	wait "$pid" || status=$?
	record=$(jq -c --arg p "$phase" '.phases[] | select(.name == $p)' "$evidence/result.json")
	started=$(jq -r .started <<<"$record")
	after=0
	[ -z "$live" ] || after=$(jq -r '.screen.seconds_after_markers // 0' "$evidence/result.json")
	rows+=("$arch $run $(jq -r '.boot.seconds_to_kernel // "-"' <<<"$record" | awk '{ printf ($1 == "-") ? "-" : "%.1f", $1 }') \
$([ -n "$seen_at" ] && seconds_since "$started" "$seen_at" | awk -v a="$after" '{ printf "%.1f", $1 + a }' || echo -) \
$(jq -r '.duration_s' <<<"$record" | awk '{ printf "%.1f", $1 }') $status")
	echo "# $arch run $run: ${rows[-1]#* * } ($(jq -r .reason "$evidence/result.json" | cut -c1-70))" >&2
	[ -z "$keep" ] || { mkdir -p "$keep" && cp -r "$evidence" "$keep/"; }
}

rows=()
for run in $(seq 1 "$runs"); do
	for arch in $arches; do
		one "$arch" "$run"
	done
done

echo "power-on to ... (s), plain UEFI (ppc64el: SLOF, direct) under TCG, $(nproc) cores, $runs runs each"
printf '%-7s %-4s %8s %8s %8s %5s\n' arch run kernel "$what" verdict exit
for row in "${rows[@]}"; do
	set -- $row
	printf '%-7s %-4s %8s %8s %8s %5s\n' "$1" "$2" "$3" "$4" "$5" "$6"
done
for arch in $arches; do
	for col in 3 4 5; do
		printf '%s\n' "${rows[@]}" | awk -v a="$arch" -v c="$col" '$1 == a && $c != "-" { print $c }' |
			sort -n | awk '{ v[NR] = $1 } END { printf "%s ", NR ? v[int((NR + 1) / 2)] : "-" }'
	done | awk -v a="$arch" '{ printf "%-7s %-4s %8s %8s %8s\n", a, "med", $1, $2, $3 }'
done
