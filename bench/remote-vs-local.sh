#!/bin/bash
# bench/remote-vs-local.sh [BUILD-DIR]: the good test image's verdict time on
# the default embedded connection and on a second libvirt host (libvirtd in
# its own namespace on 127.0.0.5, tests/vm/lab-host.sh), side by side, the
# second host twice (the first uploads the ISO, the second finds it cached),
# and the fail-fast latency of the panic image on both. Not asserted.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/vm/lab-host.sh"
smokegate=$(realpath "$build/harness/smokegate")
images=$(realpath "$build/images")
work=$(mktemp -d /tmp/smokegate-bench-XXXXXX)
host=smokegate-bench-remote-$$
trap 'lab_host_stop "$host" > /dev/null 2>&1; rm -rf "$work"' EXIT
export SMOKEGATE_NO_PROGRESS=1 LIBGUESTFS_BACKEND=direct
lab_host_start "$host" 127.0.0.5 "$images" "$work" > "$work/host.log" 2>&1 || { cat "$work/host.log"; exit 1; }

row() { # NAME ISO [--connect URI]
	local name=$1 iso=$2
	shift 2
	"$smokegate" test "$iso" "$@" --evidence "$work/$name" > /dev/null 2>&1
	jq -r --arg n "$name" '"| \($n) | \(.verdict) | \(.duration_s * 10 | round / 10) | \(.fail_fast_s // "-") | \(.image_uploaded_bytes // "-") | \([.phases[] | "\(.name) \(.duration_s * 10 | round / 10)"] | join(", ")) |"' "$work/$name/result.json"
}
echo "| run | verdict | seconds | fail-fast s | image bytes uploaded | phases (s) |"
echo "|---|---|---|---|---|---|"
row local-good "$images/smoketest-amd64-good.iso"
row remote-good-first "$images/smoketest-amd64-good.iso" --connect qemu+tcp://127.0.0.5/system
row remote-good-cached "$images/smoketest-amd64-good.iso" --connect qemu+tcp://127.0.0.5/system
row local-panic "$images/smoketest-amd64-panic.iso"
row remote-panic "$images/smoketest-amd64-panic.iso" --connect qemu+tcp://127.0.0.5/system
row local-installer-error "$images/smoketest-amd64-installer-error.iso"
