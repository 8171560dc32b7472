#!/bin/bash
# `smokegate gate` killed with SIGKILL at fixed points, each phase once, on
# a tree with a good build (alpha) and a failing one (beta). After each
# kill: `current` absent or a passed build whose SHA256SUMS verify, every
# record and status file parses, no lock held. The next gate finishes the
# work: every build gets its verdict, the good one is published, and no
# guest, disk or QEMU process is left.
# Kill points are functions (gdb breakpoints, then SIGKILL) or files of the
# evidence appearing; nothing in smokegate is there for this test.
#   fast: prepare, install (the failing image), its failed verdict recorded
#         but not on the page, the good build's record saved as passed but
#         `current` not yet moved, and the status page half rewritten
#         (status.json new, index.html not);
#   slow: the good image killed in boot, in inspect (libguestfs reading the
#         installed disk, in the gate's `smokegate inspect-disk` child: its
#         appliance must go with the gate) and in the middle of writing its
#         passed record.
# usage: kill-gate.sh fast|slow SMOKEGATE GOOD-ISO PANIC-ISO
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/kill-lib.sh"

mode=$1 smokegate=$(realpath "$2") good=$(realpath "$3") bad=$(realpath "$4")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
today=$(date +%Y%m%d)
alpha=alpha/daily-live/$today beta=beta/daily-live/$today
command -v gdb > /dev/null || { not_ok "gdb is not installed (Debian package gdb)"; finish; exit; }

"$smokegate" stage --tree "$tree" --flavour alpha "$good" > /dev/null
"$smokegate" stage --tree "$tree" --flavour beta "$bad" > /dev/null
started=$(date +%s)

# The gate's `smokegate inspect-disk` child reads the installed disk: its
# libguestfs appliance (a QEMU) runs.
inspect_child_reading() {
	local child
	for child in $(pgrep -f -- "inspect-disk .*$SMOKEGATE_STATE_DIR"); do
		if pgrep -P "$child" qemu > /dev/null; then
			inspect_group=$child # it leads its process group
			return 0
		fi
	done
	return 1
}

# Neither the inspecting child nor its appliance (its process group)
# outlives the gate: at most 5 s, the child ends its group on the kernel's
# SIGTERM. The guest booting beside it (the base is read during the boot)
# is the embedded driver's, which the next gate's clean-up ends
# (check_nothing_left at the end).
inspect_child_gone() {
	[ -n "${inspect_group:-}" ] || return 1
	for _ in $(seq 1 25); do
		[ -z "$(pgrep -g "$inspect_group")" ] && return 0
		sleep 0.2
	done
	ps -o pid=,pgid=,stat=,etime=,args= -g "$inspect_group" | cut -c1-300 | sed 's/^/#   left: /'
	return 1
}

# Says what point $1 was and when, then checks the tree.
after_kill() {
	echo "# killed at $1, $(($(date +%s) - started)) s into the test"
	check_tree_whole "killed at $1"
}

if [ "$mode" = fast ]; then
	check "killed in prepare (reading the ISO)" gate_killed_at 'sg_iso_extract' --flavour beta
	after_kill prepare
	check "the build stays untested" test "$(state_of_build "$beta")" = untested

	check "killed in install (its console running)" gate_killed_when 120 \
		test -s "$tree/$beta/smoke/console-install.log" -- --flavour beta
	after_kill install
	check "the build stays untested" test "$(state_of_build "$beta")" = untested

	# After the failed verdict is recorded, before the page says so.
	check "killed with the failed verdict recorded" \
		gate_killed_at 'sg_build_record_save|sg_publisher_notify' --flavour beta
	after_kill "the failed verdict"
	check "the failing build is recorded failed" test "$(state_of_build "$beta")" = failed

	# The good build's record says passed; `current` has not moved yet.
	check "killed as current is switched" \
		gate_killed_at 'sg_tree_point if $_streq(link, "current")' --flavour alpha
	after_kill "the switch of current"
	check "the good build is recorded passed" test "$(state_of_build "$alpha")" = passed

	# The next gate, killed as it rewrites the page: status.json is new,
	# index.html's temporary file is written but not renamed yet.
	check "killed between status.json and index.html" gate_killed_at \
		'sg_status_page_write|rename if $_regex((char *) $rsi, ".*/index\\.html$")'
	after_kill "the status page"
else
	check "killed in boot (the installed disk booting)" gate_killed_when 600 \
		test -s "$tree/$alpha/smoke/console-boot.log" -- --flavour alpha
	after_kill boot
	check "killed in inspect (libguestfs reading the disk)" \
		gate_killed_when 600 inspect_child_reading -- --flavour alpha
	check "the inspecting child and its appliance went with the gate" inspect_child_gone
	after_kill inspect
	# The passed record's temporary file written, not renamed over it.
	check "killed in the middle of writing the passed record" gate_killed_at \
		'sg_build_record_save|rename if $_regex((char *) $rsi, ".*/smokegate\\.json$")' --flavour alpha
	after_kill "the record write"
	check "the good build stays untested" test "$(state_of_build "$alpha")" = untested
fi

# The next gate finishes the work.
"$smokegate" gate --tree "$tree" > "$workdir/out" 2> "$workdir/err"
status=$?
echo "# the next gate said: $(cat "$workdir/out") (exit $status, $(($(date +%s) - started)) s into the test)"
sed 's/^/# stderr: /' "$workdir/err"
check_work_finished
check "index.html names the failure reason" grep -q "kernel panic" "$tree/index.html"
find "$SMOKEGATE_STATE_DIR/scratch" -mindepth 1 2> /dev/null | sed 's/^/# left in scratch: /'
check_nothing_left
echo "# $(($(date +%s) - started)) s in all"
finish
