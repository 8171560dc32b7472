# Shared by the vm tests: TAP output and checks on a smokegate run.
# Each test runs smokegate with its own state folder, so it can check that
# nothing (guest, QEMU process, disk, scratch file) is left afterwards.

set -u
tap_count=0
tap_failed=0

ok() {
	tap_count=$((tap_count + 1))
	echo "ok $tap_count - $1"
}

not_ok() {
	tap_count=$((tap_count + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_count - $1"
}

check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

finish() {
	echo "1..$tap_count"
	[ "$tap_failed" -eq 0 ]
}

make_workdir() {
	workdir=$(mktemp -d /tmp/smokegate-vmtest-XXXXXX)
	export SMOKEGATE_STATE_DIR="$workdir/state"
	export SMOKEGATE_NO_PROGRESS=1
	trap 'rm -rf "$workdir"' EXIT
}

json_field() {
	jq -r "$1" "$2"
}

qemu_processes_under() {
	pgrep -f -- "$1" | grep -v "^$$\$" || true
}

# Nothing of this run may remain: no QEMU, no embedded root, no scratch disk.
check_nothing_left() {
	check "no QEMU process left" test -z "$(qemu_processes_under "$SMOKEGATE_STATE_DIR")"
	check "no embedded libvirt root left" test -z "$(ls -A "$SMOKEGATE_STATE_DIR/embed" 2>/dev/null)"
	check "no scratch disk left" test -z "$(ls -A "$SMOKEGATE_STATE_DIR/scratch" 2>/dev/null)"
}

# Waits until the run writing to the evidence folder $1 has console output,
# for at most $2 seconds (default 20).
wait_for_console() {
	local log=$1/console-install.log tries=$((${2:-20} * 5))
	for _ in $(seq 1 "$tries"); do
		[ -s "$log" ] && return 0
		sleep 0.2
	done
	return 1
}

# Starts a real nginx on a random loopback port ($port, pid $server) that
# serves $workdir/www, logging to $workdir/nginx/access.log; fails when nginx
# is not installed (Debian package nginx-light).
start_nginx() {
	local nginx
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	[ -x "$nginx" ] || return 1
	port=$((20000 + RANDOM % 20000))
	mkdir -p "$workdir/www" "$workdir/nginx"
	cat > "$workdir/nginx/nginx.conf" <<CONF
daemon off; pid $workdir/nginx/nginx.pid; error_log $workdir/nginx/error.log;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events {}
http { access_log $workdir/nginx/access.log;
  client_body_temp_path $workdir/nginx; proxy_temp_path $workdir/nginx;
  fastcgi_temp_path $workdir/nginx; uwsgi_temp_path $workdir/nginx; scgi_temp_path $workdir/nginx;
  server { listen 127.0.0.1:$port; root $workdir/www; } }
CONF
	"$nginx" -c "$workdir/nginx/nginx.conf" -p "$workdir/nginx" &
	server=$!
	sleep 1
}

stop_nginx() {
	kill "$server"
	wait "$server" 2>/dev/null
}
