#!/bin/bash
# Runs a test program (TAP) against real libvirt daemons: a second libvirt
# host in its own namespaces on ADDR (tests/vm/lab-host.sh), passed as
# SMOKEGATE_TEST_LAB_URI and SMOKEGATE_TEST_LAB_PID, and this machine's
# qemu:///system (started when none runs), as SMOKEGATE_TEST_SYSTEM_URI.
# Usage: with-lab-hosts.sh ADDR PROGRAM [ARGS...]
set -u
addr=$1
shift
source "$(dirname "$0")/../../tests/vm/lab-host.sh"

work=$(mktemp -d /tmp/smokegate-labtest-XXXXXX)
export SMOKEGATE_STATE_DIR="$work/state"
name="media-$$"
cleanup() {
	lab_host_stop "$name"
	lab_host_system_stop
	rm -rf "$work"
}
trap cleanup EXIT

lab_host_start "$name" "$addr" "$work" || { echo "Bail out! cannot start the lab host on $addr"; exit 1; }
export SMOKEGATE_TEST_LAB_URI="qemu+tcp://$addr/system"
SMOKEGATE_TEST_LAB_PID=$(lab_host_pid "$name")
export SMOKEGATE_TEST_LAB_PID
if lab_host_system_start; then
	export SMOKEGATE_TEST_SYSTEM_URI=qemu:///system
fi
"$@"
