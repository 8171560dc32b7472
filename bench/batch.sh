#!/bin/bash
# bench/batch.sh [BUILD-DIR]: the gate's batch over lab hosts, measured, not
# asserted. Two libvirt hosts in their own namespaces (tests/vm/lab-host.sh,
# 127.0.0.20 and 127.0.0.21, MaxGuests=1 each):
#   1. four builds (good, panic, installer-error, no-desktop) on one host,
#      then the same four on both: the makespan of each and their ratio;
#   2. twelve builds (three of each) on both hosts: makespan, and the
#      coordinator's peak RSS (VmHWM of the smokegate process; QEMU runs
#      under the hosts' libvirtd, not under smokegate), and where it goes:
#      the process's resident memory is sampled every 10 ms, and at the
#      sample with the most its /proc/PID/smaps is broken down (the
#      libraries' file-backed pages, counted in RSS though shared, against
#      anonymous memory: malloc's heap and arenas, large buffers, stacks)
#      with the threads alive at that moment;
#   3. a host taken away (libvirtd and its QEMU killed together) while it
#      tests: seconds from its loss to the build started on the other host.
#
# bench/batch.sh [BUILD-DIR [STEP...]]: only the steps named (four-one,
# four-two, twelve, loss), all by default. SMOKEGATE=PATH measures another
# build of the program (an older one, for a before/after) on this build's
# images; a binary away from its build folder needs SMOKEGATE_DATA_DIR.
set -u
build=${1:-build}
shift
steps=${*:-four-one four-two twelve loss}
here=$(cd "$(dirname "$0")/.." && pwd)
. "$here/tests/vm/lab-host.sh"
smokegate=$(realpath "${SMOKEGATE:-$build/harness/smokegate}")
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
# in KiB goes to $work/hwm, the smaps and threads at the largest sample to
# $work/smaps and $work/threads.
gate() {
	local start end pid
	start=$(date +%s.%N)
	"$smokegate" gate --tree "$1" --lab "$2" --json > "$1.events" 2> "$1.err" &
	pid=$!
	# Every 10 ms: a spike (two screenshots decoded at once) is short.
	python3 - "$pid" "$work" <<'PY'
import os, shutil, sys, time
pid, work = sys.argv[1], sys.argv[2]
peak = hwm = 0
while True:
    try:
        status = open(f"/proc/{pid}/status").read()
    except OSError:
        break
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    if "VmRSS" not in fields:
        break  # ended: a zombie has no memory
    rss = int(fields["VmRSS"].split()[0])
    hwm = max(hwm, int(fields["VmHWM"].split()[0]))
    if rss > peak:
        try:
            shutil.copyfile(f"/proc/{pid}/smaps", f"{work}/smaps")
            names = [open(f"/proc/{pid}/task/{t}/comm").read().strip()
                     for t in os.listdir(f"/proc/{pid}/task")]
        except OSError:
            break
        peak = rss
        with open(f"{work}/threads", "w") as f:
            for name in sorted(set(names)):
                f.write(f"{names.count(name):4d} {name}\n")
    with open(f"{work}/hwm", "w") as f:
        f.write(f"{hwm}\n")
    time.sleep(0.01)
PY
	wait "$pid"
	end=$(date +%s.%N)
	echo "$end - $start" | bc
}

# Where the memory at the largest sample went (see the top).
breakdown() {
	awk '
	/^[0-9a-f]+-[0-9a-f]+ / { name = (NF >= 6) ? $6 : "anon"; perms = $2 }
	/^Size:/ { size = $2 }
	/^Rss:/ { print name, perms, size, $2 }
	' "$work/smaps" > "$work/mappings"
	awk '{ if ($1 ~ /^\//) file += $4; else anon += $4 } END {
		printf "at the largest sample: file-backed %d KiB, anonymous %d KiB\n", file, anon }' "$work/mappings"
	echo "  file-backed, by file (KiB):"
	awk '$1 ~ /^\// { rss[$1] += $4 } END { for (f in rss) printf "%8d %s\n", rss[f], f }' "$work/mappings" |
		sort -rn | head -12 | sed 's/^/  /'
	echo "  anonymous, the largest mappings (Rss KiB, size KiB, perms, name):"
	awk '$1 !~ /^\// && $4 > 0 { printf "%8d %8d %s %s\n", $4, $3, $2, $1 }' "$work/mappings" |
		sort -rn | head -10 | sed 's/^/  /'
	echo "  threads: $(awk '{ n += $1 } END { print n }' "$work/threads")"
	sed 's/^/  /' "$work/threads"
}

summary() { jq -c 'select(.event == "summary") | del(.event)' "$1.events"; }

step() { [[ " $steps " == *" $1 "* ]]; }
echo "# $smokegate ($("$smokegate" --version)); steps: $steps"

if step four-one; then
	one=$(gate "$(make_tree four-one 1)" "$work/one.conf")
	echo "four builds, one host:  $one s  $(summary "$work/four-one")"
fi
if step four-two; then
	two=$(gate "$(make_tree four-two 1)" "$work/two.conf")
	echo "four builds, two hosts: $two s  $(summary "$work/four-two")"
	echo "coordinator peak RSS during the four: $(($(cat "$work/hwm") / 1024)) MiB ($(cat "$work/hwm") KiB)"
	breakdown
	if step four-one; then
		echo "makespan ratio (two hosts / one host): $(echo "scale=2; $two / $one" | bc)"
	fi
fi

if step twelve; then
	twelve=$(gate "$(make_tree twelve 3)" "$work/two.conf")
	echo "twelve builds, two hosts: $twelve s  $(summary "$work/twelve")"
	echo "coordinator peak RSS during the twelve: $(($(cat "$work/hwm") / 1024)) MiB ($(cat "$work/hwm") KiB)"
	breakdown
fi

step loss || exit 0
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
