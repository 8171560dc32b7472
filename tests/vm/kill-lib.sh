# Shared by tests/vm/kill-gate.sh and bench/kill-trials.sh: `smokegate gate`
# killed with SIGKILL, at a chosen function (gdb) or when a file appears,
# and the checks on the tree after the kill and after the next gate.
# Needs lib.sh sourced first, $smokegate, $workdir and $tree set.

# A gdb script (Python) that stops the gate at each breakpoint of
# $KILL_AT in turn ("LOCATION[ if CONDITION]" separated by "|"; each one
# is set once the one before it was hit) and sends SIGKILL at the last.
# It writes the pid and the stack of the kill into $KILL_REPORT. A gate
# that ends before the last breakpoint is left to end.
write_gdb_killer() {
	cat > "$workdir/killer.py" <<'PY'
import os, signal, gdb

points = os.environ["KILL_AT"].split("|")
report = os.environ["KILL_REPORT"]
hit = [None]

def on_stop(event):
    if isinstance(event, gdb.BreakpointEvent):
        hit[0] = event.breakpoints[0]

gdb.events.stop.connect(on_stop)

def arm(spec):
    location, _, condition = spec.partition(" if ")
    bp = gdb.Breakpoint(location.strip(), internal=False)
    if condition:
        bp.condition = condition
    return bp

bp = arm(points[0])
step = 0
gdb.execute("run", to_string=True)
while True:
    pid = gdb.selected_inferior().pid
    if pid == 0:
        break  # the gate ended by itself
    if hit[0] is None or hit[0] != bp:
        gdb.execute("continue", to_string=True)  # a signal, not ours
        continue
    hit[0] = None
    bp.delete()
    step += 1
    if step < len(points):
        bp = arm(points[step])
        gdb.execute("continue", to_string=True)
        continue
    stack = gdb.execute("bt 6", to_string=True)
    with open(report, "w") as f:
        f.write("%d\n%s" % (pid, stack))
    os.kill(pid, signal.SIGKILL)
    break
PY
}

# Runs `smokegate gate --tree $tree ARGS...` under gdb and kills it with
# SIGKILL at $1 (see write_gdb_killer). Returns 0 when the kill happened.
gate_killed_at() {
	local spec=$1
	shift
	[ -f "$workdir/killer.py" ] || write_gdb_killer
	rm -f "$workdir/kill-report"
	KILL_AT=$spec KILL_REPORT="$workdir/kill-report" \
		gdb -q -nx -batch -ex 'set debuginfod enabled off' -ex 'set pagination off' \
		-ex 'set confirm off' -ex 'set breakpoint pending on' \
		-ex 'handle SIGPIPE SIGUSR1 SIGUSR2 SIGALRM SIGCHLD SIGHUP nostop noprint pass' \
		-x "$workdir/killer.py" --args "$smokegate" gate --tree "$tree" "$@" \
		> "$workdir/gdb.out" 2>&1
	if [ -s "$workdir/kill-report" ]; then
		sed -n '2,3p' "$workdir/kill-report" | sed 's/^/#   killed in: /'
		return 0
	fi
	sed 's/^/#   gdb: /' "$workdir/gdb.out" | tail -n 15
	return 1
}

# Runs the gate (ARGS after --) and kills it with SIGKILL once the command
# before -- succeeds (polled every 0.2 s), at most $1 seconds. Returns 0 when
# the kill happened while the gate still ran.
gate_killed_when() {
	local limit=$1
	shift
	local cond=()
	while [ "$1" != -- ]; do cond+=("$1"); shift; done
	shift
	"$smokegate" gate --tree "$tree" "$@" > "$workdir/gate.out" 2> "$workdir/gate.err" &
	local gate=$! killed=1
	for _ in $(seq 1 $((limit * 5))); do
		kill -0 "$gate" 2> /dev/null || break
		if "${cond[@]}"; then
			kill -9 "$gate" && killed=0
			break
		fi
		sleep 0.2
	done
	kill -0 "$gate" 2> /dev/null && kill -9 "$gate"
	wait "$gate" 2> /dev/null
	return $killed
}

# Every build folder of the tree.
build_dirs() {
	find "$tree" -mindepth 3 -maxdepth 3 -type d ! -path "$tree/.smokegate/*" | sort
}

# What a kill may leave must still be whole: `current` absent or at a passed
# (or marked) build whose SHA256SUMS verify; every record, status file, lab
# state and spooled notice parses; no lock held. Prints "ok"/"not ok" lines
# with $1 in the description.
check_tree_whole() {
	local when=$1 bad="" link dir state
	for link in "$tree"/*/*/current; do
		[ -L "$link" ] || continue
		dir=$(readlink -f "$link")
		state=$(jq -r .state "$dir/smokegate.json" 2> /dev/null)
		case "$state" in passed | marked-current) ;; *) bad="$bad $link($state)" ;; esac
		(cd "$dir" && sha256sum --quiet -c SHA256SUMS > /dev/null 2>&1) || bad="$bad $link(sums)"
	done
	check "$when: current is absent or a passed build whose SHA256SUMS verify${bad:+ (not:$bad)}" test -z "$bad"
	bad=""
	for dir in $(build_dirs); do
		[ -e "$dir/smokegate.json" ] || continue
		jq -e .state "$dir/smokegate.json" > /dev/null 2>&1 || bad="$bad $dir/smokegate.json"
	done
	for f in "$tree/status.json" "$tree/.smokegate/lab.json" "$tree"/.smokegate/notices/*.json; do
		[ -e "$f" ] || continue
		jq -e . "$f" > /dev/null 2>&1 || bad="$bad $f"
	done
	if [ -e "$tree/index.html" ] && ! tail -c 64 "$tree/index.html" | grep -q '</html>'; then
		bad="$bad $tree/index.html"
	fi
	check "$when: every record, status file and notice parses${bad:+ (not:$bad)}" test -z "$bad"
	check "$when: the gate lock is free" flock -n "$tree/.smokegate/gate.lock" true
	check "$when: the tree lock is free" flock -n "$tree/.smokegate/tree.lock" true
	# Temporary files a kill left (g_file_set_contents' NAME.XXXXXX, a
	# link's .LINK.PID.tmp): never renamed over their target, so said, not
	# failed.
	local strays
	strays=$(find "$tree" -regextype posix-extended \
		-regex '.*\.(json|html)\.[A-Za-z0-9]{6}|.*/\.[a-z]+\.[0-9]+\.tmp' | sed "s#^$tree/##")
	[ -z "$strays" ] || echo "# $when: temporary files left: $(echo $strays)"
}

# The state of build $1 (FLAVOUR/TYPE/ID).
state_of_build() {
	jq -r .state "$tree/$1/smokegate.json" 2> /dev/null
}

# The phase a gate killed now was in, told from the evidence of build $1.
phase_from_evidence() {
	local smoke=$tree/$1/smoke
	case "$(state_of_build "$1")" in
	untested) ;;
	*) echo publish; return ;;
	esac
	if [ ! -d "$smoke" ]; then echo start
	elif [ -s "$smoke/result.json" ]; then echo publish
	elif [ -e "$smoke/screenshot.png" ] || [ -e "$smoke/inspection.json" ]; then echo inspect
	elif [ -s "$smoke/console-boot.log" ]; then echo boot
	elif [ -s "$smoke/console-install.log" ]; then echo install
	else echo prepare
	fi
}

# After the gate that finished the work, on a tree of a good build $alpha
# and a failing one $beta (FLAVOUR/TYPE/ID, built $today): both judged,
# the good one current, the failing flavour without, the page says so.
check_work_finished() {
	check_tree_whole "after the next gate"
	check "the good build passed" test "$(state_of_build "$alpha")" = passed
	check "the failing build failed" test "$(state_of_build "$beta")" = failed
	check "the good build is current" test "$(readlink "$tree/${alpha%/*}/current")" = "$today"
	check "the failing flavour has no current" test ! -e "$tree/${beta%/*}/current"
	check "status.json shows both verdicts" test "$(jq -r '[.flavours[] | .flavour + ":" + .builds[0].state] | join(" ")' "$tree/status.json" 2> /dev/null)" = "alpha:passed beta:failed"
}
