# Shared by the vm tests: TAP output and checks on a smokegate run.
# Each test runs smokegate with its own state folder, so it can check that
# nothing (guest, QEMU process, disk, scratch file) is left afterwards.

set -u
tap_count=0
tap_failed=0

ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

not_ok() {
	tap_count=$((tap_count + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_count - $1"
}

check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

finish() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
}

make_workdir() {
	workdir=$(mktemp -d /tmp/smokegate-vmtest-XXXXXX)
	export SMOKEGATE_STATE_DIR="$workdir/state"
	export SMOKEGATE_NO_PROGRESS=1
	trap 'rm -rf "$workdir"' EXIT
}

json_field() {
	jq -r "$1" "$2"
}

qemu_processes_under() {
	pgrep -f -- "$1" | grep -v "^$$\$" || true
}

# Nothing of this run may remain: no QEMU, no embedded root, no scratch disk.
check_nothing_left() {
	check "no QEMU process left" test -z "$(qemu_processes_under "$SMOKEGATE_STATE_DIR")"
	check "no embedded libvirt root left" test -z "$(ls -A "$SMOKEGATE_STATE_DIR/embed" 2>/dev/null)"
	check "no scratch disk left" test -z "$(ls -A "$SMOKEGATE_STATE_DIR/scratch" 2>/dev/null)"
}
