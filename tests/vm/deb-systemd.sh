#!/bin/bash
# The Debian package and its hardened smokegate-serve@.service under a real
# systemd as PID 1 (this machine's PID 1 is not systemd): the .deb built
# from this tree as CI builds it (dpkg-buildpackage from a clean export),
# installed with its dependencies into an overlay of the real installed
# Debian 12 disk (images/installed-real) with libguestfs, offline (the
# .debs apt resolves against that disk's own package database, downloaded
# here into the fixture cache's debs/ folder), a tree with a failing image
# staged in it, smokegate-serve@ on that tree enabled; the disk booted as a
# libvirt guest (qemu:///system, TCG), where systemd starts the unit and
# the unit starts QEMU under TCG inside TCG. tests/vm/deb-systemd/collect.sh
# watches from inside, records the unit's sandbox as the kernel shows it
# for smokegate and its QEMU, stops the unit at the verdict and powers the
# guest off; this script reads it all back with libguestfs and checks:
# the verdict in the tree (failed, `current` not made) and in the journal
# with its fields, `systemctl show` of the sandbox, QEMU in the unit's
# cgroup under its no_new_privs, seccomp, empty capability sets and
# read-only system, and nothing left in the guest or here.
# The image is the panic one, the fastest failure, judged under an
# operator's drop-in profile (the package does not ship the test profiles):
# the test profile with a shipped answer file and long enough silences for
# a guest inside a guest.
# Each stage's time is printed. 'slow' suite: tens of minutes.
# usage: deb-systemd.sh SMOKEGATE DISK FAILING-ISO PROFILE
fixtures_start=$(date +%s)
. "$(dirname "$0")/lib.sh"
needs_root "qemu:///system's libvirtd, the fixture cache's debs/"
. "$(dirname "$0")/lab-host.sh"

smokegate=$(realpath "$1") disk=$(realpath "$2") iso=$(realpath "$3") profile=$(realpath "$4")
here=$(realpath "$(dirname "$0")")
source_root=$(realpath "$here/../..")
make_workdir
guest=smokegate-deb-systemd-$$
uri=qemu:///system
unit="smokegate-serve@srv-tree.service"
export LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg
trap 'virsh -c "$uri" destroy "$guest" >/dev/null 2>&1; lab_host_system_stop $$ >/dev/null 2>&1
	rm -rf "$workdir"' EXIT

stage_start=$(date +%s)
stage() {
	echo "# stage $1: $(($(date +%s) - stage_start)) s"
	stage_start=$(date +%s)
}
echo "# stage fixtures (installed-real disk, test images): $((stage_start - fixtures_start)) s"

# --- the .deb, as .ci/run builds it: a clean export, here of the working
# tree as it is (a commit's tree made through an index of our own: what
# is not committed yet is in it, what .gitignore names is not), the unit
# tests left to the unit suite ---
mkdir -p "$workdir/deb"
cp "$(git -C "$source_root" rev-parse --path-format=absolute --git-path index)" "$workdir/index"
snapshot=$(export GIT_INDEX_FILE="$workdir/index"
	git -C "$source_root" add -A && git -C "$source_root" write-tree)
git -C "$source_root" -c tar.umask=0022 archive --prefix=smokegate/ "$snapshot" |
	tar -x -C "$workdir/deb"
(cd "$workdir/deb/smokegate" && DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) \
	> "$workdir/deb-build.log" 2>&1
status=$?
[ $status -eq 0 ] || tail -20 "$workdir/deb-build.log" | sed 's/^/# deb-build: /'
deb=$(ls "$workdir"/deb/smokegate_*_amd64.deb 2>/dev/null)
check "dpkg-buildpackage built the .deb (exit $status)" test -s "$deb"
[ -s "$deb" ] || { finish; exit; }
version=$(dpkg-deb -f "$deb" Version)
stage "dpkg-buildpackage"

# --- its dependencies, resolved against the disk's own dpkg database ---
cache=${SMOKEGATE_FIXTURE_CACHE:-/var/cache/smokegate/fixtures}/debs
mkdir -p "$cache/partial"
virt-cat -a "$disk" /var/lib/dpkg/status > "$workdir/guest-status"
apt_guest=(-q -o Dir::State::status="$workdir/guest-status"
	-o Dir::State::extended_states="$workdir/extended_states"
	-o Dir::Cache::archives="$cache/" -o Debug::NoLocking=1
	-o APT::Sandbox::User=root -o APT::Install-Recommends=false)
apt-get "${apt_guest[@]}" -s install "$deb" > "$workdir/apt-plan" 2>&1
# "Inst NAME [OLD] (VERSION ORIGIN [ARCH])...": apt's file name for each.
sed -n 's/^Inst \([^ ]*\) \(\[[^]]*\] \)\?(\([^ ]*\) [^[]*\[\([^]]*\)\]).*/\1_\3_\4.deb/p' \
	"$workdir/apt-plan" | sed 's/:/%3a/g' | grep -v '^smokegate_' > "$workdir/debs.list"
echo "# the disk lacks $(wc -l < "$workdir/debs.list") packages for smokegate"
apt-get "${apt_guest[@]}" -y --download-only install "$deb" > "$workdir/apt-download.log" 2>&1 ||
	tail -10 "$workdir/apt-download.log" | sed 's/^/# apt: /'
mkdir -p "$workdir/smokegate-debs"
missing=0
while read -r f; do
	cp "$cache/$f" "$workdir/smokegate-debs/" 2>/dev/null || { echo "# not downloaded: $f"; missing=1; }
done < "$workdir/debs.list"
cp "$deb" "$workdir/smokegate-debs/"
check "every dependency is in the fixture cache's debs/ ($(wc -l < "$workdir/debs.list"))" \
	test "$missing" -eq 0 -a -s "$workdir/debs.list"
stage "dependencies (apt against the disk's dpkg status, download)"

# --- the tree: the failing image staged by smokegate itself ---
mkdir "$workdir/tree"
"$smokegate" stage --tree "$workdir/tree" --flavour smoketest "$iso" > /dev/null 2> "$workdir/stage.err"
check "the failing image staged (exit $?)" test -e "$workdir/tree/smoketest/daily-live/pending"
sed 's/^/# stage: /' "$workdir/stage.err"
build=$(basename "$(readlink -f "$workdir/tree/smoketest/daily-live/pending")")
# The operator's drop-in: the test profile, with an answer file the package
# ships (the panic comes before any is read) and the silences a guest
# inside a TCG guest needs before its first console line.
sed -e 's/^Answers=.*/Answers=debian-installer-generic.seed/' \
	-e 's/^InstallSeconds=.*/InstallSeconds=3600/' \
	-e 's/^InstallSilenceSeconds=.*/InstallSilenceSeconds=1200/' \
	"$profile" > "$workdir/smoketest.conf"

# --- the disk: an overlay of the cached fixture, the package installed
# with apt from the copied .debs (no network), the tree, the unit enabled,
# the collector; no desktop to start ---
qemu-img create -q -f qcow2 -F qcow2 -b "$disk" "$workdir/guest.qcow2"
# Under TCG the appliance's dpkg is slow (about 16 minutes measured for 184
# packages): no fsync per file (the disk is thrown away), and no new initrd
# for the hooks of lvm2, mdadm and btrfs-progs (the disk boots with the
# fixture's own).
initramfs_conf=/etc/initramfs-tools/update-initramfs.conf
virt-customize -a "$workdir/guest.qcow2" --no-network --smp 2 --memsize 2048 \
	--copy-in "$workdir/smokegate-debs:/var/cache" \
	--run-command "sed -i 's/^update_initramfs=.*/update_initramfs=no/' $initramfs_conf" \
	--run-command 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dpkg::Options::=--force-unsafe-io /var/cache/smokegate-debs/*.deb' \
	--run-command "sed -i 's/^update_initramfs=.*/update_initramfs=yes/' $initramfs_conf" \
	--run-command 'rm -rf /var/cache/smokegate-debs' \
	--mkdir /etc/smokegate/flavours.d \
	--upload "$workdir/smoketest.conf:/etc/smokegate/flavours.d/smoketest.conf" \
	--copy-in "$workdir/tree:/srv" \
	--run-command 'chown -R smokegate:smokegate /srv/tree' \
	--mkdir /usr/local/lib/smokegate-proof \
	--upload "$here/deb-systemd/collect.sh:/usr/local/lib/smokegate-proof/collect.sh" \
	--chmod 0755:/usr/local/lib/smokegate-proof/collect.sh \
	--upload "$here/deb-systemd/smokegate-proof.service:/etc/systemd/system/smokegate-proof.service" \
	--run-command "systemctl enable $unit smokegate-proof.service" \
	--run-command 'systemctl set-default multi-user.target' \
	> "$workdir/customize.log" 2>&1
status=$?
[ $status -eq 0 ] || tail -30 "$workdir/customize.log" | sed 's/^/# virt-customize: /'
check "virt-customize installed the package and enabled $unit (exit $status)" test $status -eq 0
[ $status -eq 0 ] || { finish; exit; }
stage "the disk (virt-customize: apt install, tree, unit)"

# --- the boot: systemd starts the unit, the collector powers off ---
check "libvirtd answers on $uri" lab_host_system_start $$
cat > "$workdir/guest.xml" << XML
<domain type='qemu'>
  <name>$guest</name>
  <memory unit='MiB'>4096</memory>
  <vcpu>2</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$workdir/guest.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <serial type='file'><source path='$workdir/console.log'/></serial>
    <memballoon model='none'/>
  </devices>
  <!-- QEMU as root, nothing relabelled: the overlay's base is the shared
       fixture cache's file, which must keep its owner. -->
  <seclabel type='static' model='dac' relabel='no'><label>+0:+0</label></seclabel>
</domain>
XML
virsh -q -c "$uri" create "$workdir/guest.xml" > "$workdir/virsh.log" 2>&1
check "the guest started" sh -c "virsh -c '$uri' domid '$guest' > /dev/null"
booted='' qemu_seen='' limit=3000 powered_off=''
for _ in $(seq 1 $((limit / 5))); do
	if [ -z "$booted" ] && grep -q 'smokegate-proof: PID 1 is' "$workdir/console.log" 2>/dev/null; then
		booted=$(($(date +%s) - stage_start))
		echo "# the collector started (systemd reached $unit) $booted s after power-on"
	fi
	if [ -z "$qemu_seen" ] && grep -q 'smokegate-proof: QEMU started' "$workdir/console.log" 2>/dev/null; then
		qemu_seen=$(($(date +%s) - stage_start))
		echo "# QEMU started by the unit $qemu_seen s after power-on"
	fi
	virsh -c "$uri" domid "$guest" > /dev/null 2>&1 || { powered_off=yes; break; }
	sleep 5
done
grep -a 'smokegate-proof:\|smokegate\[' "$workdir/console.log" | tr -d '\r' | cut -c1-300 |
	sed 's/^/# console: /' | tail -40
check "the guest powered itself off within $limit s" test -n "$powered_off"
virsh -c "$uri" destroy "$guest" > /dev/null 2>&1
stage "boot, serve's verdict, power-off"

# --- read back ---
mkdir -p "$workdir/back"
virt-copy-out -a "$workdir/guest.qcow2" /var/lib/smokegate-proof /srv/tree "$workdir/back" 2> "$workdir/copy-out.err"
p=$workdir/back/smokegate-proof
stage "read back (libguestfs)"

# show FILE PATTERN: FILE's lines matching PATTERN in the log.
show() { grep -aE "$2" "$1" 2>/dev/null | cut -c1-300 | sed "s|^|# $(basename "$1"): |"; }
show "$p/package" .
check "PID 1 in the guest is systemd" grep -qx '/usr/lib/systemd/systemd' "$p/pid1"
check "the guest has the package just built ($version)" grep -q "^$version install ok installed" "$p/package"
echo "# in the guest: QEMU started $(cat "$p/qemu-seconds" 2>/dev/null) s, the verdict $(cat "$p/verdict-seconds" 2>/dev/null) s after the collector started"

# The verdict in the tree.
state=$(jq -r .state "$workdir/back/tree/smoketest/daily-live/$build/smokegate.json" 2>/dev/null)
check "the tree records build $build failed (got '$state')" test "$state" = failed
check "current was not made" test ! -e "$workdir/back/tree/smoketest/daily-live/current"

# The verdict in the journal, with its fields.
show "$p/verdict.export" '^(MESSAGE|MESSAGE_ID|PRIORITY|SMOKEGATE_[A-Z]*|_SYSTEMD_UNIT|_UID)='
check "one verdict in the journal" test "$(grep -c '^MESSAGE_ID=' "$p/verdict.export")" -eq 1
for field in MESSAGE_ID=99e75b7b7991460696dbf018e1eb2176 PRIORITY=4 SMOKEGATE_VERDICT=fail \
	SMOKEGATE_TREE=/srv/tree SMOKEGATE_BUILD=smoketest/daily-live/$build _SYSTEMD_UNIT=$unit; do
	check "the verdict's journal entry has $field" grep -qx "$field" "$p/verdict.export"
done
check "its reason is the kernel panic" grep -q '^SMOKEGATE_REASON=install: kernel panic' "$p/verdict.export"
uid=$(sed -n 's/^_UID=//p' "$p/verdict.export")

# systemd's view of the unit.
show "$p/status-running.txt" 'Active:|Main PID|qemu-system|smokegate serve'
show "$p/show.txt" '^(User|ProtectSystem|ProtectHome|PrivateTmp|NoNewPrivileges|CapabilityBoundingSet|RestrictNamespaces|RestrictAddressFamilies|ProtectProc|DevicePolicy|SystemCallErrorNumber|Result|NRestarts|ExecMainStatus)='
check "systemctl status showed it running with QEMU in its cgroup" \
	sh -c "grep -q 'Active: active (running)' '$p/status-running.txt' && grep -q 'qemu-system-x86_64' '$p/status-running.txt'"
for prop in User=smokegate ProtectSystem=strict ProtectHome=yes PrivateTmp=yes NoNewPrivileges=yes \
	CapabilityBoundingSet= RestrictNamespaces=yes ProtectProc=invisible DevicePolicy=closed \
	Result=success NRestarts=0 ExecMainStatus=0; do
	check "systemctl show: $prop" grep -qx "$prop" "$p/show.txt"
done
check "systemctl show: RestrictAddressFamilies= names unix, inet, inet6, netlink alone" \
	grep -qx 'RestrictAddressFamilies=AF_INET AF_INET6 AF_NETLINK AF_UNIX' "$p/show.txt"
show "$p/security.txt" 'Overall exposure'
exposure=$(sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p' "$p/security.txt")
check "systemd-analyze security in the guest: exposure $exposure, at most 3.0" \
	awk -v e="${exposure:-99}" 'BEGIN { exit !(e <= 3.0) }'

# The kernel's view of smokegate and of the QEMU it started.
for who in smokegate qemu; do
	show "$p/$who.status" .
	f=$p/$who.status
	check "$who ran as the smokegate user ($uid)" grep -qE "^Uid:[[:space:]]+${uid}[[:space:]]" "$f"
	check "$who: no_new_privs" grep -qE '^NoNewPrivs:[[:space:]]+1$' "$f"
	check "$who: under a seccomp filter" grep -qE '^Seccomp:[[:space:]]+2$' "$f"
	check "$who: no capability, none in the bounding set" sh -c \
		"grep -qE '^CapEff:[[:space:]]+0+$' '$f' && grep -qE '^CapBnd:[[:space:]]+0+$' '$f'"
	check "$who: in the unit's cgroup" grep -qF "/smokegate-serve@srv-tree.service" "$f"
	check "$who: a mount namespace of its own, / read-only, the tree writable" sh -c \
		"awk '/^MntNs:/ { exit !(\$2 != \$4) }' '$f' && grep -q '^Mount: / ro' '$f' && grep -q '^Mount: /srv/tree rw' '$f'"
done
check "the unit's stop left no QEMU in the guest" test ! -s "$p/qemu-left"
check "nor a scratch disk or embedded libvirt root" test -z "$(grep -v '^/' "$p/state-left" 2>/dev/null | grep .)"

# Nothing left here.
check "no guest left on $uri" sh -c "! virsh -c '$uri' list --all --name | grep -qx '$guest'"
check "no QEMU of this test left" test -z "$(qemu_processes_under "$workdir")"
check_nothing_left
echo "# total $(($(date +%s) - fixtures_start)) s"
finish
