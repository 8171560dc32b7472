#!/bin/bash
# The good image tested end to end (QEMU under the embedded libvirt driver,
# screenshots, libguestfs's appliance) inside the sandbox of the shipped
# smokegate-serve@.service, as far as it can be laid on without systemd as
# PID 1: an unprivileged user (the units run as smokegate), no capability
# in the bounding set, no_new_privs, /proc with hidepid=invisible
# (ProtectProc=), and the unit's own SystemCallFilter=,
# SystemCallErrorNumber=, RestrictAddressFamilies= and RestrictNamespaces=
# loaded as seccomp filters (tests/tools/sandbox-exec.py reads them from the
# unit). Not laid on: the device cgroup (DevicePolicy=, DeviceAllow=) and
# ProtectSystem=. About 2 minutes.
# usage: unit-sandbox.sh SMOKEGATE ISO UNIT
. "$(dirname "$0")/lib.sh"

needs_root "a mount namespace and another user"
if ! /usr/bin/python3 -c 'import seccomp' 2> /dev/null; then
	echo "1..0 # SKIP python3-seccomp is not installed"
	exit 0
fi
smokegate=$(realpath "$1") unit=$(realpath "$3")
sandbox=$(realpath "$(dirname "$0")/../tools/sandbox-exec.py")
make_workdir
cp "$2" "$workdir/good.iso"
user=65534
chown -R "$user:$user" "$workdir"

# Inside: the filters are loaded last, by sandbox-exec.py, just before
# smokegate starts, and are inherited by everything it starts.
unshare -m --propagation private -- bash -c '
	mount -t proc -o hidepid=invisible proc /proc || exit 99
	exec setpriv --reuid="$1" --regid="$1" --clear-groups --inh-caps=-all \
		--bounding-set=-all --no-new-privs -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		HOME="$2" XDG_CACHE_HOME="$2/cache" LIBGUESTFS_CACHEDIR="$2/cache" \
		LIBGUESTFS_BACKEND=direct SMOKEGATE_STATE_DIR="$2/state" SMOKEGATE_NO_PROGRESS=1 \
		/usr/bin/python3 "$3" "$4" "$5" test "$2/good.iso" --evidence "$2/evidence"' \
	_ "$user" "$workdir" "$sandbox" "$unit" "$smokegate" > "$workdir/out" 2> "$workdir/err"
status=$?
sed 's/^/# stderr: /' "$workdir/err" | tail -20
sed 's/^/# stdout: /' "$workdir/out"
check "the sandbox was laid on (exit $status is not 99)" test "$status" -ne 99
check "sandbox-exec loaded the unit's filters" grep -q '^sandbox-exec: [0-9]* system calls allowed' "$workdir/err"
check "the good image passes in the sandbox (exit $status)" test "$status" -eq 0
check "result.json says pass" test "$(json_field .verdict "$workdir/evidence/result.json" 2>/dev/null)" = pass
check "the disk was read with libguestfs in the sandbox" \
	test "$(json_field '.phases[] | select(.name == "inspect") | .status' "$workdir/evidence/result.json" 2>/dev/null)" = pass
check "no QEMU left" test -z "$(qemu_processes_under "$workdir")"
finish
