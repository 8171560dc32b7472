# Where debian-installer's answers come from, sourced by /init for the
# debian-installer family: the preseed udebs of the Debian 12 installer
# (source package preseed 1.117, as in debian-installer-12-netboot-amd64's
# initrd; salsa installer-team/preseed, mirrored as
# github.com/mchubby-3rdparty/d-i-preseed), in their order:
#   debian-installer-startup.d/S30initrd-preseed  /preseed.cfg in the initrd
#   debian-installer-startup.d/S32env-preseed     key=value on the kernel
#                                                  command line (env2debconf)
#   file-preseed.postinst                         file= (preseed/file), once
#                                                  the CD-ROM is mounted
#   network-preseed.postinst                      url= (preseed/url), once
#                                                  netcfg has configured the
#                                                  network (main-menu runs
#                                                  netcfg at 1800, it at 2100)
# Each source overrides what came before it. A file that cannot be fetched
# shows the real preseed/retrieve_error template and the installer waits.

PRESEED_LOG=/var/lib/preseed/log
# file-preseed's title; initrd-preseed runs before any step has one.
LOAD_TITLE='Load debconf preconfiguration file'

# preseed_startup - what d-i's startup scripts load before the main menu.
preseed_startup() {
	if [ -e /preseed.cfg ]; then
		preseed_location "$LOAD_TITLE" file:///preseed.cfg
	fi
	preseed_cmdline
}

# preseed_cmdline - env2debconf: the kernel hands each key=value it does
# not know itself to init's environment; a key with a slash is a debconf
# question, a bare key counts only if /etc/preseed_aliases (copied from the
# same initrd) names its question ("url" is preseed/url, "hostname"
# netcfg/get_hostname, "auto" auto-install/enable). "key?=value" preseeds
# without marking the question seen; quotes around the value are dropped.
# Keys with a dot are module parameters, which the kernel keeps.
preseed_cmdline() {
	local word var val owner
	mkdir -p "${PRESEED_LOG%/*}"
	for word in $(cat /proc/cmdline); do
		case $word in
		*=*) ;;
		*) continue ;;
		esac
		var=${word%%=*}
		val=${word#*=}
		case $var in
		*.*) continue ;;
		esac
		var=${var%\?}
		[ -n "$val" ] || continue
		case $var in
		*/*) ;;
		*)
			var=$(awk -v k="$var" '$1 == k { print $2; exit }' /etc/preseed_aliases)
			[ -n "$var" ] || continue
			;;
		esac
		owner=d-i
		case $var in
		*:*)
			owner=${var%%:*}
			var=${var#*:}
			;;
		esac
		val=${val#\'}
		val=${val%\'}
		val=${val#\"}
		val=${val%\"}
		preseed_set "$owner" "$var" "$val"
		echo "$owner $var string $val" >>"$PRESEED_LOG"
	done
}

# preseed_file - file-preseed: file=/cdrom/preseed/X.seed, a path made a
# file:// URL.
preseed_file() {
	local location loc
	location=$(preseed_get preseed/file) || return 0
	for loc in $location; do
		case $loc in
		/*) loc=file://$loc ;;
		esac
		preseed_location "$LOAD_TITLE" "$loc"
	done
}

# preseed_url - network-preseed: preseed/url completed the way
# auto-install.sh does (no scheme: http; no path:
# auto-install/defaultroot; a host name without a dot: the domain netcfg
# got), then fetched. Status 1 when no URL was given.
preseed_url() {
	local url proto base host_port dir domain host port
	url=$(preseed_get preseed/url) && [ -n "$url" ] || return 1
	case $url in
	*://*)
		proto=${url%%://*}
		base=${url#*://}
		;;
	*)
		proto=http
		base=$url
		;;
	esac
	case $base in
	*/*)
		host_port=${base%%/*}
		dir=${base#*/}
		;;
	*)
		host_port=$base
		dir=$(preseed_get auto-install/defaultroot) || dir=d-i/bookworm/./preseed.cfg
		;;
	esac
	case $host_port in
	*\[*\]* | *.*) ;;
	*)
		domain=$(preseed_get netcfg/get_domain) || domain=
		if [ -n "$domain" ] && [ "$domain" != unassigned-domain ]; then
			host=${host_port%%:*}
			port=
			[ "$host" = "$host_port" ] || port=:${host_port#*:}
			host_port=$host.$domain$port
		fi
		;;
	esac
	preseed_location 'Download debconf preconfiguration file' "$proto://$host_port/$dir"
}

# preseed_location TITLE URL - preseed.sh's preseed_location: fetch, load,
# log; a fetch that fails is the retrieve_error template (preseed-common),
# under TITLE, the one main-menu gives the step that runs it (the udeb's
# debian-installer/<udeb>/title).
preseed_location() {
	local title=$1 location=$2 tmp=/tmp/debconf-seed
	rm -f "$tmp"
	if ! preseed_fetch "$location" "$tmp"; then
		log preseed "error fetching \"$location\""
		text_error "$title" 'Failed to retrieve the preconfiguration file' \
			"The file needed for preconfiguration could not be retrieved from $location. The installation will proceed in non-automated mode."
	fi
	preseed_load "$tmp"
	rm -f "$tmp"
	log preseed "successfully loaded preseed file from $location"
}

# preseed_fetch URL FILE - fetch-url (di-utils): file:// is a copy, http://
# busybox wget -q with d-i's user agent, its complaints in syslog. No
# timeout: d-i's busybox wget has none either.
preseed_fetch() {
	case $1 in
	file://*) run preseed cp "${1#file://}" "$2" ;;
	http://*) run preseed wget -q -U debian-installer -O "$2" "$1" ;;
	*)
		log preseed "no fetch method for $1"
		return 1
		;;
	esac
}
