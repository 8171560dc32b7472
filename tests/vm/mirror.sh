#!/bin/bash
# A flavour that installs from a package mirror: its guest reaches the
# mirror (a real nginx on loopback) and nothing else on the lab host; with
# the mirror down the install fails with the installer's own error.
# usage: mirror.sh SMOKEGATE NETINST-ISO ANSWERS PROFILE
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2") answers=$(realpath "$3") profile=$(realpath "$4")
make_workdir
if ! start_nginx; then
	not_ok "nginx is not installed (Debian package nginx-light): the mirror was not tested"
	finish
	exit
fi
mkdir -p "$workdir/www/debian/dists/stable" "$workdir/flavours"
printf 'Origin: Debian\nSuite: stable\n' > "$workdir/www/debian/dists/stable/Release"
sed "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" "$profile" > "$workdir/flavours/smoketest-netinst.conf"
# The lab host's own port the guest must not reach: the mirror's, asked directly.
sed "s#PORT#$port#g" "$answers" > "$workdir/answers.seed"

# Tests the image with the mirror $1 (up or down); evidence in $workdir/$1.
test_image() {
	"$smokegate" test "$iso" --flavours-dir "$workdir/flavours" --answers "$workdir/answers.seed" \
		--evidence "$workdir/$1" > "$workdir/out" 2>&1
	status=$?
	echo "# with the mirror $1: $(cat "$workdir/out")"
}

test_image up
check "with the mirror up the image passes (got $status)" test $status -eq 0
check "the installer fetched the Release file through the forward" grep -q "GET /debian/dists/stable/Release" "$workdir/nginx/access.log"
check "the guest could not reach the lab host directly" grep -q "Network isolation: 10.0.2.2:$port is unreachable" "$workdir/up/console-install.log"
stop_nginx

test_image down
check "with the mirror down the image fails (got $status)" test $status -eq 1
check "the reason is the installer's mirror error" grep -q "installer error: \[!!\] Choose a mirror" "$workdir/out"
check "no forwarding process left" test -z "$(pgrep -f "TCP:127.0.0.1:$port" || true)"
check_nothing_left
finish
