# The netinst installer's network, sourced by /init when /etc/media says
# netinst: like Debian's netinst, the install needs a package mirror. The
# harness gives the guest one virtio NIC on QEMU user networking with
# restrict=on, DHCP from QEMU's own server and a guestfwd from 10.0.2.100:80
# to the mirror; nothing else must be reachable.
#
# Debian's busybox-static wget has no -T (it is built without
# FEATURE_WGET_TIMEOUT, and "wget -T N" even segfaults): the timeouts are
# busybox timeout around wget.

NET_IFACE=eth0

# netcfg_dhcp - virtio_net, then a DHCP lease on eth0 (udhcpc runs
# /etc/udhcpc/default.script, shipped in this initrd, to set it up).
netcfg_dhcp() {
	local i=0
	run hw-detect modprobe virtio_net
	while [ ! -e /sys/class/net/$NET_IFACE ]; do
		i=$((i + 1))
		[ "$i" -gt 50 ] && fail netcfg 'Configure the network' \
			'No network interfaces were detected. That means that the installer was unable to find a network device.'
		usleep 100000
	done
	run netcfg ip link set dev lo up
	if ! run netcfg udhcpc -i $NET_IFACE -n -q -t 5; then
		fail netcfg 'Configure the network' \
			"Network autoconfiguration failed

Your network is probably not using the DHCP protocol. Alternatively, the DHCP server may be slow or some network hardware is not working properly."
	fi
	log netcfg "$NET_IFACE: $(ip -4 -o addr show dev $NET_IFACE | awk '{print $4}'), routes: $(ip -4 route show | tr '\n' ';')"
}

# netcfg_mirror - the mirror from the preseed (or the question), and its
# Release file, as choose-mirror checks it.
netcfg_mirror() {
	local host dir url
	host=$(ask mirror/http/hostname 'Choose a mirror of the Debian archive' \
		'Debian archive mirror hostname:')
	dir=$(ask mirror/http/directory 'Choose a mirror of the Debian archive' \
		'Debian archive mirror directory:')
	# "/debian", "debian/" and "/debian/" are the same directory.
	dir=$(printf '%s' "$dir" | sed 's:^/*::; s:/*$::')
	url="http://$host/${dir:+$dir/}dists/stable/Release"
	progress "Retrieving Release file from $url..."
	rm -f /tmp/Release
	if ! run choose-mirror timeout 10 wget -q -O /tmp/Release "$url" || [ ! -s /tmp/Release ]; then
		fail choose-mirror 'Choose a mirror of the Debian archive' \
			'The specified Debian archive mirror is either not available, or does not have a valid Release file on it.'
	fi
	log choose-mirror "Release file from $url: $(head -n 1 /tmp/Release)"
}

# netcfg_isolation - the lab host must not be reachable from the guest.
# Reached means wget got the page, or got any HTTP answer at all (an error
# status still proves a connection).
netcfg_isolation() {
	local probe out rc=0
	probe=$(preseed_get smokegate/lab-host-probe) || return 0
	[ -n "$probe" ] || return 0
	record smokegate/lab-host-probe "$probe"
	log netcfg "isolation check: probing http://$probe/"
	out=$(timeout 5 wget -q -O /dev/null "http://$probe/" 2>&1) || rc=$?
	[ -z "$out" ] || log netcfg "wget: $out"
	case "$rc:$out" in
	0:* | *"server returned error"*)
		fail netcfg 'Configure the network' \
			"The installer reached the lab host at $probe: the guest network is not isolated."
		;;
	esac
	progress "Network isolation: $probe is unreachable, as it should be."
}
