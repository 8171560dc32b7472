#!/bin/bash
# The image tree without guests: staging (links, copies, respins, oversize),
# mark-current, yank, the gate lock and names that could escape the tree.
# usage: tree.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2")
make_workdir
tree="$workdir/tree"
mkdir -p "$tree"
today=$(date +%Y%m%d)
types="$tree/smoketest/daily-live"

run() {
	"$smokegate" "$@" > "$workdir/out" 2> "$workdir/err"
	status=$?
}
record() { jq -r "$2" "$types/$1/smokegate.json"; }

# The source sits on the tree's filesystem: it must be hard-linked.
cp "$iso" "$workdir/source.iso"
run stage --tree "$tree" --flavour smoketest "$workdir/source.iso"
check "stage exits 0: $(cat "$workdir/err")" test $status -eq 0
check "first build of the day is $today" test "$(cat "$workdir/out")" = "staged smoketest/daily-live/$today"
check "pending points at it" test "$(readlink "$types/pending")" = "$today"
check "no current before a test" test ! -e "$types/current"
check "image hard-linked, not copied" test "$(stat -c %i "$workdir/source.iso")" = "$(stat -c %i "$types/$today/daily-desktop-amd64.iso")"
check "SHA256SUMS verifies" sh -c "cd '$types/$today' && sha256sum -c --quiet SHA256SUMS"
check "record says staged, untested" test "$(record "$today" '.state + "/" + .events[0].what')" = "untested/staged"
check "record says hard-linked" grep -q "hard-linked" "$types/$today/smokegate.json"
check "no staging leftovers" test -z "$(ls -A "$tree/.smokegate/staging")"
check "status page written" test -s "$tree/index.html"
check "status.json lists the build" test "$(jq -r '.flavours[0].pending' "$tree/status.json")" = "$today"

# A second build the same day is a respin; from another filesystem it is copied.
cp "$iso" /dev/shm/smokegate-tree-test.iso
printf '[Flavour smoketest]\nSizeLimit=1000\n' > "$tree/smokegate.conf"
run stage --tree "$tree" --flavour smoketest /dev/shm/smokegate-tree-test.iso
rm -f /dev/shm/smokegate-tree-test.iso
check "respin gets $today.1" test "$(cat "$workdir/out")" = "staged smoketest/daily-live/$today.1"
check "pending moved to the respin" test "$(readlink "$types/pending")" = "$today.1"
check "respin recorded" test "$(record "$today.1" .respin)" = true
check "across filesystems it is copied (or reflinked)" grep -Eq "copied|reflinked" "$types/$today.1/smokegate.json"
check "over the size limit: OVERSIZED marker" test -e "$types/$today.1/daily-desktop-amd64.OVERSIZED"
check "first build is not oversized" test ! -e "$types/$today/daily-desktop-amd64.OVERSIZED"

# A person's override, then a yank that falls back to the earlier good build.
run mark-current --tree "$tree" "smoketest/daily-live/$today" --reason "tested by hand"
check "mark-current exits 0" test $status -eq 0
check "current points at the marked build" test "$(readlink "$types/current")" = "$today"
check "the mark is recorded with its reason" test "$(record "$today" '.events[-1].what + ": " + .events[-1].why')" = "marked-current: tested by hand"
run mark-current --tree "$tree" "smoketest/daily-live/$today.1" --reason "respin fixes it"
check "current points at the respin" test "$(readlink "$types/current")" = "$today.1"
run yank --tree "$tree" "smoketest/daily-live/$today.1" --reason "breaks upgrades"
check "yank exits 0" test $status -eq 0
check "current went back to the earlier good build" test "$(readlink "$types/current")" = "$today"
check "the yanked build stays on disk" test -s "$types/$today.1/daily-desktop-amd64.iso"
check "the yank is recorded" test "$(record "$today.1" .state)" = yanked
run yank --tree "$tree" "smoketest/daily-live/$today" --reason "also bad"
check "yanking the last good build leaves no current" test ! -e "$types/current" -a ! -L "$types/current"
check "status shows the yank" grep -q yanked "$tree/status.json"

# Names that could escape the tree, and other bad input.
for bad in "../escape" "a/b" ".hidden" "pending" "x y" ""; do
	run stage --tree "$tree" --flavour "$bad" "$iso"
	check "flavour '$bad' refused with 64" test $status -eq 64
done
run stage --tree "$tree" --flavour smoketest --series ".." "$iso"
check "series '..' refused with 64" test $status -eq 64
run mark-current --tree "$tree" "../../etc/$today" --reason x
check "build path escaping the tree refused with 64" test $status -eq 64
run mark-current --tree "$tree" "smoketest/daily-live/19990101" --reason x
check "a build that does not exist: 64" test $status -eq 64
run mark-current --tree "$tree" "smoketest/daily-live/$today"
check "mark-current without a reason: 64" test $status -eq 64
run stage --tree "$tree" --flavour smoketest /no/such.iso
check "missing source: 64" test $status -eq 64
run stage --tree "$workdir/no-tree" --flavour smoketest "$iso"
check "missing tree: 64" test $status -eq 64
check "refused input left no build behind" test "$(ls "$types" | grep -c '^[0-9]')" -eq 2

# Staging from a URL: a real nginx on loopback serves the image and the
# SHA256SUMS beside it.
if start_nginx; then
	mkdir -p "$workdir/www/pool"
	cp "$iso" "$workdir/www/pool/noble-desktop-amd64.iso"
	(cd "$workdir/www/pool" && sha256sum noble-desktop-amd64.iso | sed 's/  / */' > SHA256SUMS)
	url="http://127.0.0.1:$port/pool/noble-desktop-amd64.iso"
	run stage --tree "$tree" --flavour netboot --series noble "$url"
	check "stage from a URL exits 0: $(cat "$workdir/err")" test $status -eq 0
	check "the download is checked and in place" sh -c "cd '$tree/netboot/daily-live/$today' && sha256sum -c --quiet SHA256SUMS"
	sed -i 's/^[0-9a-f]*/0000000000000000000000000000000000000000000000000000000000000000/' "$workdir/www/pool/SHA256SUMS"
	run stage --tree "$tree" --flavour netboot --series noble "$url"
	check "a download that does not match SHA256SUMS exits 65" test $status -eq 65
	run stage --tree "$tree" --flavour netboot "http://127.0.0.1:$port/pool/missing.iso"
	check "an image SHA256SUMS does not list exits 65" test $status -eq 65
	stop_nginx
	run stage --tree "$tree" --flavour netboot --series noble "$url"
	check "a server that is gone exits 69: $(cat "$workdir/err")" test $status -eq 69
	check "failed downloads left no build" test "$(ls "$tree/netboot/daily-live" | grep -c '^[0-9]')" -eq 1
else
	not_ok "nginx is not installed (Debian package nginx-light): staging from a URL was not checked"
fi

# One gate per tree: a second one says who holds it and exits 75.
flock "$tree/.smokegate/gate.lock" sleep 3 &
holder=$!
sleep 0.5
run gate --tree "$tree"
check "a second gate exits 75" test $status -eq 75
check "and says the lock is held" grep -q "held by" "$workdir/err"
wait $holder
check_nothing_left
finish
