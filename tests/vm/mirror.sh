#!/bin/bash
# A flavour that installs from a package mirror: its guest reaches the
# mirror (a real nginx on loopback) and nothing else on the lab host; with
# the mirror down the install fails with the installer's own error.
# usage: mirror.sh SMOKEGATE NETINST-ISO ANSWERS PROFILE
. "$(dirname "$0")/lib.sh"

smokegate=$(realpath "$1") iso=$(realpath "$2") answers=$(realpath "$3") profile=$(realpath "$4")
make_workdir
nginx=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$nginx" ]; then
	not_ok "nginx is not installed (Debian package nginx-light): the mirror was not tested"
	finish
	exit
fi
port=$((20000 + RANDOM % 20000))
mkdir -p "$workdir/www/debian/dists/stable" "$workdir/nginx" "$workdir/flavours"
printf 'Origin: Debian\nSuite: stable\n' > "$workdir/www/debian/dists/stable/Release"
cat > "$workdir/nginx/nginx.conf" <<CONF
daemon off; pid $workdir/nginx/nginx.pid; error_log $workdir/nginx/error.log;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events {}
http { access_log $workdir/nginx/access.log;
  client_body_temp_path $workdir/nginx; proxy_temp_path $workdir/nginx;
  fastcgi_temp_path $workdir/nginx; uwsgi_temp_path $workdir/nginx; scgi_temp_path $workdir/nginx;
  server { listen 127.0.0.1:$port; root $workdir/www; } }
CONF
sed "s#^Mirror=.*#Mirror=http://127.0.0.1:$port#" "$profile" > "$workdir/flavours/smoketest-netinst.conf"
# The lab host's own port the guest must not reach: the mirror's, asked directly.
sed "s#PORT#$port#g" "$answers" > "$workdir/answers.seed"
"$nginx" -c "$workdir/nginx/nginx.conf" -p "$workdir/nginx" &
server=$!
sleep 1

"$smokegate" test "$iso" --flavours-dir "$workdir/flavours" --answers "$workdir/answers.seed" \
	--evidence "$workdir/up" > "$workdir/out" 2>&1
status=$?
echo "# with the mirror: $(cat "$workdir/out")"
check "with the mirror up the image passes (got $status)" test $status -eq 0
check "the installer fetched the Release file through the forward" grep -q "GET /debian/dists/stable/Release" "$workdir/nginx/access.log"
check "the guest could not reach the lab host directly" grep -q "Network isolation: 10.0.2.2:$port is unreachable" "$workdir/up/console-install.log"
kill "$server"
wait "$server" 2>/dev/null

"$smokegate" test "$iso" --flavours-dir "$workdir/flavours" --answers "$workdir/answers.seed" \
	--evidence "$workdir/down" > "$workdir/out" 2>&1
status=$?
echo "# with the mirror down: $(cat "$workdir/out")"
check "with the mirror down the image fails (got $status)" test $status -eq 1
check "the reason is the installer's mirror error" grep -q "installer error: \[!!\] Choose a mirror" "$workdir/out"
check "no forwarding process left" test -z "$(pgrep -f "TCP:127.0.0.1:$port" || true)"
check_nothing_left
finish
