#!/bin/bash
# The image tree on a small filesystem (a size-limited tmpfs in a private
# mount namespace: nothing leaks out of this test) that fills up:
#
#   stage: a ballast file leaves too little room for the ISO being copied
#          in (no guest);
#   gate:  the filesystem fills up while the build's install runs (one
#          panic image: the evidence, the verdict and the record cannot be
#          written).
#
# Either way: exit 74 with one line naming the lack of space, nothing
# half-published (`current` and `pending` unchanged, each a complete build
# whose SHA256SUMS verify; no new dated folder; the record and the status
# page whole and unchanged; no temporary file left), and the space given
# back (what the failed command used, less what it keeps on purpose: the
# gate's lock and the attempt's evidence). The untested build stays
# untested for the next gate.
# usage: full-tree.sh stage|gate SMOKEGATE ISO
. "$(dirname "$0")/lib.sh"

needs_root "a private mount namespace and tmpfs"
if [ -z "${SMOKEGATE_FULL_TREE_NS:-}" ]; then
	SMOKEGATE_FULL_TREE_NS=1 exec unshare --mount --propagation private "$0" "$@"
fi

mode=$1 smokegate=$(realpath "$2") iso=$(realpath "$3")
make_workdir
fs="$workdir/fs"
tree="$fs/tree"
types="$tree/alpha/daily-live"
mkdir -p "$fs"
# Room for two builds of the test image (33 MiB with its EFI image) and more.
mount -t tmpfs -o size=128m smokegate-full-tree "$fs"
trap 'umount -l "$fs" 2>/dev/null; rm -rf "$workdir"' EXIT
mkdir "$tree"

used_kib() {
	df --output=used -k "$fs" | tail -1 | tr -d ' '
}

# Every file of the tree with its size and checksum, links with their target.
snapshot() {
	(cd "$tree" && find . -type f ! -name '*.lock' -exec sha256sum {} + | sort -k2 &&
		find . -type l -printf '%p -> %l\n' | sort)
}

temporary_files() {
	find "$tree" \( -name '*.json.*' -o -name '*.html.*' -o -name 'SHA256SUMS.*' \
		-o -name '.*.tmp' -o -path '*/staging/*' \) -print
}

# The image on the small filesystem itself, so that builds staged from it
# are hard links and take no room: a current build (made current by a
# person, no guest needed).
cp "$iso" "$fs/source.iso"
"$smokegate" stage --tree "$tree" --flavour alpha "$fs/source.iso" > /dev/null
first=$(readlink "$types/pending")
"$smokegate" mark-current --tree "$tree" "alpha/daily-live/$first" --reason "known good" \
	> /dev/null

# Checks that nothing is half-published: $1 is what pending must point at.
check_tree_whole() {
	check "current still points at $first" test "$(readlink "$types/current")" = "$first"
	check "current's SHA256SUMS verify" sh -c "cd '$types/current' && sha256sum --quiet -c SHA256SUMS"
	check "pending points at $1, complete" \
		sh -c "cd '$types/$1' && sha256sum --quiet -c SHA256SUMS && jq -e .state smokegate.json > /dev/null"
	check "no other dated folder ($(ls "$types" | tr '\n' ' '))" \
		test "$(ls "$types" | grep -cv '^current$\|^pending$')" -eq "$builds"
	check "no temporary or staging file left" test -z "$(temporary_files)"
	check "status.json whole" status_whole
}

status_whole() {
	jq -e .flavours "$tree/status.json" > /dev/null
}

if [ "$mode" = stage ]; then
	builds=1
	before=$(snapshot)
	used_before=$(used_kib)
	# Room for less than half the image.
	free_kib=$(df --output=avail -k "$fs" | tail -1 | tr -d ' ')
	ballast_kib=$((free_kib - $(stat -c %s "$iso") / 2048))
	fallocate -l "$((ballast_kib * 1024))" "$fs/ballast"
	echo "# ${used_before} KiB used, ballast ${ballast_kib} KiB, $(df --output=avail -k "$fs" | tail -1) KiB left"
	"$smokegate" stage --tree "$tree" --flavour alpha "$iso" > "$workdir/out" 2> "$workdir/err"
	status=$?
	sed 's/^/# stderr: /' "$workdir/err"
	check "stage exits 74 (got $status)" test "$status" -eq 74
	check "one line of reason, naming the lack of space" \
		sh -c "test \$(wc -l < '$workdir/err') -eq 1 && grep -q '^smokegate stage: .*No space left on device' '$workdir/err'"
	check_tree_whole "$first"
	check "pending still points at $first" test "$(readlink "$types/pending")" = "$first"
	check "the tree's files are unchanged" test "$(snapshot)" = "$before"
	used_after=$(used_kib)
	check "the space is given back: $used_before KiB before, $used_after KiB with the ballast" \
		test "$((used_after - ballast_kib))" -eq "$used_before"
	rm "$fs/ballast"
	"$smokegate" stage --tree "$tree" --flavour alpha "$iso" > /dev/null 2> "$workdir/err"
	status=$?
	check "with the room back, the same stage works (got $status)" test "$status" -eq 0
else
	builds=2
	"$smokegate" stage --tree "$tree" --flavour alpha "$fs/source.iso" > /dev/null
	build=$(readlink "$types/pending")
	before=$(snapshot)
	used_before=$(used_kib)
	started=$(date +%s)
	"$smokegate" gate --tree "$tree" --accel tcg --json > "$workdir/events" 2> "$workdir/err" &
	gate=$!
	installing=
	wait_for_gate_phase "$workdir/events" install && installing=yes
	# The gate is held (SIGSTOP) while the filesystem fills: its install has
	# only begun, and it can write no verdict before the fill however slow
	# the machine is (the panic image's install takes seconds).
	kill -STOP "$gate"
	# Everything left, while the installer runs.
	dd if=/dev/zero of="$fs/ballast" bs=64k 2> /dev/null
	kill -CONT "$gate"
	ballast_kib=$(du -k "$fs/ballast" | cut -f1)
	echo "# filled at $(($(date +%s) - started)) s: ballast ${ballast_kib} KiB, $(df --output=avail -k "$fs" | tail -1) KiB left"
	wait "$gate"
	status=$?
	echo "# gate took $(($(date +%s) - started)) s"
	show_gate "$workdir/err" "$workdir/events"
	check "the install was under way when the filesystem filled" test -n "$installing"
	check "gate exits 74 (got $status)" test "$status" -eq 74
	check "its last line is the reason, naming the lack of space" \
		grep -q '^smokegate gate: .*No space left on device' <<<"$(tail -1 "$workdir/err")"
	check "the summary says not judged" \
		test "$(jq -r 'select(.event == "summary") | .not_judged' "$workdir/events")" = 1
	check_tree_whole "$build"
	check "pending still points at $build" test "$(readlink "$types/pending")" = "$build"
	check "$build stays untested, for the next gate" \
		test "$(jq -r .state "$types/$build/smokegate.json")" = untested
	# What the gate keeps on purpose: the attempt's evidence (whatever fit)
	# and its lock.
	after=$(snapshot | grep -v "^[0-9a-f]*  ./alpha/daily-live/$build/smoke/")
	check "the tree's files are unchanged but the attempt's evidence" test "$after" = "$before"
	kept_kib=$(du -ck "$types/$build/smoke" "$tree/.smokegate/gate.lock" | tail -1 | cut -f1)
	used_after=$(used_kib)
	check "the space is given back: $used_before KiB before, $used_after KiB with the ballast, $kept_kib KiB kept" \
		test "$((used_after - ballast_kib - kept_kib))" -eq "$used_before"
	rm "$fs/ballast"
	check_nothing_left
fi
finish
