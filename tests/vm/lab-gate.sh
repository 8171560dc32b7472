#!/bin/bash
# The nightly batch over two lab hosts: two libvirt daemons in their own
# mount namespaces on loopback addresses (tests/vm/lab-host.sh), MaxGuests=1
# each, and a third host in the lab file that nothing answers for.
#
#   batch: four staged builds of two flavours (one good, three failing
#          test images); one gate run uses both hosts at once, every
#          verdict is right, current moves only for the good one, the host
#          that is down is left out with a lab-problem notice naming it.
#   loss:  the host running a test is taken away as a host that lost power
#          would be (its libvirtd and its QEMU end together); the build is
#          tested again on the other host and passes; a lab-problem notice
#          names the lost host; nothing is counted failed.
# After each run no guest, no volume but the ISO cache and no QEMU of this
# coordinator is left on either host.
# usage: lab-gate.sh batch|loss SMOKEGATE ADDR-A ADDR-B ADDR-DOWN GOOD PANIC INSTALLER-ERROR
. "$(dirname "$0")/lib.sh"
needs_root "lab hosts are libvirtd in mount namespaces of their own"
. "$(dirname "$0")/lab-host.sh"

mode=$1
smokegate=$(realpath "$2") addr_a=$3 addr_b=$4 addr_down=$5
good=$(realpath "$6") panic=$(realpath "$7") installer_error=$(realpath "$8")
make_workdir
host_a=smokegate-lab-a-$$ host_b=smokegate-lab-b-$$
trap 'lab_host_stop "$host_a" >/dev/null 2>&1; lab_host_stop "$host_b" >/dev/null 2>&1
	rm -rf "$workdir"' EXIT
tree="$workdir/tree"
mkdir -p "$tree"

for h in "$host_a:$addr_a" "$host_b:$addr_b"; do
	if ! lab_host_start "${h%%:*}" "${h#*:}" "$(dirname "$good")" "$workdir" > "$workdir/host.log" 2>&1; then
		sed 's/^/# host: /' "$workdir/host.log"
		not_ok "lab host started on ${h#*:}"
		finish
		exit 1
	fi
done
ok "two lab hosts started on $addr_a and $addr_b"

cat > "$workdir/lab.conf" <<CONF
[Host a]
URI=qemu+tcp://$addr_a/system
MaxGuests=1

[Host b]
URI=qemu+tcp://$addr_b/system
MaxGuests=1
CONF
if [ "$mode" = batch ]; then
	cat >> "$workdir/lab.conf" <<CONF

[Host down]
URI=qemu+tcp://$addr_down/system
MaxGuests=1
CONF
fi
# Notices for a tracker that never answers stay spooled: the test reads them.
printf '[Tree]\nTrackerURLs=http://127.0.0.1:9/notice\n' > "$tree/smokegate.conf"
today=$(date +%Y%m%d)

stage() {
	"$smokegate" stage --tree "$tree" --flavour "$1" --image-type "$2" "$3" > /dev/null
}

notices() {
	cat "$tree"/.smokegate/notices/*/*.json 2>/dev/null | jq -c 'select(.event == "lab-problem") | .note'
}

check_hosts_clean() {
	local h uri guests volumes
	for h in "$addr_a" "$addr_b"; do
		uri="qemu+tcp://$h/system"
		virsh -c "$uri" uri > /dev/null 2>&1 || continue
		guests=$(virsh -c "$uri" list --all --name | grep -c . || true)
		check "no guest left on $h (found $guests)" test "$guests" -eq 0
		volumes=$(virsh -c "$uri" vol-list smokegate 2>/dev/null | awk 'NR > 2 && $1 != "" { print $1 }')
		check "no volume left on $h but cached ISOs and their markers" \
			sh -c "! echo '$volumes' | grep -Ev '^[0-9a-f]{64}\\.(iso|ok)$' | grep -q ."
	done
	left=$(pgrep -af qemu-system | grep -F "$SMOKEGATE_STATE_DIR" | cut -c1-300)
	check "no QEMU of this coordinator left on this machine" test -z "$left"
}

if [ "$mode" = batch ]; then
	# One good build is enough to see current move; the failing ones are quick.
	stage alpha daily-live "$good"
	stage alpha daily-minimal "$panic"
	stage beta daily-live "$installer_error"
	stage beta daily-minimal "$panic"
	started=$(date +%s)
	"$smokegate" gate --tree "$tree" --lab "$workdir/lab.conf" --json \
		> "$workdir/events" 2> "$workdir/err"
	status=$?
	echo "# gate took $(($(date +%s) - started)) s"
	sed 's/^/# stderr: /' "$workdir/err" | head -40
	jq -c 'select(.event != "phase")' "$workdir/events" | sed 's/^/# event: /'
	summary=$(jq -c 'select(.event == "summary")' "$workdir/events")
	check "gate exits 1: builds failed (got $status)" test "$status" -eq 1
	check "one passed, three failed, none unjudged ($summary)" \
		test "$(jq -r '"\(.passed) \(.failed) \(.not_judged)"' <<<"$summary")" = "1 3 0"
	check "the good build is current" test "$(readlink "$tree/alpha/daily-live/current")" = "$today"
	for t in alpha/daily-minimal beta/daily-live beta/daily-minimal; do
		check "$t is failed and not current" \
			test "$(jq -r .state "$tree/$t/$today/smokegate.json")" = failed -a ! -e "$tree/$t/current"
	done
	hosts=$(jq -r .host "$tree"/*/*/"$today"/smokegate.json | sort -u | tr '\n' ' ')
	check "verdicts came from both hosts ($hosts)" test "$hosts" = "a b "
	# Overlap: the most tests running at once, from the started/finished events.
	most=$(jq -r 'select(.event == "started" or .event == "finished") | .event' "$workdir/events" |
		awk '/started/ { n++ } /finished/ { n-- } { if (n > m) m = n } END { print m + 0 }')
	check "both hosts ran a test at the same time (at most $most at once)" test "$most" -eq 2
	check "no test ran on the host that is down" test -z "$(jq -c 'select(.event == "started" and .host == "down")' "$workdir/events")"
	check "a lab-problem notice names the host that is down" grep -q 'lab host down ' <<<"$(notices)"
	check "lab.json says the host that is down is out" \
		test "$(jq -r '.hosts[] | select(.name == "down") | .state' "$tree/.smokegate/lab.json")" = out
	check "status.json shows the host of each verdict" \
		test "$(jq -r '[.flavours[].builds[0].host] | map(select(. != null)) | length' "$tree/status.json")" -ge 1
	arches=$(jq -r .arch "$tree"/*/*/"$today"/smokegate.json | sort -u | tr '\n' ' ')
	check "each record says the guests ran amd64 ($arches)" test "$arches" = "amd64 "
	check "the status page says so beside the host" grep -Eq 'amd64 on (a|b)</span>' "$tree/index.html"
else
	stage alpha daily-live "$good"
	"$smokegate" gate --tree "$tree" --lab "$workdir/lab.conf" --json \
		> "$workdir/events" 2> "$workdir/err" &
	gate=$!
	# Wait for the install to be under way on whichever host took it.
	victim=
	for _ in $(seq 1 600); do
		victim=$(jq -r 'select(.event == "phase" and .detail == "install") | .host' "$workdir/events" 2>/dev/null | head -1)
		[ -n "$victim" ] && break
		sleep 0.2
	done
	sleep 5
	if [ "$victim" = a ]; then lost=$host_a; else lost=$host_b; fi
	echo "# taking host '$victim' away at $(date -u +%T.%N)"
	lost_at=$(date +%s.%N)
	lab_host_stop "$lost" > /dev/null 2>&1
	wait "$gate"
	status=$?
	sed 's/^/# stderr: /' "$workdir/err" | head -40
	jq -c 'select(.event != "phase")' "$workdir/events" | sed 's/^/# event: /'
	other=$([ "$victim" = a ] && echo b || echo a)
	check "a test was running on a host to take away ($victim)" test -n "$victim"
	check "gate exits 0: the build passed on the other host (got $status)" test "$status" -eq 0
	summary=$(jq -c 'select(.event == "summary")' "$workdir/events")
	check "one passed, no fail, one retry, one host out ($summary)" \
		test "$(jq -r '"\(.passed) \(.failed) \(.not_judged) \(.retries) \(.hosts_out)"' <<<"$summary")" = "1 0 0 1 1"
	check "the build is current" test "$(readlink "$tree/alpha/daily-live/current")" = "$today"
	record="$tree/alpha/daily-live/$today/smokegate.json"
	check "its record says passed on host $other" test "$(jq -r '"\(.state) \(.host)"' "$record")" = "passed $other"
	check "its record keeps the retry and counts no error" \
		test "$(jq -r '"\(.errors) \([.events[].what] | join(","))"' "$record")" = "0 staged,retry,passed"
	check "a host-out event names the lost host" grep -q . <<<"$(jq -c --arg h "$victim" 'select(.event == "host-out" and .host == $h)' "$workdir/events")"
	check "a lab-problem notice names the lost host" grep -q "lab host $victim " <<<"$(notices)"
	restart=$(jq -r --arg h "$other" 'select(.event == "started" and .host == $h) | .time' "$workdir/events" | head -1)
	if [ -n "$restart" ]; then
		echo "# the build ran again on $other $(echo "$(date -d "$restart" +%s.%N) - $lost_at" | bc) s after the host was lost"
	fi
fi
check_hosts_clean
finish
