#!/bin/bash
# bench/arch-gate.sh [BUILD-DIR]
#
# The gate over one build of each architecture on two lab hosts: Debian's
# real debian-installer, amd64 and arm64 (images/real-di/,
# images/real-di-arm64/), staged as daily-amd64 and daily-arm64 builds of one
# tree and gated at once on two libvirt hosts in their own namespaces
# (tests/vm/lab-host.sh, 127.0.0.22 and 127.0.0.23, MaxGuests=1 each): host
# a declares Arches=amd64, host b Arches=amd64;arm64. Both hosts are this
# x86_64 machine, so b emulates the arm64 build (TCG, with the profile's
# limits times its EmulationFactor=) and a cannot take it at all. The
# installer stops at its first dialog (no network to answer from): each
# build's verdict comes in minutes.
# Prints where each build ran, its verdict and reason, and the makespan (the
# gate's start to its end). Figures to report, not to assert. Run it under
# the machine's VM lock:
#   flock /tmp/smokegate-vm.lock bench/arch-gate.sh
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
for c in jq nginx date bc; do
	command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] ||
		{ echo "$0: missing tool: $c" >&2; exit 69; }
done
meson compile -C "$build" real-di-images real-di-arm64-images >/dev/null ||
	{ echo "$0: cannot build the real-di fixtures in $build" >&2; exit 70; }
smokegate=$build/harness/smokegate
images=$build/images

. "$here/tests/vm/lib.sh"      # make_workdir, start_nginx, stop_nginx
. "$here/tests/vm/lab-host.sh" # lab_host_start, lab_host_stop
make_workdir
host_a=smokegate-archgate-a-$$ host_b=smokegate-archgate-b-$$
start_nginx || { echo "$0: nginx is not installed (Debian package nginx-light)" >&2; exit 69; }
trap 'lab_host_stop "$host_a" >/dev/null 2>&1; lab_host_stop "$host_b" >/dev/null 2>&1; stop_nginx; rm -rf "$workdir"' EXIT
for h in "$host_a:127.0.0.22" "$host_b:127.0.0.23"; do
	lab_host_start "${h%%:*}" "${h#*:}" "$images" "$workdir" >"$workdir/host.log" 2>&1 ||
		{ cat "$workdir/host.log"; exit 1; }
done
cat >"$workdir/lab.conf" <<EOF
[Host a]
URI=qemu+tcp://127.0.0.22/system
MaxGuests=1
Arches=amd64

[Host b]
URI=qemu+tcp://127.0.0.23/system
MaxGuests=1
Arches=amd64;arm64
EOF
# The installer stops before the mirror is asked anything: an empty one.
mkdir -p "$workdir/flavours" "$workdir/www/debian"
sed "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" "$here/guests/flavours/debian-netinst.conf" \
	>"$workdir/flavours/debian-netinst.conf"

tree=$workdir/tree
mkdir -p "$tree"
for arch in amd64 arm64; do
	"$smokegate" stage --tree "$tree" --flavour debian --image-type daily --series bookworm \
		--publish-type netinst --arch "$arch" \
		"$images/smoketest-real-di-$arch-netinst.iso" >/dev/null
done

start=$(date +%s.%N)
status=0
"$smokegate" gate --tree "$tree" --lab "$workdir/lab.conf" --flavours-dir "$workdir/flavours" \
	--json >"$workdir/events" 2>"$workdir/err" || status=$?
end=$(date +%s.%N)

echo "# $("$smokegate" --version); $(nproc) cores; host a Arches=amd64, host b Arches=amd64;arm64"
echo "where each build ran (the gate's started events):"
jq -r 'select(.event == "started") | "  \(.build) on \(.host)"' "$workdir/events"
echo "the gate's other events:"
jq -r 'select(.event != "phase" and .event != "started") |
	"  \(.event) \(.host // "-") \(.build // "-") \(.seconds // "") \(.detail // "" | .[0:110])"' \
	"$workdir/events"
echo "each test's result.json (arch, accelerator, emulation, limit factor, phases):"
find "$tree" -name result.json | sort | while read -r result; do
	jq -r '"  \(.arch) \(.verdict): \(.accelerator) (\(.accelerator_reason)); emulation: \(.emulation // "none") x\(.limit_factor // 1); \([.phases[] | "\(.name) \(.duration_s | floor) s"] | join(", "))"' "$result"
done
echo "gate exit status: $status"
echo "makespan: $(echo "$end - $start" | bc | awk '{ printf "%.1f", $1 }') s"
