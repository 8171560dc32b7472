#!/bin/bash
# systemd's own score of the services' sandbox: `systemd-analyze security
# --offline=yes` (systemd 252 or later) on each unit as built, instantiated
# for a tree /srv/trees/daily, must give an overall exposure of at most
# MAX (3.0: "OK"). The sandbox each directive stands for is checked by
# systemd; whether QEMU still runs inside it is not (this machine's PID 1 is
# not systemd).
# usage: security.sh MAX UNIT.service...
. "$(dirname "$0")/../../tests/vm/lib.sh"

max=$1
shift
if ! systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	echo "1..0 # SKIP systemd-analyze has no --offline (systemd older than 252)"
	exit 0
fi
make_workdir
instance=$(systemd-escape --path /srv/trees/daily)
for unit in "$@"; do
	name=$(basename "$unit")
	copy="$workdir/${name/@/@$instance}"
	cp "$unit" "$copy"
	(cd "$workdir" && systemd-analyze security --offline=yes --no-pager "$(basename "$copy")") \
		> "$workdir/out" 2>&1
	exposure=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p' "$workdir/out")
	check "$name: systemd-analyze gives an exposure ($(tail -1 "$workdir/out"))" test -n "$exposure"
	check "$name: exposure ${exposure:-?} is at most $max" \
		awk -v e="${exposure:-99}" -v m="$max" 'BEGIN { exit !(e <= m) }'
	# What the exposure stands on: the directives whose absence costs most.
	for directive in CapabilityBoundingSet= SystemCallFilter= RestrictNamespaces= \
		RestrictAddressFamilies= ProtectProc= DevicePolicy= RemoveIPC= NoNewPrivileges=; do
		check "$name: $directive is set" grep -q "^$directive" "$unit"
	done
	check "$name: starts QEMU with seccomp allowed (QEMU's own -sandbox filter)" \
		grep -q "^SystemCallFilter=.*\bseccomp\b" "$unit"
	check "$name: /dev/kvm is the one device allowed" grep -qx "DeviceAllow=/dev/kvm rw" "$unit"
	if grep -q "^Restart=" "$unit"; then
		check "$name: no restart after a usage or configuration error (64, 78)" \
			grep -qE "^RestartPreventExitStatus=(.* )?64( .*)? 78" "$unit"
	fi
done
finish
