#!/bin/bash
# The good image through this machine's own libvirtd (qemu:///system) with
# Debian's default configuration: QEMU runs as libvirt-qemu and reads the
# image, boot files and disk from storage volumes the daemon owns. Starts
# virtlogd and libvirtd when none runs, and stops them again after.
# usage: system.sh SMOKEGATE GOOD-ISO
. "$(dirname "$0")/lib.sh"
needs_root "qemu:///system's libvirtd"
. "$(dirname "$0")/lab-host.sh"

smokegate=$(realpath "$1") good=$2
make_workdir
trap 'lab_host_system_stop $$ >/dev/null 2>&1; rm -rf "$workdir"' EXIT
check "libvirtd answers on qemu:///system" lab_host_system_start $$
"$smokegate" test "$good" --connect qemu:///system --evidence "$workdir/ev" > "$workdir/out" 2> "$workdir/err"
status=$?
echo "# printed: $(cat "$workdir/out")"
sed 's/^/# stderr: /' "$workdir/err"
check "the good image passes over qemu:///system (got $status)" test "$status" -eq 0
check "its guests ran as libvirt-qemu, not as us: the disk came from the pool" \
	grep -q '"connection" : "qemu:///system"' "$workdir/ev/result.json"
check "no smokegate guest left" sh -c "! virsh -c qemu:///system list --all --name | grep -q smokegate-"
check "no volume left but cached ISOs and their markers" sh -c "! virsh -c qemu:///system vol-list smokegate | awk 'NR > 2 && \$1 != \"\" { print \$1 }' | grep -Ev '^[0-9a-f]{64}\\.(iso|ok)\$' | grep -q ."
finish
