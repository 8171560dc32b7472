# Shared by the vm tests: TAP output and checks on a smokegate run.
# Each test runs smokegate with its own state folder, so it can check that
# nothing (guest, QEMU process, disk, scratch file) is left afterwards.

set -u
tap_count=0
tap_failed=0

# The fixture images this test boots or reads, built before it starts.
# They are not the test's meson `depends`: before meson 1.7, ninja's default
# target (`meson compile`, `meson install`) builds every test's depends,
# and the real-component fixtures take debootstrap, root and minutes. So
# the test names the meson targets it needs in $SMOKEGATE_FIXTURES and its
# build folder in $SMOKEGATE_BUILD_ROOT (tests/meson.build sets both), and
# builds them here, one build at a time (tests run in parallel; two ninja
# in one build folder would race). The fixture tests (tests/fixtures.sh)
# build them first, so here it is mostly a check that they are up to date. $SMOKEGATE_FIXTURES_BUILD_ROOT, when set
# by the caller, builds them in another build folder instead (CI's
# sanitizer build uses the main build's images).
build_fixtures() {
	local root=${SMOKEGATE_FIXTURES_BUILD_ROOT:-${SMOKEGATE_BUILD_ROOT:-}}
	[ -n "${SMOKEGATE_FIXTURES:-}" ] || return 0
	[ -n "$root" ] || { echo "Bail out! SMOKEGATE_FIXTURES without SMOKEGATE_BUILD_ROOT"; exit 1; }
	# shellcheck disable=SC2086 # a list of target names
	flock "$root/.fixtures.lock" meson compile -C "$root" $SMOKEGATE_FIXTURES >&2 ||
		{ echo "Bail out! cannot build the fixtures: $SMOKEGATE_FIXTURES"; exit 1; }
}
if [ -z "${sg_fixtures_built:-}" ]; then
	sg_fixtures_built=1
	build_fixtures
fi

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

# needs_root WHY: the whole test is skipped (TAP) unless it runs as root;
# WHY says what needs root.
needs_root() {
	[ "$(id -u)" -eq 0 ] && return 0
	echo "1..0 # SKIP needs root: $1"
	exit 0
}

make_workdir() {
	workdir=$(mktemp -d /tmp/smokegate-vmtest-XXXXXX)
	export SMOKEGATE_STATE_DIR="$workdir/state"
	export SMOKEGATE_NO_PROGRESS=1
	trap 'rm -rf "$workdir"' EXIT
}

# For a test of the tree without guests: $smokegate and $iso from its
# arguments, a work folder as the current folder, an empty $tree in it and
# $types, the folder of smoketest/daily-live.
start_tree_test() {
	smokegate=$(realpath "$1") iso=$(realpath "$2")
	make_workdir
	cd "$workdir" || exit 1
	tree="$workdir/tree"
	mkdir -p "$tree"
	types="$tree/smoketest/daily-live"
}

# Runs $smokegate "$@" for at most 20 s (a hang fails: status 124), its
# output in ./out and ./err, its status in $status; shows err's first lines.
run_bounded() {
	timeout 20 "$smokegate" "$@" > out 2> err
	status=$?
	sed 's/^/# stderr: /' err | head -3
}

# How many builds of FLAVOUR/TYPE the tree $tree holds.
count_builds() {
	ls "$tree/$1" 2>/dev/null | grep -c '^[0-9]'
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
	local nginx tries
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	[ -x "$nginx" ] || return 1
	mkdir -p "$workdir/www" "$workdir/nginx"
	# A random port may be taken, and a loaded machine may take more than a
	# moment to start nginx: it is up once the port answers, else another
	# port is tried.
	for tries in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 20000))
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
		for _ in $(seq 1 100); do
			kill -0 "$server" 2>/dev/null || break
			if (exec 3<> "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
				return 0
			fi
			sleep 0.1
		done
		kill "$server" 2>/dev/null
		wait "$server" 2>/dev/null
	done
	echo "# nginx did not start (its log: $(tail -n 1 "$workdir/nginx/error.log" 2>/dev/null))" >&2
	return 1
}

stop_nginx() {
	kill "$server"
	wait "$server" 2>/dev/null
}

# Waits until the gate writing its --json events to $1 reports phase $2 of
# a test, for at most $3 seconds (default 120).
wait_for_gate_phase() {
	local tries=$((${3:-120} * 5))
	for _ in $(seq 1 "$tries"); do
		jq -e --arg p "$2" 'select(.event == "phase" and .detail == $p)' "$1" \
			> /dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

# Shows a gate run in the TAP log: its stderr $1 and its --json events $2
# but the phases.
show_gate() {
	sed 's/^/# stderr: /' "$1" | head -20
	jq -c 'select(.event != "phase")' "$2" | sed 's/^/# event: /'
}

# with_journal LOG CMD...: becomes (exec) CMD in a mount namespace of its
# own whose journal native socket, where libsystemd sends
# (/run/systemd/journal/socket, on a tmpfs), is read by a listener: one
# datagram a line of LOG, fields split by "|". The listener's pid is in
# LOG.pid. Call it in the background (then $! is CMD's pid) or in a
# subshell. Needs root (a mount namespace).
with_journal() {
	local log=$1
	shift
	exec unshare -m -- bash -c '
		mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd || exit 1
		mkdir /run/systemd/journal
		python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/run/systemd/journal/socket\")
with open(sys.argv[1], \"a\") as log:
    while True:
        log.write(s.recv(65536).decode().rstrip(\"\\n\").replace(\"\\n\", \"|\") + \"\\n\")
        log.flush()
" "$1" &
		echo $! > "$1.pid"
		for _ in $(seq 1 50); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
		shift
		exec "$@"' journal "$log" "$@"
}

# A tracker on loopback port $1 ($tracker is its pid) that answers 503 to
# its first $3 POSTs, then 200. Each POST is a line of the log $2: the
# time, the status given, the notice's event, its FLAVOUR/TYPE/BUILD and
# the body's SHA-256; its Authorization header (or -) is a line of $2.auth.
# Returns once it listens.
start_tracker() {
	python3 -c '
import hashlib, http.server, json, sys, time
count = 0
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers["Content-Length"]))
        count += 1
        status = 503 if count <= int(sys.argv[3]) else 200
        notice = json.loads(body)
        with open(sys.argv[2], "a") as log:
            log.write("%.3f %d %s %s/%s/%s %s\n" % (
                time.time(), status, notice["event"], notice.get("flavour") or "-",
                notice.get("image_type") or "-", notice.get("build") or "-",
                hashlib.sha256(body).hexdigest()))
        with open(sys.argv[2] + ".auth", "a") as log:
            log.write("%s\n" % (self.headers["Authorization"] or "-"))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
' "$1" "$2" "$3" &
	tracker=$!
	touch "$2"
	for _ in $(seq 1 50); do
		curl -s -o /dev/null "http://127.0.0.1:$1/" && return 0
		sleep 0.1
	done
	return 1
}
