#!/bin/bash
# Config typos are errors (issue 20, item 6): unknown keys, duplicate
# groups, values out of range, in the tree's smokegate.conf, flavour
# profiles and lab files, each refused with 64 naming the file and line,
# quoting at most 80 characters of it. Every command runs under `timeout`.
# usage: config-typos.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

start_tree_test "$@"
mkdir -p profiles

run() { run_bounded "$@"; }
builds() { count_builds smoketest/daily-live; }

# The tree's smokegate.conf: each refused by status and stage alike.
conf_refused() {
	local what=$1 words=$2
	shift 2
	printf "$@" > "$tree/smokegate.conf"
	run status --tree "$tree"
	check "smokegate.conf $what: status exits 64 (got $status)" test $status -eq 64
	check "smokegate.conf $what: the message says '$words'" grep -qF -- "$words" err
	run stage --tree "$tree" --flavour smoketest "$iso"
	check "smokegate.conf $what: stage exits 64, staging nothing (got $status)" test $status -eq 64 -a "$(builds)" -eq 0
}
conf_refused "MaxErrors=abc" "smokegate.conf:2: [Tree] MaxErrors=abc is not a whole number" '[Tree]\nMaxErrors=abc\n'
conf_refused "SizeLimit=4.7GB" "smokegate.conf:2: [Flavour smoketest] SizeLimit=4.7GB is not a size" '[Flavour smoketest]\nSizeLimit=4.7GB\n'
conf_refused "a file:// tracker" "is not an http:// or https:// URL" '[Tree]\nTrackerURLs=file:///tmp/notices\n'
conf_refused "TrackerURL= (a typo)" "smokegate.conf:2: [Tree] unknown key TrackerURL= (known: TrackerURLs" '[Tree]\nTrackerURL=https://t.example/\n'
conf_refused "an unknown group" "unknown group [Trees]" '[Trees]\nMaxErrors=3\n'
conf_refused "[Tree] twice" "smokegate.conf:3: [Tree] again (first on line 1)" '[Tree]\nMaxErrors=3\n[Tree]\nExpectedBy=06:00\n'
long=$(head -c 100000 /dev/zero | tr '\0' 'x')
conf_refused "a long bad line" "is not a [group], KEY=VALUE or # comment" "[Tree]\n$long\n"
check "the long line is quoted at most 80 characters" test "$(wc -c < err)" -lt 300
printf '[Tree]\nMaxErrors=5\n[Flavour smoketest]\nSizeLimit=1GiB\n' > "$tree/smokegate.conf"
run stage --tree "$tree" --flavour smoketest "$iso"
check "a well-formed smokegate.conf with a suffixed size is taken (got $status)" test $status -eq 0
rm "$tree/smokegate.conf"

# Flavour profiles: refused by test before any guest, and by stage. The
# profile is a copy of a good one with one line added to a group ($1).
base_profile='[Flavour]
Family=debian-installer
[Boot]
Kernel=/install.amd/vmlinuz
Initrd=/install.amd/initrd.gz
[Guest]
MemoryMiB=512
[Timeouts]
InstallSeconds=240
[Image]
SizeLimit=736665600'
profile() {
	local group=$1 line=$2
	printf '%s\n' "$base_profile" | awk -v g="[$group]" -v l="$line" '
		BEGIN {key = l; sub(/=.*/, "=", key)}
		/^\[/ {in_group = ($0 == g)}
		in_group && index($0, key) == 1 && key != l {next}
		{print} $0 == g {print l; done = 1}
		END {if (!done) {print g; print l}}' > profiles/probe.conf
}
profile_refused() {
	local what=$1 words=$2
	profile "$3" "$4"
	# An unreachable hypervisor: a profile that passed by mistake ends in
	# an error at once, never in a guest.
	rm -rf ev
	run test "$iso" --flavour smoketest --flavours-dir profiles --evidence ev --connect "qemu:///nonexistent-driver"
	check "profile $what: test exits 64 (got $status)" test $status -eq 64
	check "profile $what: names the file and says '$words'" grep -qF -- "$words" err
	check "profile $what: no evidence folder" test ! -e ev
	run stage --tree "$tree" --flavour smoketest --flavours-dir profiles "$iso"
	check "profile $what: stage exits 64 (got $status)" test $status -eq 64
}
profile_refused "MemoryMb=" "probe.conf:7: [Guest] unknown key MemoryMb= (known: MemoryMiB" Guest "MemoryMb=2048"
profile_refused "an unknown group" "unknown group [Gust]" Gust "MemoryMiB=1024"
profile_refused "InstallSeconds=0" "[Timeouts] InstallSeconds=0 is not a whole number from 1" Timeouts "InstallSeconds=0"
profile_refused "MemoryMiB=4294967295" "[Guest] MemoryMiB=4294967295 is not a whole number from 128" Guest "MemoryMiB=4294967295"
profile_refused "Answers=../../../etc/shadow" "[Boot] Answers=../../../etc/shadow is refused" Boot "Answers=../../../etc/shadow"
profile_refused "3000 bytes of KernelArgs" "KernelArgs= is longer than 2048 bytes" Boot "KernelArgs=$(head -c 3000 /dev/zero | tr '\0' a)"
profile_refused "EmulationFactor=0.5" "probe.conf:9: [Timeouts] EmulationFactor=0.5 is not a number from 1 to 20" Timeouts "EmulationFactor=0.5"
profile_refused "SizeLimit=4.7GB" "[Image] SizeLimit=4.7GB is not a size" Image "SizeLimit=4.7GB"
profile_refused "[Guest] twice" "probe.conf:11: [Guest] again (first on line 6)" Image "[Guest]"
check "no refused profile staged anything" test "$(builds)" -eq 1
mkfifo profiles/fifo.conf
rm profiles/probe.conf
run stage --tree "$tree" --flavour smoketest --flavours-dir profiles "$iso"
check "a FIFO profile stops stage with 64 (got $status)" test $status -eq 64
rm profiles/fifo.conf
run stage --tree "$tree" --flavour smoketest --flavours-dir no-such-folder "$iso"
check "a missing --flavours-dir stops stage with 64 (got $status)" test $status -eq 64
check "saying which folder" grep -q "no-such-folder: no such folder" err
check "nothing more staged" test "$(builds)" -eq 1

# The firmware boot path's keys are known, so its profiles load.
profile Boot 'Method=firmware
Firmware=bios;uefi
ReportFirmware=uefi-secureboot'
printf '[Timeouts]\nBootloaderSeconds=120\n' | sed -i '/^\[Timeouts\]$/r /dev/stdin' profiles/probe.conf
sed -i '/^\[Timeouts\]$/{n;/^\[Timeouts\]$/d}' profiles/probe.conf
sed -i 's/^\[Guest\]$/[Guest]\nArch=amd64/' profiles/probe.conf
run stage --tree "$tree" --flavour smoketest --flavours-dir profiles "$iso"
check "Method=, Firmware=, ReportFirmware=, BootloaderSeconds=, Arch= are known keys (got $status)" test $status -eq 0

# Lab files.
printf '[Host a]\nURI=qemu:///system\n[Host b]\nURI=qemu+ssh://b/system\n[Host a]\nMaxGuests=2\n' > lab.conf
run gate --tree "$tree" --lab lab.conf
check "a lab file with [Host a] twice exits 64 (got $status)" test $status -eq 64
check "naming the second one's line" grep -qF "lab.conf:5: [Host a] again (first on line 1)" err
{ printf '[Host a]\nURI=qemu:///system\n'; head -c 500000 /dev/zero | tr '\0' 'y'; echo; } > lab.conf
run gate --tree "$tree" --lab lab.conf
check "a lab file with a 500 kB bad line exits 64 (got $status)" test $status -eq 64
check "its message quotes at most 80 characters of it" test "$(wc -c < err)" -lt 300
# A test on a lab host whose EmulationFactor= is bad: 64 before any guest.
printf '[Host a]\nURI=qemu:///nonexistent-driver\nEmulationFactor=fast\n' > lab.conf
rm -rf ev
run test "$iso" --flavour smoketest --lab lab.conf --evidence ev
check "a lab file with EmulationFactor=fast stops test with 64 (got $status)" test $status -eq 64
check "in one line naming the file and the host" grep -qxF "smokegate test: lab.conf: [Host a] EmulationFactor=fast is not a number from 1 to 20" err
check "no evidence folder" test ! -e ev
finish
