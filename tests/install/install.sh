#!/bin/bash
# `meson install --destdir` of a build: every file where the configuration
# says, and the installed smokegate, run with a fresh environment, finding its
# flavour profiles, the operators' drop-ins and its answer files in the
# folders it was configured for, never in the source tree.
# The test fixtures' profiles and answer files (smoketest*) stay in the
# source tree: the tests read them there, an operator never needs them.
# usage: install.sh BUILD PREFIX BINDIR DATADIR SYSCONFDIR UNITDIR SYSUSERSDIR
#                   TMPFILESDIR COMPLETIONDIR DOCDIR [MANDIR, empty without pages]
. "$(dirname "$0")/../vm/lib.sh"

build=$1 prefix=$2 bindir=$3 datadir=$4 sysconfdir=$5 unitdir=$6 sysusersdir=$7
tmpfilesdir=$8 completiondir=$9 docdir=${10} mandir=${11:-}
source_root=$(dirname "$0")/../..
make_workdir
dest=$workdir/dest

meson install -C "$build" --destdir "$dest" --no-rebuild --quiet > "$workdir/install.log" 2>&1
check "meson install --destdir succeeds" test $? -eq 0 || cat "$workdir/install.log" >&2

check "the binary is in bindir" test -x "$dest$bindir/smokegate"
check "flavour profiles are in datadir/flavours" test -f "$dest$datadir/flavours/ubuntu.conf"
check "answer files are in datadir/preseed" test -f "$dest$datadir/preseed/debian-netinst.seed"
check "no test fixture's profile is installed ($(ls "$dest$datadir/flavours" | grep smoketest | tr '\n' ' '))" \
	sh -c "! ls '$dest$datadir/flavours' | grep -q smoketest"
check "no test fixture's answer file is installed" sh -c "! ls '$dest$datadir/preseed' | grep -q smoketest"
if [ -d "$(dirname "$0")/../../guests/suites" ]; then
	check "suites are in datadir/suites" test -d "$dest$datadir/suites"
fi
check "the drop-in folder is there, empty" test -d "$dest$sysconfdir/flavours.d" -a -z "$(ls -A "$dest$sysconfdir/flavours.d")"
check "the suites drop-in folder is there, empty" test -d "$dest$sysconfdir/suites.d" -a -z "$(ls -A "$dest$sysconfdir/suites.d")"
check "the README is in docdir" test -s "$dest$docdir/README.md"
check "the example lab file is in docdir/examples" test -s "$dest$docdir/examples/lab.conf"
check "the example smokegate.conf is in docdir/examples" test -s "$dest$docdir/examples/smokegate.conf"
for unit in smokegate-serve@.service smokegate-gate@.service smokegate-gate@.timer; do
	check "$unit is in the unit folder" test -f "$dest$unitdir/$unit"
done
check "units start the installed binary" grep -q "^ExecStart=$bindir/smokegate serve --tree %f\$" "$dest$unitdir/smokegate-serve@.service"
check "the sysusers.d file is there" test -f "$dest$sysusersdir/smokegate.conf"
check "the tmpfiles.d file is there" test -f "$dest$tmpfilesdir/smokegate.conf"
check "the bash completion is there" test -f "$dest$completiondir/smokegate"
check "the bash completion reads the installed profiles" grep -q "$datadir" "$dest$completiondir/smokegate"
check "the bash completion parses" bash -n "$dest$completiondir/smokegate"
if [ -n "$mandir" ]; then
	for page in man1/smokegate.1 man5/smokegate.conf.5 man5/smokegate-flavour.5 man5/smokegate-lab.conf.5; do
		check "$page is installed" test -s "$dest$mandir/$page"
	done
	if command -v man > /dev/null; then
		check "smokegate.1 renders" sh -c "man -l '$dest$mandir/man1/smokegate.1' 2>&1 | grep -q 'mark-current'"
	fi
else
	ok "# SKIP manual pages not built (-Dman, scdoc)"
fi

# A drop-in in the operators' folder: the installed binary must list it.
# It is the test fixture's profile with a shipped answer file.
sed '/^DiskInfo=/d; /^VolumeId=/d; s/^Answers=.*/Answers=debian-installer-generic.seed/' \
	"$source_root/guests/flavours/smoketest.conf" > "$dest$sysconfdir/flavours.d/installtest-dropin.conf"
# An image the drop-in knows with no boot record: judged a fail only after
# the profile's answer file was read (a missing one is an error).
mkdir -p "$workdir/fake/install.amd"
echo "not a kernel" > "$workdir/fake/install.amd/vmlinuz"
echo "not an initrd" > "$workdir/fake/install.amd/initrd.gz"
xorriso -as mkisofs -quiet -R -V SMOKETEST_AMD64 -o "$workdir/fake.iso" "$workdir/fake" 2>/dev/null
: > "$workdir/empty.iso"

# Runs a command with a fresh environment; $in_place set: in a mount
# namespace where the destdir's files lie over the configured folders
# (read-only overlays: what was there stays visible), so the installed
# smokegate runs from bindir itself with the datadir and sysconfdir it was
# built for. Exit status 99: no overlay could be mounted.
run_fresh() {
	local tops=("$prefix")
	local env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SMOKEGATE_NO_PROGRESS=1
		SMOKEGATE_STATE_DIR="$SMOKEGATE_STATE_DIR")
	if [ -z "${in_place:-}" ]; then
		(cd "$workdir" && "${env[@]}" "$@") > "$workdir/out" 2> "$workdir/err"
		status=$?
		return
	fi
	case $sysconfdir in "$prefix"/*) ;; *) tops+=("$(dirname "$sysconfdir")") ;; esac
	case $datadir in "$prefix"/*) ;; *) tops+=("$(dirname "$datadir")") ;; esac
	(cd "$workdir" && unshare --mount --propagation private -- bash -c '
		dest=$1 count=$2
		shift 2
		for top in "${@:1:$count}"; do
			mount -t overlay overlay -o "lowerdir=$dest$top:$top" "$top" || exit 99
		done
		shift "$count"
		exec "$@"' _ "$dest" "${#tops[@]}" "${tops[@]}" "${env[@]}" "$@") \
		> "$workdir/out" 2> "$workdir/err"
	status=$?
}

run_installed() {
	if [ -n "${in_place:-}" ]; then
		run_fresh "$bindir/smokegate" "$@"
	else
		run_fresh "$dest$bindir/smokegate" "$@"
	fi
}

if [ -e "$datadir/flavours/smoketest.conf" ]; then
	ok "# SKIP $datadir already holds an installed smokegate's profiles"
else
	run_installed test "$workdir/empty.iso" --flavour no-such-flavour
	check "out of place, the installed binary does not read the source tree's profiles ($(cat "$workdir/err"))" \
		sh -c "! grep -q 'known: .*smoketest' '$workdir/err'"
fi

in_place=1
run_installed --version
if ! unshare --mount --propagation private true 2> /dev/null || [ "$status" -eq 99 ]; then
	ok "# SKIP no mount namespace with overlayfs here: the installed binary cannot run in place"
	finish
	exit
fi
check "smokegate --version prints the project's version" grep -qx "smokegate $(meson introspect --projectinfo "$build" | jq -r .version)" "$workdir/out"

run_installed test "$workdir/empty.iso" --flavour no-such-flavour
check "in place, an unknown flavour exits 64" test "$status" -eq 64
check "the shipped profiles are found in datadir" grep -q "known: .*ubuntu" "$workdir/err"
check "the test fixtures' profiles are not among them" sh -c "! grep -q 'known: .*smoketest' '$workdir/err'"
check "the operators' drop-in is found in sysconfdir" grep -q "installtest-dropin" "$workdir/err"

# systemd's own check of the units, as instances for a tree /srv/trees/daily
# (their paths come from the escaped instance name).
if command -v systemd-analyze > /dev/null; then
	instance=$(systemd-escape --path /srv/trees/daily)
	mkdir -p "$workdir/units"
	for unit in smokegate-serve@.service smokegate-gate@.service smokegate-gate@.timer; do
		cp "$dest$unitdir/$unit" "$workdir/units/${unit/@/@$instance}"
	done
	# Documentation= is checked only where man can look the pages up.
	man_check=--man=yes
	command -v man > /dev/null && [ -n "$mandir" ] || man_check=--man=no
	run_fresh systemd-analyze verify "$man_check" "$workdir"/units/*
	check "systemd-analyze verify: no complaint about the units ($(cat "$workdir/err"))" \
		test "$status" -eq 0 -a ! -s "$workdir/err"
else
	ok "# SKIP systemd-analyze is not installed"
fi

run_installed test "$workdir/fake.iso" --flavour installtest-dropin --evidence "$workdir/evidence"
check "in place, the shipped answer file is found: the unbootable image is a fail, exit 1 (got $status: $(cat "$workdir/out" "$workdir/err"))" test "$status" -eq 1
check "and the reason is its missing boot record" grep -q "the image has no boot record" "$workdir/out"
check_nothing_left
finish
