#!/bin/sh
# desktop-session: started by the session's XDG autostart, as the session's
# user, with the session's environment. The X checks use what Debian's and
# Ubuntu's xorg brings (x11-utils: xdpyinfo, xmessage, xwininfo, xprop;
# x11-xkb-utils: setxkbmap); a check whose tool the image lacks falls back
# to /proc or skips, saying why.
. "$(dirname "$0")/../lib/tap.sh"

# How long a check waits for what the session starts beside the suite.
WAIT=${SMOKEGATE_SUITE_WAIT:-60}

has() {
	command -v "$1" >/dev/null 2>&1
}

has_display() {
	if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
		echo "neither DISPLAY nor WAYLAND_DISPLAY is set in the session"
		return 1
	fi
}

# The server's socket: an X server that died leaves DISPLAY set and
# nothing behind it.
display_socket() {
	if [ -n "${DISPLAY:-}" ]; then
		case $DISPLAY in
		:*) ;;
		*) echo "DISPLAY=$DISPLAY is not a local display"; return 1 ;;
		esac
		number=${DISPLAY#*:}
		number=${number%%.*}
		socket=/tmp/.X11-unix/X$number
	else
		socket=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/$WAYLAND_DISPLAY
	fi
	if ! tap_unix_socket_listening "$socket"; then
		echo "no socket $socket in /proc/net/unix (DISPLAY=${DISPLAY:-} WAYLAND_DISPLAY=${WAYLAND_DISPLAY:-})"
		return 1
	fi
}

# The display answers a client: xdpyinfo asks the X server itself; without
# it (or on Wayland without Xwayland) its socket must be there.
display_answers() {
	display_socket || return 1
	if [ -n "${DISPLAY:-}" ] && has xdpyinfo; then
		if ! info=$(xdpyinfo 2>&1); then
			printf 'xdpyinfo: %s\n' "$info" | head -n 5
			return 1
		fi
		printf '%s\n' "$info" | grep -m 1 'dimensions:'
	fi
}

# The names of the user's programs (kernel threads have no command line).
user_programs() {
	for p in /proc/[0-9]*; do
		[ -O "$p" ] && [ -n "$(tr -d '\0' <"$p/cmdline" 2>/dev/null)" ] && cat "$p/comm"
	done 2>/dev/null | sort -u | tr '\n' ' '
}

# Every process the flavour's shell is made of (the profile's [Desktop]
# Shell=, through lib/expect.env: "unity-panel-service compiz" for Unity)
# runs as the user.
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

# window_state TITLE: "ID viewable" once the window titled TITLE is mapped
# and viewable (it and every ancestor mapped), else its map state.
window_state() {
	info=$(xwininfo -name "$1" 2>&1) || { echo "no window named $1"; return 1; }
	id=$(printf '%s\n' "$info" | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')
	state=$(printf '%s\n' "$info" | sed -n 's/^ *Map State: *//p')
	echo "$id $state"
	[ "$state" = IsViewable ]
}

# The window manager manages the window: it lists it among its clients
# (EWMH _NET_CLIENT_LIST), or, with a manager that keeps no such list, it
# reparented it into its frame.
window_managed() {
	clients=$(xprop -root _NET_CLIENT_LIST 2>/dev/null)
	case $clients in
	*"# "*)
		printf '%s\n' "$clients" | tr ' ,' '\n\n' | grep -qx "$1" && return 0
		echo "not among the window manager's clients: $clients"
		return 1
		;;
	esac
	parent=$(xwininfo -children -id "$1" 2>/dev/null | sed -n 's/^ *Parent window id: \(0x[0-9a-f]*\).*/\1/p')
	root=$(xwininfo -root 2>/dev/null | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')
	if [ -z "$parent" ] || [ "$parent" = "$root" ]; then
		echo "no window manager took it: no _NET_CLIENT_LIST, and its parent is the root window"
		return 1
	fi
}

# A window can be mapped and seen: a new one becomes viewable, the window
# manager takes it, and it lies on the screen.
window_seen() {
	title="smokegate-window-$$"
	xmessage -name smokegate -title "$title" -geometry +40+40 \
		"smokegate desktop-session: a window mapped by the suite" >/dev/null 2>&1 &
	client=$!
	status=0
	# A client's window takes a moment to map, even when nothing else is
	# waited for.
	map_wait=$((WAIT > 10 ? WAIT : 10))
	if ! state=$(tap_wait "$map_wait" window_state "$title"); then
		echo "the window $title was not viewable after $map_wait s: $state"
		status=1
	else
		id=${state%% *}
		tap_wait "$WAIT" window_managed "$id" || status=1
		geometry=$(xwininfo -id "$id" 2>/dev/null)
		x=$(printf '%s\n' "$geometry" | sed -n 's/^ *Absolute upper-left X: *//p')
		y=$(printf '%s\n' "$geometry" | sed -n 's/^ *Absolute upper-left Y: *//p')
		screen=$(xwininfo -root 2>/dev/null | sed -n 's/^ *-geometry \([0-9]*\)x\([0-9]*\).*/\1 \2/p')
		if [ -z "$x" ] || [ -z "$screen" ] || [ "$x" -ge "${screen% *}" ] || [ "$y" -ge "${screen#* }" ] ||
			[ "$x" -lt 0 ] || [ "$y" -lt 0 ]; then
			echo "the window $id is not on the screen: at ${x:-?},${y:-?}, the screen ${screen:-unknown}"
			status=1
		fi
	fi
	kill "$client" 2>/dev/null
	wait "$client" 2>/dev/null
	return "$status"
}

# The session's keyboard layout, the first of its list: the X server's
# (setxkbmap, else the root window's _XKB_RULES_NAMES), else GNOME's input
# sources on a Wayland session without Xwayland.
session_layout() {
	layout=""
	if [ -n "${DISPLAY:-}" ] && has setxkbmap; then
		layout=$(setxkbmap -query 2>/dev/null | sed -n 's/^layout: *//p')
	fi
	if [ -z "$layout" ] && [ -n "${DISPLAY:-}" ] && has xprop; then
		# _XKB_RULES_NAMES(STRING) = "evdev", "pc105", "us", "", ""
		layout=$(xprop -root _XKB_RULES_NAMES 2>/dev/null | awk -F'"' 'NF >= 6 { print $6 }')
	fi
	if [ -z "$layout" ] && has gsettings; then
		# [('xkb', 'us'), ('xkb', 'fr+latin9')]
		layout=$(gsettings get org.gnome.desktop.input-sources sources 2>/dev/null |
			sed -n "s/^[^']*'xkb', '\([^'+]*\).*/\1/p")
	fi
	printf '%s\n' "${layout%%,*}"
}

keyboard_layout() {
	layout=$(session_layout)
	if [ "$layout" != "$SMOKEGATE_KEYBOARD" ]; then
		echo "the session's keyboard layout is ${layout:-unknown}, the answer file set $SMOKEGATE_KEYBOARD"
		return 1
	fi
}

can_read_layout() {
	{ [ -n "${DISPLAY:-}" ] && { has setxkbmap || has xprop; }; } || has gsettings
}

# en_US.UTF-8 and en_US.utf8 are the same locale (glibc normalises the
# codeset's name the same way).
normal_locale() {
	printf '%s\n' "$1" | tr 'A-Z' 'a-z' | tr -d -- -
}

session_locale() {
	lang=${LC_ALL:-${LANG:-}}
	if [ "$(normal_locale "$lang")" != "$(normal_locale "$SMOKEGATE_LOCALE")" ]; then
		echo "the session's locale is ${lang:-unset} (LC_ALL=${LC_ALL:-} LANG=${LANG:-}), the answer file set $SMOKEGATE_LOCALE"
		return 1
	fi
	if has locale && locale 2>&1 >/dev/null | grep -q .; then
		echo "the locale $lang is not available:"
		locale 2>&1 >/dev/null
		return 1
	fi
}

answer_file_user() {
	user=$(id -un)
	if [ "$user" != "$SMOKEGATE_USER" ]; then
		echo "the session runs as $user, the answer file made $SMOKEGATE_USER"
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

tap_plan 8
tap_check "the session has a display" has_display
tap_check "the display answers" display_answers
tap_expect SMOKEGATE_SHELL_PROCESSES "the flavour's shell runs (${SMOKEGATE_SHELL_PROCESSES:-})" flavour_shell
if [ -z "${DISPLAY:-}" ]; then
	tap_skip "a window can be mapped and seen" "no X display (DISPLAY) in the session"
elif ! has xmessage || ! has xwininfo; then
	tap_skip "a window can be mapped and seen" "no xmessage or xwininfo (x11-utils) on this image"
else
	tap_check "a window can be mapped and seen" window_seen
fi
if can_read_layout; then
	tap_expect SMOKEGATE_KEYBOARD "the keyboard layout is the answer file's (${SMOKEGATE_KEYBOARD:-})" keyboard_layout
else
	tap_skip "the keyboard layout is the answer file's" "no setxkbmap, xprop or gsettings on this image"
fi
tap_expect SMOKEGATE_LOCALE "the session's locale is the answer file's (${SMOKEGATE_LOCALE:-})" session_locale
tap_expect SMOKEGATE_USER "the session's user is the answer file's (${SMOKEGATE_USER:-})" answer_file_user
tap_check "the home folder is writable" home_writable
tap_done
