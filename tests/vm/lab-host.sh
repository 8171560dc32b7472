#!/bin/bash
# Lab hosts for tests, on this machine, with real libvirt daemons.
#
#   lab-host.sh start NAME ADDR [HIDE...]   a second libvirt host: qemu+tcp://ADDR/system
#   lab-host.sh stop NAME                   ends it: libvirtd, virtlogd, its QEMUs, its namespace
#   lab-host.sh pid NAME                    a pid inside it, for `nsenter -t PID -m`
#   lab-host.sh kill-libvirtd NAME          kill -9 of its libvirtd alone (its QEMUs run on)
#   lab-host.sh start-libvirtd NAME         starts its libvirtd again after kill-libvirtd
#   lab-host.sh system-start [USER]         this machine's own libvirtd for qemu:///system,
#                                           started only when none answers
#   lab-host.sh system-stop [USER]          stops it again if system-start started it and
#                                           no other USER (a live pid) still needs it
#
# The second host is libvirtd and virtlogd in their own mount and pid
# namespaces: private tmpfs over everything libvirt keeps (/run/libvirt,
# /var/lib/libvirt, /etc/libvirt, /var/cache/libvirt, /var/log/libvirt) and
# over the coordinator's files (this source tree with its build folders, /tmp,
# /var/tmp, smokegate's state folder, and each HIDE path), so a coordinator
# that handed it a path of its own would be caught: nothing is shared but the
# libvirt connection. Its configuration is Debian's (the *.conf files of
# /etc/libvirt), changed only to listen on ADDR without TLS or
# authentication (a test on loopback, never anything else) and to let QEMU
# start the mirror forward (socat), which QEMU's seccomp sandbox forbids.
# Without systemd as PID 1 nothing is socket-activated: libvirtd --listen.
# Killing the namespace's first process ends every process in it, QEMU too.
# A host whose libvirtd ends (kill-libvirtd, as a crash would) lives on
# with its QEMUs and their state until it is stopped: start-libvirtd
# starts libvirtd there again, which finds its running guests as a
# libvirtd restarted by systemd would.
#
# Source this file to use lab_host_start/lab_host_stop/... in a test, or run it.

set -u

lab_host_source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

lab_host_state() {
	echo "/run/smokegate-lab-host-$1"
}

# The first process of the namespace (pid 1 inside it), child of unshare.
lab_host_pid() {
	local state
	state=$(lab_host_state "$1")
	[ -s "$state/unshare.pid" ] || return 1
	local children
	children=$(cat "/proc/$(cat "$state/unshare.pid")/task/$(cat "$state/unshare.pid")/children" 2>/dev/null) || return 1
	[ -n "$children" ] || return 1
	echo "${children%% *}"
}

# Runs inside the namespaces, as their pid 1: mounts, then the daemons.
# bash as pid 1 reaps the QEMU processes libvirt daemonizes.
lab_host_inner() {
	local state=$1
	shift
	local dir
	# /run/lock too: libvirt locks a console's pty there (LCK.._pts_N) with
	# its own pid, and this host's pids mean nothing outside its namespace:
	# a shared /run/lock made this machine's embedded driver refuse its own
	# pty as "locked by" some unrelated process.
	for dir in /run/libvirt /var/lib/libvirt /etc/libvirt /var/cache/libvirt /var/log/libvirt \
		/run/lock; do
		mkdir -p "$dir"
		mount -t tmpfs -o mode=0755 "lab-host" "$dir" || exit 1
	done
	cp -a "$state/etc/." /etc/libvirt/ || exit 1
	for dir in "$@"; do
		# A folder only: a tmpfs cannot hide a file, and a missing path is hidden already.
		[ -d "$dir" ] && mount -t tmpfs -o mode=0755 "lab-host-hidden" "$dir"
	done
	virtlogd -p /run/libvirt/virtlogd.pid &
	libvirtd --listen -p /run/libvirt/libvirtd.pid &
	local libvirtd=$!
	wait "$libvirtd"
	local status=$?
	# Only a libvirtd killed on purpose (lab_host_kill_libvirtd) leaves the
	# host up, until lab_host_stop kills this process; it still reaps the QEMUs.
	[ "$status" -eq $((128 + 9)) ] || exit "$status"
	while :; do
		sleep 1
	done
}

lab_host_start() {
	local name=$1 addr=$2
	shift 2
	local state
	state=$(lab_host_state "$name")
	if lab_host_pid "$name" >/dev/null; then
		echo "lab host $name already runs" >&2
		return 1
	fi
	rm -rf "$state"
	mkdir -p "$state/etc"
	cp -a /etc/libvirt/*.conf "$state/etc/"
	[ -d /etc/libvirt/nwfilter ] && cp -a /etc/libvirt/nwfilter "$state/etc/"
	sed -i -E '/^[[:space:]]*(listen_tls|listen_tcp|listen_addr|auth_tcp)[[:space:]]*=/d' \
		"$state/etc/libvirtd.conf"
	cat >>"$state/etc/libvirtd.conf" <<-EOF
		# smokegate test lab host: loopback only, no authentication
		listen_tls = 0
		listen_tcp = 1
		listen_addr = "$addr"
		auth_tcp = "none"
	EOF
	sed -i -E '/^[[:space:]]*seccomp_sandbox[[:space:]]*=/d' "$state/etc/qemu.conf"
	echo "seccomp_sandbox = 0" >>"$state/etc/qemu.conf"
	# Where /dev/kvm's group is not one QEMU's user is in (this machine's
	# container: ssl-cert), libvirt finds its cached QEMU capabilities
	# (probed with KVM) stale at every lookup and probes QEMU again, 4 s
	# each, several times per guest started: QEMU runs in /dev/kvm's group.
	local kvm_group
	kvm_group=$(stat -c %G /dev/kvm 2>/dev/null)
	if [ -n "$kvm_group" ] && [ "$kvm_group" != UNKNOWN ] &&
		! setpriv --reuid=libvirt-qemu --regid=libvirt-qemu --init-groups test -w /dev/kvm 2>/dev/null; then
		echo "group = \"$kvm_group\"" >>"$state/etc/qemu.conf"
	fi

	local hide=("$lab_host_source_dir" /tmp /var/tmp)
	[ -n "${SMOKEGATE_STATE_DIR:-}" ] && hide+=("$SMOKEGATE_STATE_DIR")
	[ -n "${HOME:-}" ] && hide+=("$HOME/.cache/smokegate")
	hide+=("$@")

	# setsid: the test's Ctrl-C goes to the test, which stops the host itself.
	setsid unshare --mount --propagation private --pid --fork --mount-proc --kill-child \
		bash -c "$(declare -f lab_host_inner); lab_host_inner \"\$@\"" lab-host "$state" "${hide[@]}" \
		</dev/null >"$state/log" 2>&1 &
	echo $! >"$state/unshare.pid"

	local i
	for i in $(seq 1 300); do
		if virsh -c "qemu+tcp://$addr/system" version >/dev/null 2>&1; then
			echo "$addr" >"$state/addr"
			return 0
		fi
		if ! kill -0 "$(cat "$state/unshare.pid")" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	echo "lab host $name did not answer on qemu+tcp://$addr/system:" >&2
	cat "$state/log" >&2
	lab_host_stop "$name"
	return 1
}

# The pid of NAME's libvirtd, as this machine sees it.
lab_host_libvirtd_pid() {
	local pid
	pid=$(lab_host_pid "$1") || return 1
	pgrep --ns "$pid" --nslist pid,mnt -x libvirtd
}

# kill -9 of NAME's libvirtd alone, as a crash would end it: its guests'
# QEMUs and its state (/run/libvirt) stay.
lab_host_kill_libvirtd() {
	local pid i
	pid=$(lab_host_libvirtd_pid "$1") || return 1
	kill -KILL "$pid" || return 1
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# Starts NAME's libvirtd again after lab_host_kill_libvirtd; returns when
# it answers.
lab_host_start_libvirtd() {
	local name=$1 pid addr i
	pid=$(lab_host_pid "$name") || return 1
	addr=$(cat "$(lab_host_state "$name")/addr") || return 1
	nsenter -t "$pid" -m -p -- libvirtd --listen -d -p /run/libvirt/libvirtd.pid || return 1
	for i in $(seq 1 300); do
		virsh -c "qemu+tcp://$addr/system" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

lab_host_stop() {
	local name=$1
	local state pid unshare_pid
	state=$(lab_host_state "$name")
	[ -s "$state/unshare.pid" ] || return 0
	unshare_pid=$(cat "$state/unshare.pid")
	pid=$(lab_host_pid "$name")
	# SIGKILL to the namespace's pid 1 kills every process in it at once.
	if [ -n "$pid" ]; then
		kill -KILL "$pid" 2>/dev/null
	fi
	kill -TERM "$unshare_pid" 2>/dev/null
	local i
	for i in $(seq 1 100); do
		kill -0 "$unshare_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		echo "lab host $name: process $pid did not end" >&2
		return 1
	fi
	rm -rf "$state"
}

lab_host_system_state=/run/smokegate-lab-host-system

# This machine's own daemons for qemu:///system, with Debian's configuration
# (QEMU runs as libvirt-qemu), when none answers: no systemd here to start
# them. Tests run side by side share them: each caller (USER, default the
# calling shell's pid) is counted, and the last one to stop ends the daemons
# if a test started them.
# Whether the pid in FILE runs (a lab host's own daemons do not count:
# their pid files are inside their namespace).
lab_host_pidfile_alive() {
	[ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

lab_host_system_start() {
	local user=${1:-$$}
	(
		flock 9
		mkdir -p "$lab_host_system_state/users"
		touch "$lab_host_system_state/users/$user"
		virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
		# The daemons must not hold the lock, nor the test's output open.
		if ! lab_host_pidfile_alive /run/virtlogd.pid &&
			! lab_host_pidfile_alive "$lab_host_system_state/virtlogd.pid"; then
			virtlogd -d -p "$lab_host_system_state/virtlogd.pid" \
				</dev/null >/dev/null 2>&1 9>&- || exit 1
		fi
		libvirtd -d -p "$lab_host_system_state/libvirtd.pid" </dev/null >/dev/null 2>&1 9>&- ||
			exit 1
		local i
		for i in $(seq 1 300); do
			virsh -c qemu:///system version >/dev/null 2>&1 && exit 0
			sleep 0.1
		done
		echo "libvirtd did not answer on qemu:///system" >&2
		exit 1
	) 9>"$lab_host_system_state.lock"
}

lab_host_system_stop() {
	local user=${1:-$$}
	[ -d "$lab_host_system_state/users" ] || return 0
	(
		flock 9
		rm -f "$lab_host_system_state/users/$user"
		local other
		for other in "$lab_host_system_state/users"/*; do
			[ -e "$other" ] || continue
			kill -0 "$(basename "$other")" 2>/dev/null && exit 0
			rm -f "$other"
		done
		# Guests a test left must not outlive the daemon that could remove them.
		local domain
		for domain in $(virsh -c qemu:///system list --name 2>/dev/null | grep '^smokegate-'); do
			virsh -c qemu:///system destroy "$domain" >/dev/null 2>&1
		done
		local file pid i
		for file in libvirtd.pid virtlogd.pid; do
			[ -s "$lab_host_system_state/$file" ] || continue
			pid=$(cat "$lab_host_system_state/$file")
			kill -TERM "$pid" 2>/dev/null
			for i in $(seq 1 100); do
				kill -0 "$pid" 2>/dev/null || break
				sleep 0.1
			done
			rm -f "$lab_host_system_state/$file"
		done
		rm -rf "$lab_host_system_state"
	) 9>"$lab_host_system_state.lock"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case "${1:-}" in
	start)
		[ $# -ge 3 ] || { echo "usage: $0 start NAME ADDR [HIDE...]" >&2; exit 64; }
		shift
		lab_host_start "$@"
		;;
	stop)
		[ $# -eq 2 ] || { echo "usage: $0 stop NAME" >&2; exit 64; }
		lab_host_stop "$2"
		;;
	pid)
		[ $# -eq 2 ] || { echo "usage: $0 pid NAME" >&2; exit 64; }
		lab_host_pid "$2"
		;;
	kill-libvirtd)
		[ $# -eq 2 ] || { echo "usage: $0 kill-libvirtd NAME" >&2; exit 64; }
		lab_host_kill_libvirtd "$2"
		;;
	start-libvirtd)
		[ $# -eq 2 ] || { echo "usage: $0 start-libvirtd NAME" >&2; exit 64; }
		lab_host_start_libvirtd "$2"
		;;
	system-start) lab_host_system_start "${2:-$PPID}" ;;
	system-stop) lab_host_system_stop "${2:-$PPID}" ;;
	*)
		echo "usage: $0 start NAME ADDR [HIDE...] | stop NAME | pid NAME | kill-libvirtd NAME |" \
			"start-libvirtd NAME | system-start | system-stop" >&2
		exit 64
		;;
	esac
fi
