#!/bin/sh
# unity: started by the session's XDG autostart, as the session's user.
. "$(dirname "$0")/../lib/tap.sh"

WAIT=${SMOKEGATE_SUITE_WAIT:-60}

runs() {
	tap_wait "$WAIT" tap_process_running "$1" >/dev/null || {
		echo "$1 does not run as $(id -un) after $WAIT s"
		return 1
	}
}

# The launcher's favourites: an empty list means a launcher with nothing
# on it, which the desktop team's tests caught more than once.
launcher_favourites() {
	favourites=$(gsettings get com.canonical.Unity.Launcher favorites 2>&1) || {
		echo "gsettings: $favourites"
		return 1
	}
	case $favourites in
	"@as []" | "[]" | "")
		echo "the launcher has no favourites: $favourites"
		return 1
		;;
	esac
}

tap_plan 3
tap_check "unity-panel-service runs" runs unity-panel-service
tap_check "compiz runs" runs compiz
if command -v gsettings >/dev/null 2>&1; then
	tap_check "the launcher has favourites" launcher_favourites
else
	tap_skip "the launcher has favourites" "no gsettings on this image"
fi
tap_done
