#!/bin/bash
# In the guest of tests/vm/deb-systemd.sh (Debian 12, systemd as PID 1, the
# smokegate package installed): watches smokegate-serve@ on TREE until the
# journal has its verdict, recording the unit's sandbox as the kernel shows
# it for smokegate and for each QEMU it starts; then stops the unit, writes
# what systemd says of it into OUT and powers the guest off. The host reads
# OUT with libguestfs once the guest is off.
# usage: collect.sh UNIT TREE OUT SECONDS (SECONDS: give up waiting after)
unit=$1 tree=$2 out=$3 seconds=$4
mkdir -p "$out"
say() { echo "smokegate-proof: $*"; }

# harness/cli/sg-systemd.h: pass, fail, error.
verdict_ids=(MESSAGE_ID=58fdf6d0b74046e59740a9a765826d86
	MESSAGE_ID=99e75b7b7991460696dbf018e1eb2176
	MESSAGE_ID=6d34f28950b94ecf84f2db0e14653965)

# process NAME PID: what the kernel says of PID's sandbox, in OUT/NAME.status
# (its status, cgroup, namespaces against PID 1's, root and /usr mounts).
process() {
	local f=$out/$1.status pid=$2
	{
		echo "Pid: $pid"
		echo "Cmdline: $(tr '\0' ' ' < "/proc/$pid/cmdline" | cut -c1-300)"
		grep -E '^(Name|Uid|Gid|NoNewPrivs|Seccomp|Seccomp_filters|CapInh|CapPrm|CapEff|CapBnd|CapAmb):' \
			"/proc/$pid/status"
		echo "Cgroup: $(cat "/proc/$pid/cgroup")"
		echo "MntNs: $(readlink "/proc/$pid/ns/mnt") pid1 $(readlink /proc/1/ns/mnt)"
		# ProtectSystem=strict: / read-only in its namespace, the tree
		# (ReadWritePaths=) writable.
		awk -v tree="$tree" '$5 == "/" || $5 == tree { print "Mount: " $5 " " $6 }' \
			"/proc/$pid/mountinfo"
	} > "$f.tmp" 2>&1 && mv "$f.tmp" "$f"
}

say "PID 1 is $(readlink /proc/1/exe); watching $unit for $seconds s"
readlink /proc/1/exe > "$out/pid1"
dpkg-query -W -f '${Version} ${Status}\n' smokegate > "$out/package"
start=$(date +%s)
verdict=
while [ $(($(date +%s) - start)) -lt "$seconds" ]; do
	main=$(systemctl show -p MainPID --value "$unit")
	if [ ! -e "$out/smokegate.status" ] && [ "${main:-0}" -gt 0 ]; then
		process smokegate "$main"
		say "smokegate runs as pid $main"
	fi
	for pid in $(pgrep -f '^/usr/bin/qemu-system-x86_64 .*-name guest=smokegate'); do
		[ -e "$out/qemu.status" ] && break
		process qemu "$pid"
		systemctl status --no-pager --full --lines=0 "$unit" > "$out/status-running.txt" 2>&1
		say "QEMU started: pid $pid, $(($(date +%s) - start)) s after this"
		echo "$(($(date +%s) - start))" > "$out/qemu-seconds"
	done
	if journalctl -q --no-pager -o cat "${verdict_ids[@]}" | grep -q .; then
		verdict=yes
		break
	fi
	sleep 2
done
echo "$(($(date +%s) - start))" > "$out/verdict-seconds"
say "verdict: ${verdict:-none} after $(($(date +%s) - start)) s"

journalctl -q --no-pager -o export "${verdict_ids[@]}" > "$out/verdict.export"
# serve's own stop: it cancels what runs, its guests destroyed.
systemctl stop "$unit"
# --all: the empty ones too (CapabilityBoundingSet=).
systemctl show --all "$unit" > "$out/show.txt"
systemctl status --no-pager --full --lines=0 "$unit" > "$out/status-stopped.txt" 2>&1
journalctl -q --no-pager -o short-monotonic -u "$unit" > "$out/unit.log"
systemd-analyze security --no-pager "$unit" > "$out/security.txt" 2>&1
pgrep -a qemu-system > "$out/qemu-left" || true
ls -A /var/lib/smokegate/scratch /var/lib/smokegate/embed > "$out/state-left" 2>&1 || true
sync
say "done; powering off"
systemctl --no-block poweroff
