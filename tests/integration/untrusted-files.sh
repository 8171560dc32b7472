#!/bin/bash
# Files from outside opened as what they must be (issue 20, items 1, 2, 5,
# 9): stage takes ISO 9660 images, resolving a link on the command line and
# never putting one in the tree; FIFOs, devices and folders are refused at
# once, never opened blocking; nothing in the tree or its state folder is
# written through a link. Every command runs under `timeout`: a hang fails.
# usage: untrusted-files.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

start_tree_test "$@"

run() { run_bounded "$@"; }
builds() { count_builds smoketest/daily-live; }

# 1. Stage takes images, not files, and never a link.
ln -s /etc/passwd passwd.iso
run stage --tree "$tree" --flavour smoketest passwd.iso
check "a link to /etc/passwd is refused with 64 (got $status)" test $status -eq 64
check "it says the file is no ISO 9660 image" grep -q "not an ISO 9660 image" err
check "nothing staged from it" test "$(builds)" -eq 0
head -c 40000 /dev/zero > zeros.iso
run stage --tree "$tree" --flavour smoketest zeros.iso
check "a regular file without a volume descriptor is refused with 64 (got $status)" test $status -eq 64
mkfifo fifo.iso
run stage --tree "$tree" --flavour smoketest fifo.iso
check "a FIFO is refused with 64, at once (got $status)" test $status -eq 64
check "the message says it is a FIFO" grep -q "fifo.iso is a FIFO, not a regular file" err
run stage --tree "$tree" --flavour smoketest /dev/zero
check "a device is refused with 64 (got $status)" test $status -eq 64
check "the message says it is a device" grep -q "/dev/zero is a device" err
mkdir folder.iso
run stage --tree "$tree" --flavour smoketest folder.iso
check "a folder is refused with 64 (got $status)" test $status -eq 64
check "the message says it is a folder" grep -q "folder.iso is a folder" err
check "no staging leftovers from refused sources" test -z "$(ls -A "$tree/.smokegate/staging" 2>/dev/null)"

cp "$iso" real.iso
ln -s real.iso link.iso
run stage --tree "$tree" --flavour smoketest link.iso
check "a link to an image is staged (got $status)" test $status -eq 0
build=$(readlink "$types/pending")
check "what went into the tree is no link" test ! -L "$types/$build/daily-desktop-amd64.iso" -a -f "$types/$build/daily-desktop-amd64.iso"
check "it is the image's content" cmp -s "$iso" "$types/$build/daily-desktop-amd64.iso"
check "the tree holds no link but pending" test "$(find "$tree" -type l | grep -v '/pending$' | wc -l)" -eq 0

# 2. Nothing written in the tree's state through a link.
echo "precious" > victim
ln -sf "$workdir/victim" "$tree/.smokegate/tree.lock"
run stage --tree "$tree" --flavour smoketest real.iso
check "a tree.lock that is a link stops stage with 74 (got $status)" test $status -eq 74
check "the file it points at is untouched" test "$(cat victim)" = precious
check "the message says it is a link" grep -q "symlink" err
rm "$tree/.smokegate/tree.lock"
ln -s "$workdir/victim" "$tree/.smokegate/gate.lock"
run gate --tree "$tree" --connect "qemu:///nonexistent-driver"
check "a gate.lock that is a link stops gate (got $status)" test $status -ne 0 -a $status -ne 124
check "the file gate.lock points at is untouched" test "$(cat victim)" = precious
rm "$tree/.smokegate/gate.lock"
mv "$tree/.smokegate" state-moved
mkdir elsewhere
ln -s "$workdir/elsewhere" "$tree/.smokegate"
run stage --tree "$tree" --flavour smoketest real.iso
check "a .smokegate that is a link stops stage with 74 (got $status)" test $status -eq 74
check "nothing was written where it points" test -z "$(ls -A elsewhere)"
rm "$tree/.smokegate"
mv state-moved "$tree/.smokegate"

# The notices' lock and a download's .part: never written through a link.
printf '[Tree]\nTrackerURLs=http://127.0.0.1:9/notice\n' > "$tree/smokegate.conf"
mkdir -p "$tree/.smokegate/notices"
ln -s "$workdir/victim" "$tree/.smokegate/notices/.lock"
run stage --tree "$tree" --flavour smoketest real.iso
check "a notices lock that is a link: stage exits 74 (got $status)" test $status -eq 74
check "the file the notices lock points at is untouched" test "$(cat victim)" = precious
rm "$tree/.smokegate/notices/.lock" "$tree/smokegate.conf"
if start_nginx; then
	mkdir -p "$workdir/www/pool"
	cp "$iso" "$workdir/www/pool/noble-desktop-amd64.iso"
	(cd "$workdir/www/pool" && sha256sum noble-desktop-amd64.iso | sed 's/  / */' > SHA256SUMS)
	url="http://127.0.0.1:$port/pool/noble-desktop-amd64.iso"
	key=$(printf %s "$url" | sha256sum | cut -d' ' -f1)
	mkdir -p "$tree/.smokegate/downloads/$key"
	ln -s "$workdir/victim" "$tree/.smokegate/downloads/$key/noble-desktop-amd64.iso.part"
	run stage --tree "$tree" --flavour netboot --series noble "$url"
	check "a .part that is a link: the download fails (got $status)" test $status -ne 0 -a $status -ne 124
	check "the file the .part points at is untouched" test "$(cat victim)" = precious
	check "saying it is a link" grep -q "never writes through one" err
	stop_nginx
else
	not_ok "nginx did not start (Debian package nginx-light): a .part that is a link was not checked"
fi

# 5. FIFOs as config, profile, lab file, record: refused at once.
mkfifo "$tree/smokegate.conf"
run stage --tree "$tree" --flavour smoketest real.iso
check "a FIFO smokegate.conf: stage exits 64 at once (got $status)" test $status -eq 64
check "naming the file" grep -q "smokegate.conf is a FIFO" err
run status --tree "$tree"
check "a FIFO smokegate.conf: status exits 64 at once (got $status)" test $status -eq 64
rm "$tree/smokegate.conf"
ln -s "$workdir/victim" "$tree/smokegate.conf"
run status --tree "$tree"
check "a smokegate.conf that is a link: status exits 64 (got $status)" test $status -eq 64
rm "$tree/smokegate.conf"
mkfifo lab.conf
run gate --tree "$tree" --lab lab.conf
check "a FIFO lab file: gate exits 64 at once (got $status)" test $status -eq 64
check "naming the lab file" grep -q "lab.conf is a FIFO" err
mkdir profiles
mkfifo profiles/fifo.conf
run test "$iso" --flavour smoketest --flavours-dir profiles --evidence ev-fifo
check "a FIFO profile: test exits 64 at once (got $status)" test $status -eq 64
check "naming the profile" grep -q "fifo.conf is a FIFO" err
rm profiles/fifo.conf
mv "$types/$build/smokegate.json" record.json
mkfifo "$types/$build/smokegate.json"
run status --tree "$tree"
check "a FIFO record does not hang status (got $status)" test $status -ne 124
rm "$types/$build/smokegate.json"
mv record.json "$types/$build/smokegate.json"

# 9. Answer files: regular, text, at most 1 MiB.
mkfifo answers.fifo
run test "$iso" --flavour smoketest --answers answers.fifo --evidence ev-a1
check "a FIFO answer file exits 64 at once (got $status)" test $status -eq 64
head -c 3000 /dev/urandom > answers.bin
run test "$iso" --flavour smoketest --answers answers.bin --evidence ev-a2
check "a binary answer file exits 64 (got $status)" test $status -eq 64
check "saying it is not text" grep -q "is not text" err
{ echo "d-i passwd/username string tester"; head -c 2000000 /dev/zero | tr '\0' '#'; } > answers.big
run test "$iso" --flavour smoketest --answers answers.big --evidence ev-a3
check "an answer file over 1 MiB exits 64 (got $status)" test $status -eq 64
check "saying how large it may be" grep -q "larger than 1048576 bytes" err
check "no evidence folder from refused answers" test ! -e ev-a1 -a ! -e ev-a2 -a ! -e ev-a3
finish
