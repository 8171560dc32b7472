#!/bin/sh
# desktop-basics: started by the session's XDG autostart, as the session's
# user, with the session's environment. Nothing here needs a program the
# flavour may not ship (no xdpyinfo, no xprop): /proc and the environment.
. "$(dirname "$0")/../lib/tap.sh"

# Window managers and shells that manage windows, as /proc/PID/comm names
# them (15 characters at most): every flavour's, today's and 2013's.
WINDOW_MANAGERS="gnome-shell kwin_x11 kwin_wayland kwin xfwm4 openbox lxqt-openbox
metacity marco mutter compiz budgie-wm muffin cinnamon icewm icewm-session
fluxbox unity-system-compositor xfce4-session enlightenment awesome i3 sway"

has_display() {
	if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
		echo "neither DISPLAY nor WAYLAND_DISPLAY is set in the session"
		return 1
	fi
}

# The server the session's DISPLAY names listens on its socket: an X
# server that died leaves DISPLAY set and nothing behind it.
display_listens() {
	if [ -n "${DISPLAY:-}" ]; then
		number=${DISPLAY#*:}
		number=${number%%.*}
		socket=/tmp/.X11-unix/X$number
		case $DISPLAY in
		:*) ;;
		*) echo "DISPLAY=$DISPLAY is not a local display"; return 1 ;;
		esac
	else
		socket=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$WAYLAND_DISPLAY
	fi
	if ! tap_unix_socket_listening "$socket"; then
		echo "no socket $socket in /proc/net/unix (DISPLAY=${DISPLAY:-} WAYLAND_DISPLAY=${WAYLAND_DISPLAY:-})"
		return 1
	fi
}

# How long a check waits for what the session starts beside the suite.
WAIT=${SMOKEGATE_SUITE_WAIT:-60}

# The names of the user's programs (kernel threads have no command line).
user_programs() {
	for p in /proc/[0-9]*; do
		[ -O "$p" ] && [ -n "$(tr -d '\0' <"$p/cmdline" 2>/dev/null)" ] && cat "$p/comm"
	done 2>/dev/null | sort -u | tr '\n' ' '
}

window_manager() {
	# shellcheck disable=SC2086 # the list is words
	if ! tap_wait "$WAIT" tap_process_running $WINDOW_MANAGERS >/dev/null; then
		echo "none of these runs as $(id -un) after $WAIT s:" $WINDOW_MANAGERS
		echo "the user's programs: $(user_programs)"
		return 1
	fi
}

home_writable() {
	if [ -z "${HOME:-}" ] || [ ! -d "$HOME" ]; then
		echo "HOME=${HOME:-} is not a folder"
		return 1
	fi
	probe=$(mktemp "$HOME/.smokegate-probe.XXXXXX") || return 1
	echo "written by smokegate" >"$probe" &&
		[ "$(cat "$probe")" = "written by smokegate" ] &&
		rm -f "$probe"
}

answer_file_user() {
	user=$(id -un)
	if [ "$user" != "$SMOKEGATE_USER" ]; then
		echo "the session runs as $user, the answer file made $SMOKEGATE_USER"
		return 1
	fi
}

# Every process the flavour's shell is made of (from the flavour's profile,
# through lib/expect.env: "unity-panel-service compiz" for Unity) runs as
# the user.
flavour_shell() {
	missing=""
	for name in $SMOKEGATE_SHELL_PROCESSES; do
		tap_wait "$WAIT" tap_process_running "$name" >/dev/null || missing="$missing $name"
	done
	if [ -n "$missing" ]; then
		echo "not running as $(id -un) after $WAIT s:$missing"
		echo "the user's programs: $(user_programs)"
		return 1
	fi
}

tap_plan 6
tap_check "the session has a display" has_display
tap_check "the display's server listens on its socket" display_listens
tap_check "a window manager runs in the session" window_manager
if [ -n "${SMOKEGATE_USER:-}" ]; then
	tap_check "the session's user is the answer file's user" answer_file_user
else
	tap_skip "the session's user is the answer file's user" "the harness did not say which user (SMOKEGATE_USER)"
fi
tap_check "the home folder is writable" home_writable
if [ -n "${SMOKEGATE_SHELL_PROCESSES:-}" ]; then
	tap_check "the flavour's shell runs ($SMOKEGATE_SHELL_PROCESSES)" flavour_shell
else
	tap_skip "the flavour's shell runs" "the harness did not say which (SMOKEGATE_SHELL_PROCESSES)"
fi
tap_done
