#!/bin/bash
# bench/batch.sh [BUILD-DIR]: the gate's batch over lab hosts, measured, not
# asserted. Two libvirt hosts in their own namespaces (tests/vm/lab-host.sh,
# 127.0.0.20 and 127.0.0.21, MaxGuests=1 each):
#   1. four builds (good, panic, installer-error, no-desktop) on one host,
#      then the same four on both: the makespan of each and their ratio;
#   2. twelve builds (three of each) on both hosts: makespan, and the
#      coordinator's peak RSS (VmHWM of the smokegate process, sampled each
#      0.2 s; QEMU runs under the hosts' libvirtd, not under smokegate);
#   3. a host taken away (libvirtd and its QEMU killed together) while it
#      tests: seconds from its loss to the build started on the other host.
set -u
build=${1:-build}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/vm/lab-host.sh"
smokegate=$(realpath "$build/harness/smokegate")
images=$(realpath "$build/images")
work=$(mktemp -d /tmp/smokegate-bench-XXXXXX)
host_a=smokegate-bench-a-$$ host_b=smokegate-bench-b-$$
trap 'lab_host_stop "$host_a" > /dev/null 2>&1; lab_host_stop "$host_b" > /dev/null 2>&1; rm -rf "$work"' EXIT
export SMOKEGATE_NO_PROGRESS=1 SMOKEGATE_STATE_DIR="$work/state"
for h in "$host_a:127.0.0.20" "$host_b:127.0.0.21"; do
	lab_host_start "${h%%:*}" "${h#*:}" "$images" "$work" > "$work/host.log" 2>&1 || { cat "$work/host.log"; exit 1; }
done
printf '[Host a]\nURI=qemu+tcp://127.0.0.20/system\nMaxGuests=1\n' > "$work/one.conf"
cp "$work/one.conf" "$work/two.conf"
printf '[Host b]\nURI=qemu+tcp://127.0.0.21/system\nMaxGuests=1\n' >> "$work/two.conf"
variants=(good panic installer-error no-desktop)

# make_tree NAME COPIES: COPIES builds of each variant, one image type each.
make_tree() {
	local tree="$work/$1" n v
	mkdir -p "$tree"
	for n in $(seq 1 "$2"); do
		for v in "${variants[@]}"; do
			"$smokegate" stage --tree "$tree" --flavour "f$n" --image-type "$v" \
				"$images/smoketest-amd64-$v.iso" > /dev/null
		done
	done
	echo "$tree"
}

# gate TREE LAB: runs the gate, prints its makespan in seconds; the peak RSS
# in KiB goes to $work/hwm.
gate() {
	local start end pid hwm=0 h
	start=$(date +%s.%N)
	"$smokegate" gate --tree "$1" --lab "$2" --json > "$1.events" 2> "$1.err" &
	pid=$!
	while kill -0 "$pid" 2> /dev/null; do
		h=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null)
		[ -n "$h" ] && [ "$h" -gt "$hwm" ] && hwm=$h
		sleep 0.2
	done
	wait "$pid"
	end=$(date +%s.%N)
	echo "$hwm" > "$work/hwm"
	echo "$end - $start" | bc
}

summary() { jq -c 'select(.event == "summary") | del(.event)' "$1.events"; }

one=$(gate "$(make_tree four-one 1)" "$work/one.conf")
echo "four builds, one host:  $one s  $(summary "$work/four-one")"
two=$(gate "$(make_tree four-two 1)" "$work/two.conf")
echo "four builds, two hosts: $two s  $(summary "$work/four-two")"
echo "makespan ratio (two hosts / one host): $(echo "scale=2; $two / $one" | bc)"

twelve=$(gate "$(make_tree twelve 3)" "$work/two.conf")
echo "twelve builds, two hosts: $twelve s  $(summary "$work/twelve")"
echo "coordinator peak RSS during the twelve: $(($(cat "$work/hwm") / 1024)) MiB ($(cat "$work/hwm") KiB)"

# A host lost while it tests: the build moves to the other one.
tree=$(make_tree loss 0)
"$smokegate" stage --tree "$tree" --flavour loss "$images/smoketest-amd64-good.iso" > /dev/null
"$smokegate" gate --tree "$tree" --lab "$work/two.conf" --json > "$tree.events" 2> "$tree.err" &
pid=$!
victim=
for _ in $(seq 1 600); do
	victim=$(jq -r 'select(.event == "phase" and .detail == "install") | .host' "$tree.events" 2> /dev/null | head -1)
	[ -n "$victim" ] && break
	sleep 0.2
done
sleep 5
lost_at=$(date +%s.%N)
if [ "$victim" = a ]; then lab_host_stop "$host_a" > /dev/null 2>&1; else lab_host_stop "$host_b" > /dev/null 2>&1; fi
wait "$pid"
restart=$(jq -r --arg h "$victim" 'select(.event == "started" and .host != $h) | .time' "$tree.events" | head -1)
echo "host '$victim' lost: the build started again elsewhere $(echo "$(date -d "$restart" +%s.%N) - $lost_at" | bc) s later; $(summary "$tree")"
