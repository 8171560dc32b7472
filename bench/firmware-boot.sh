#!/bin/bash
# bench/firmware-boot.sh [-f FIRMWARE,...] [-n RUNS] [-o DIR] ISO
#
# Boots ISO through its own boot loader under each firmware, the way a
# machine does, types the console arguments at the boot menu as a person
# would, and prints the seconds from power-on to the boot loader's menu and
# to the kernel's first line on the serial console. Figures to report, not
# to assert. FIRMWARE: bios (SeaBIOS, pc, CD on IDE, <bios useserial>),
# uefi (OVMF_CODE_4M.fd, q35, CD on SATA), uefi-sb (the Secure Boot build
# with Microsoft's keys enrolled, SMM); default all three.
#
# How it types (firmware.md in the notes has the why):
# - isolinux (menu.c32, BIOS): at "Press [Tab] to edit options": Tab, the
#   arguments, Enter.
# - GRUB (UEFI): its menu reads keys a moment after "Welcome to GRUB!"
#   (keys sent earlier are lost). When grub.cfg switches to gfxterm the
#   menu is drawn on the screen only: 2 s after "Welcome", "c" and
#   "terminal_output console" Enter, until "grub> " shows on the serial
#   console (else Esc, 2.5 s, and again), then Esc: the menu is drawn on the
#   serial console. At the menu: "e", Down (ESC [ B) to the default entry's
#   linux line (the editor opens on "setparams 'TITLE'" and a blank line,
#   then the entry's body, counted in the ISO's /boot/grub/grub.cfg),
#   Ctrl-E, the arguments, Ctrl-X. OVMF holds a lone Esc 2 s, waiting for
#   the rest of an escape sequence, before GRUB gets it.
# The kernel's first line is the first line of the kernel's log (its
# timestamp "[    0.000000]"); `quiet` on the entry hides it, so loglevel=7
# is typed after the console argument (the last of the two wins).
#
# Guests run under TCG (<domain type='qemu'>) on libvirt's embedded QEMU
# driver (qemu:///embed, one virsh kept open), 2 vCPUs, 2 GiB. Run it under
# the machine's VM lock: flock /tmp/smokegate-vm.lock bench/firmware-boot.sh ISO
# -o DIR keeps each boot's raw console (FIRMWARE-RUN.raw) and its timeline.
set -euo pipefail

firmwares=bios,uefi,uefi-sb runs=1 keep=
while getopts f:n:o: opt; do
	case $opt in
	f) firmwares=$OPTARG ;;
	n) runs=$OPTARG ;;
	o) keep=$OPTARG ;;
	*) echo "usage: $0 [-f bios,uefi,uefi-sb] [-n RUNS] [-o DIR] ISO" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { echo "usage: $0 [-f bios,uefi,uefi-sb] [-n RUNS] [-o DIR] ISO" >&2; exit 64; }
iso=$(realpath "$1")
[ -f "$iso" ] || { echo "$0: no such image: $1" >&2; exit 64; }
for c in virsh xorriso stty timeout; do
	command -v "$c" >/dev/null || { echo "$0: missing tool: $c" >&2; exit 69; }
done
args=${FIRMWARE_BOOT_ARGS:-console=ttyS0,115200 loglevel=7}
limit=${FIRMWARE_BOOT_LIMIT:-240}

work=$(mktemp -d /tmp/smokegate-firmware-boot-XXXXXX)
root=$work/libvirt
mkdir -p "$root/etc"
# No virtlogd for an embedded driver: QEMU writes its own logs (as smokegate).
printf 'stdio_handler = "file"\n' >"$root/etc/qemu.conf"
[ "$(id -u)" -ne 0 ] ||
	printf 'user = "root"\ngroup = "root"\ndynamic_ownership = 0\nremember_owner = 0\n' \
		>>"$root/etc/qemu.conf"
uri="qemu:///embed?root=$root"
reader=
# virsh's errors and libvirt's log lines go to a file: its output stays
# only the answers.
coproc VIRSH { exec virsh -q -c "$uri" 2>"$work/virsh.log"; }
cleanup() {
	[ -z "$reader" ] || kill "$reader" 2>/dev/null || true
	if [ -n "${VIRSH_PID:-}" ]; then
		printf 'destroy fw-boot\nquit\n' >&"${VIRSH[1]}" 2>/dev/null || true
		wait "$VIRSH_PID" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

virsh_alive() {
	[ -n "${VIRSH_PID:-}" ] && kill -0 "$VIRSH_PID" 2>/dev/null ||
		{ echo "$0: virsh ended:" >&2; tail -n 5 "$work/virsh.log" >&2; exit 70; }
}

# virsh_do CMD: runs CMD in the open virsh, prints its output. Read from a
# pipe, virsh echoes each command after its prompt and ends an output
# without a newline: the empty echo after the marker puts one after it.
seq=0
virsh_do() {
	local line out=
	virsh_alive
	seq=$((seq + 1))
	printf '%s\necho __done%d__\necho\n' "$1" "$seq" >&"${VIRSH[1]}"
	while IFS= read -r -t 60 line <&"${VIRSH[0]}"; do
		case $line in
		"virsh # "*) ;;
		*"__done$seq"__*) break ;;
		*) out+=$line$'\n' ;;
		esac
	done
	printf '%s' "$out"
}

# The default entry of the ISO's GRUB menu: how many lines below the top of
# its body the linux line is (GRUB's editor opens on the body's first line).
grub_cfg=$work/grub.cfg
xorriso -osirrox on -indev "$iso" -extract /boot/grub/grub.cfg "$grub_cfg" >/dev/null 2>&1 || :
grub_downs=0 grub_gfxterm=
if [ -s "$grub_cfg" ]; then
	grub_downs=$(awk '/^[ \t]*menuentry /{ in_entry = 1; n = 2; next }
		in_entry && /^[ \t]*linux/{ print n; exit }
		in_entry { n++ }' "$grub_cfg")
	! grep -q '^[^#]*terminal_output[ \t]*gfxterm' "$grub_cfg" || grub_gfxterm=yes
fi

domain_xml() {
	local fw=$1 machine=pc bus=ide dev=hdc os= features='<acpi/>'
	case $fw in
	bios) os="<boot dev='cdrom'/><bios useserial='yes'/>" ;;
	uefi)
		machine=q35 bus=sata dev=sdc
		os="<firmware><feature enabled='no' name='secure-boot'/></firmware>
    <nvram>$work/nvram.fd</nvram>
    <boot dev='cdrom'/>"
		;;
	uefi-sb)
		machine=q35 bus=sata dev=sdc features='<acpi/><smm state="on"/>'
		os="<firmware><feature enabled='yes' name='secure-boot'/><feature enabled='yes' name='enrolled-keys'/></firmware>
    <loader secure='yes'/>
    <nvram>$work/nvram.fd</nvram>
    <boot dev='cdrom'/>"
		;;
	esac
	local firmware_attr=
	[ "$fw" = bios ] || firmware_attr=" firmware='efi'"
	cat <<EOF
<domain type='qemu'>
  <name>fw-boot</name>
  <memory unit='MiB'>2048</memory>
  <vcpu>2</vcpu>
  <os$firmware_attr>
    <type arch='x86_64' machine='$machine'>hvm</type>
    $os
  </os>
  <features>$features</features>
  <on_reboot>destroy</on_reboot>
  <devices>
    <disk type='file' device='cdrom'>
      <driver name='qemu' type='raw'/>
      <source file='$iso'/>
      <target dev='$dev' bus='$bus'/>
      <readonly/>
    </disk>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <video><model type='vga' vram='16384'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# boot FIRMWARE RUN: one boot; sets loader_s (isolinux's banner, or
# "Welcome to GRUB!"), menu_s (the menu on the serial console: under gfxterm
# only once terminal_output console was typed) and kernel_s (seconds, or -).
boot() {
	local fw=$1 run=$2 raw=$work/$1-$2.raw times=$work/$1-$2.times pty start state loader_at i tries
	loader_s=- menu_s=- kernel_s=-
	rm -f "$work/nvram.fd"
	domain_xml "$fw" >"$work/domain.xml"
	virsh_do "destroy fw-boot" >/dev/null
	virsh_do "create --paused $work/domain.xml" >/dev/null
	pty=$(virsh_do "dumpxml fw-boot" | sed -n "s/.*<source path='\([^']*\)'.*/\1/p" | head -n 1)
	[ -e "$pty" ] || { echo "$0: the guest did not start:" >&2; tail -n 5 "$work/virsh.log" >&2; exit 70; }
	stty -F "$pty" raw -echo
	: >"$raw"
	cat "$pty" >>"$raw" &
	reader=$!
	exec {tty}>"$pty"
	virsh_do "resume fw-boot" >/dev/null
	start=$(now)
	echo "0.0 power-on" >"$times"
	type_keys() { local k; for k in "$@"; do printf '%b' "$k" >&"$tty"; sleep 0.05; done; }
	type_text() { local i; for ((i = 0; i < ${#1}; i++)); do printf '%s' "${1:i:1}" >&"$tty"; sleep 0.02; done; }
	state=wait-loader
	while [ "$(since "$start" | cut -d. -f1)" -lt "$limit" ]; do
		case $state in
		wait-loader)
			[ "$loader_s" != - ] || ! grep -aq '^ISOLINUX ' "$raw" || loader_s=$(since "$start")
			if grep -aq 'Press \[Tab\] to edit options' "$raw"; then
				menu_s=$(since "$start"); echo "$menu_s isolinux menu" >>"$times"
				type_keys '\t'; sleep 0.5; type_text " $args"; type_keys '\r'
				echo "$(since "$start") typed" >>"$times"
				state=wait-kernel
			elif grep -aq 'Welcome to GRUB!' "$raw"; then
				loader_at=$(now) tries=0 loader_s=$(since "$start")
				echo "$loader_s GRUB started" >>"$times"
				state=wait-grub-menu
				[ -z "$grub_gfxterm" ] || state=wait-gfxterm
			fi
			;;
		wait-gfxterm)
			if [ "$(since "$loader_at" | cut -d. -f1)" -ge 2 ]; then
				[ "$tries" -eq 0 ] || { type_keys '\e'; sleep 2.5; }
				tries=$((tries + 1))
				type_keys c; sleep 0.5; type_text "terminal_output console"; type_keys '\r'
				echo "$(since "$start") terminal_output console typed ($tries)" >>"$times"
				if timeout 3 sh -c "until grep -aq 'grub> ' '$raw'; do sleep 0.1; done"; then
					type_keys '\e'
					state=wait-grub-menu
				elif [ "$tries" -ge 5 ]; then
					break
				fi
			fi
			;;
		wait-grub-menu)
			if grep -aq 'GNU GRUB' "$raw"; then
				menu_s=$(since "$start"); echo "$menu_s grub menu" >>"$times"
				type_keys e
				timeout 5 sh -c "until grep -aq 'Minimum Emacs' '$raw'; do sleep 0.1; done" || break
				for ((i = 0; i < grub_downs; i++)); do type_keys '\e[B'; done
				type_keys '\x05'; type_text " $args"; type_keys '\x18'
				echo "$(since "$start") typed" >>"$times"
				state=wait-kernel
			fi
			;;
		wait-kernel)
			if grep -aq '\[    0\.000000\]' "$raw"; then
				kernel_s=$(since "$start"); echo "$kernel_s kernel" >>"$times"
				break
			fi
			;;
		esac
		sleep 0.1
	done
	exec {tty}>&-
	virsh_do "destroy fw-boot" >/dev/null
	kill "$reader" 2>/dev/null || true
	wait "$reader" 2>/dev/null || true
	reader=
	if [ -n "$keep" ]; then
		mkdir -p "$keep"
		cp "$raw" "$times" "$keep/"
	fi
}

printf '# %s, load %s\n' "$(basename "$iso")" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '| firmware | run | loader s | menu s | kernel s |\n|---|---|---|---|---|\n'
IFS=, read -ra fws <<<"$firmwares"
for fw in "${fws[@]}"; do
	case $fw in bios | uefi | uefi-sb) ;; *) echo "$0: unknown firmware $fw" >&2; exit 64 ;; esac
	for ((r = 1; r <= runs; r++)); do
		boot "$fw" "$r"
		printf '| %s | %d | %s | %s | %s |\n' "$fw" "$r" "$loader_s" "$menu_s" "$kernel_s"
	done
done
printf '# load after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
