#!/bin/sh
# session-environment: started by the session's XDG autostart, as the
# session's user.
. "$(dirname "$0")/../lib/tap.sh"

runtime_dir_private() {
	dir=${XDG_RUNTIME_DIR:-}
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "XDG_RUNTIME_DIR=$dir is not a folder"
		return 1
	fi
	mode=$(stat -c %a "$dir")
	if [ ! -O "$dir" ] || [ "$mode" != 700 ]; then
		echo "$dir: mode $mode, owner $(stat -c %U "$dir"); the session's user's, mode 700 expected"
		return 1
	fi
}

# Asks the bus itself when dbus-send is there, else looks for its socket.
session_bus() {
	address=${DBUS_SESSION_BUS_ADDRESS:-}
	if [ -z "$address" ] && [ -S "${XDG_RUNTIME_DIR:-/nonexistent}/bus" ]; then
		address=unix:path=$XDG_RUNTIME_DIR/bus
	fi
	if [ -z "$address" ]; then
		echo "DBUS_SESSION_BUS_ADDRESS is not set and there is no \$XDG_RUNTIME_DIR/bus"
		return 1
	fi
	if command -v dbus-send >/dev/null 2>&1; then
		DBUS_SESSION_BUS_ADDRESS=$address dbus-send --session --print-reply \
			--dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetId
		return
	fi
	socket=${address#unix:}
	socket=${socket%%,*}
	case $socket in
	path=*) tap_unix_socket_listening "${socket#path=}" ;;
	abstract=*) tap_unix_socket_listening "${socket#abstract=}" ;;
	*) false ;;
	esac || {
		echo "nothing listens on $address"
		return 1
	}
}

names_desktop() {
	if [ -z "${XDG_CURRENT_DESKTOP:-}${DESKTOP_SESSION:-}" ]; then
		echo "neither XDG_CURRENT_DESKTOP nor DESKTOP_SESSION is set"
		return 1
	fi
}

graphical_session() {
	case ${XDG_SESSION_TYPE:-} in
	x11 | wayland) ;;
	*)
		echo "XDG_SESSION_TYPE=${XDG_SESSION_TYPE:-} (x11 or wayland expected)"
		return 1
		;;
	esac
}

tap_plan 4
tap_check "XDG_RUNTIME_DIR is the user's private folder" runtime_dir_private
tap_check "the D-Bus session bus answers" session_bus
tap_check "the session says which desktop it is" names_desktop
tap_check "logind knows the session as graphical" graphical_session
tap_done
