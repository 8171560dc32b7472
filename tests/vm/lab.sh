#!/bin/bash
# `smokegate lab` against real daemons: one libvirt host in its own
# namespaces on ADDR (tests/vm/lab-host.sh) holding a cached image, an
# unfinished upload and a paused smokegate guest (paused: nothing boots), and
# a host on DOWN_ADDR where nothing listens. The survey finds the first
# with its capacity, cache and guest, names the second unreachable with
# libvirt's message, and exits 0; a lab of the down host alone exits 2.
# usage: lab.sh SMOKEGATE ADDR DOWN_ADDR
. "$(dirname "$0")/lib.sh"
needs_root "lab hosts are libvirtd in mount namespaces of their own"
. "$(dirname "$0")/lab-host.sh"

smokegate=$(realpath "$1") addr=$2 down_addr=$3
uri="qemu+tcp://$addr/system"
host=smokegate-lab-test-$$
make_workdir
trap '[ "$tap_failed" -eq 0 ] || sed "s/^/# host-log: /" "$(lab_host_state "$host")/log" "$workdir/virsh.log" 2>/dev/null
	lab_host_stop "$host" >/dev/null 2>&1; rm -rf "$workdir"' EXIT

if ! lab_host_start "$host" "$addr" "$workdir" >"$workdir/host.log" 2>&1; then
	sed 's/^/# host: /' "$workdir/host.log"
	not_ok "libvirt host started on $addr"
	finish
	exit 1
fi
ok "libvirt host started on $addr"

# The host's cache as smokegate leaves it (sg-media.h): a complete image
# (<sha>.iso and its <sha>.ok marker) and an upload killed half-way (no
# marker), which is not an image yet.
sha_done=$(printf 'done' | sha256sum | cut -d' ' -f1)
sha_half=$(printf 'half' | sha256sum | cut -d' ' -f1)
virsh_host() { virsh -q -c "$uri" "$@" >>"$workdir/virsh.log" 2>&1; }
make_cache() {
	virsh_host pool-define-as smokegate dir --target /var/lib/libvirt/smokegate &&
		virsh_host pool-build smokegate && virsh_host pool-start smokegate &&
		virsh_host vol-create-as smokegate "$sha_done.iso" 3M &&
		virsh_host vol-create-as smokegate "$sha_done.ok" 1K &&
		virsh_host vol-create-as smokegate "$sha_half.iso" 5M
}
check "the host's smokegate pool and cache made with virsh" make_cache
guest=smokegate-labtest-$$-1-install
cat >"$workdir/guest.xml" <<EOF
<domain type='qemu'>
  <name>$guest</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64'>hvm</type></os>
  <devices><emulator>/usr/bin/qemu-system-x86_64</emulator></devices>
</domain>
EOF
check "a paused smokegate guest on the host" virsh_host create "$workdir/guest.xml" --paused

# A tree with one build of the cached image and one of another.
tree=$workdir/tree
mkdir -p "$tree/smoketest/desktop-amd64/20261130" "$tree/smoketest/desktop-amd64/20261129"
printf '{"state":"untested","image":"a.iso","sha256":"%s"}\n' "$sha_done" \
	>"$tree/smoketest/desktop-amd64/20261130/smokegate.json"
printf '{"state":"passed","image":"a.iso","sha256":"%s"}\n' "$sha_half" \
	>"$tree/smoketest/desktop-amd64/20261129/smokegate.json"

cat >"$workdir/lab.conf" <<EOF
[Host up]
URI=$uri
MaxGuests=2
VCPUs=1

[Host down]
URI=qemu+tcp://$down_addr/system
EOF

start=$(date +%s%N)
"$smokegate" lab --lab "$workdir/lab.conf" --tree "$tree" --json >"$workdir/lab.json" 2>"$workdir/lab.err"
status=$?
millis=$((($(date +%s%N) - start) / 1000000))
sed 's/^/# lab.json: /' "$workdir/lab.json"
sed 's/^/# stderr: /' "$workdir/lab.err"
echo "# smokegate lab took $millis ms"
check "exit 0 with one host reachable" test "$status" -eq 0
up() { jq -e ".hosts[0] | $1" "$workdir/lab.json" >/dev/null; }
down() { jq -e ".hosts[1] | $1" "$workdir/lab.json" >/dev/null; }
whole() { jq -e "$1" "$workdir/lab.json" >/dev/null; }
check "the lab file named" whole ".lab == \"$workdir/lab.conf\" and .reachable == 1"
check "up: reachable" up '.name == "up" and .reachable == true and .problem == null'
check "up: CPUs and memory" up '.cpus > 0 and .memory_mib > 0 and .free_memory_mib > 0'
check "up: VCPUs= caps the guests' CPUs" up '.vcpus == 1 and .vcpus_cap == 1'
check "up: accel kvm or tcg, with a reason" up '(.accel == "kvm" or .accel == "tcg") and (.accel_reason | length > 0)'
check "up: the paused guest runs there" up "(.guests | length == 1) and .guests[0].name == \"$guest\" and .guests[0].state == \"paused\""
check "up: room for one more guest" up '.running == 1 and .max_guests == 2 and .free_slots == 1'
check "up: the complete image cached, not the half upload" up "(.images | length == 1) and .images[0].sha256 == \"$sha_done\" and .images[0].size == 3145728 and .images_size == 3145728"
check "up: the tree's build of the cached image" up "(.tree_builds_cached | length == 1) and .tree_builds_cached[0].build == \"smoketest/desktop-amd64/20261130\" and .tree_builds_cached[0].state == \"untested\""
check "down: unreachable with libvirt's message" down '.name == "down" and .reachable == false and (.problem | test("'"$down_addr"'"))'
check "down: no capacity claimed" down 'has("cpus") | not'

"$smokegate" lab --lab "$workdir/lab.conf" --tree "$tree" >"$workdir/lab.txt" 2>&1
status=$?
sed 's/^/# lab: /' "$workdir/lab.txt"
check "text: exit 0" test "$status" -eq 0
check "text: the down host's line" grep -q "^down  *unreachable: .*$down_addr" "$workdir/lab.txt"
check "text: the guest's line" grep -q "runs  *$guest  *paused" "$workdir/lab.txt"

printf '[Host down]\nURI=qemu+tcp://%s/system\n' "$down_addr" >"$workdir/down.conf"
"$smokegate" lab --lab "$workdir/down.conf" >/dev/null 2>&1
check "exit 2 when no host is reachable" test $? -eq 2
"$smokegate" lab --lab "$workdir/nothing.conf" 2>"$workdir/usage.err"
status=$?
check "a missing lab file is a usage error naming it" sh -c "test $status -eq 64 && grep -q nothing.conf '$workdir/usage.err'"
"$smokegate" lab --lab "$workdir/lab.conf" --connect "$uri" >/dev/null 2>&1
check "--lab with --connect is a usage error" test $? -eq 64

virsh_host destroy "$guest"
check "the survey left the host as it was" sh -c "virsh -q -c '$uri' vol-list smokegate | wc -l | grep -qx 3"
lab_host_stop "$host" >/dev/null 2>&1
host_gone() { ! lab_host_pid "$host" >/dev/null 2>&1; }
check "the host stopped" host_gone
finish
