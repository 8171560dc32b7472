# cloud-init's NoCloud data source, as much of it as subiquity needs,
# sourced by frontend-subiquity.sh: the seed is an ISO 9660 volume labelled
# CIDATA holding user-data (#cloud-config with an autoinstall: key) and
# meta-data, copied to where cloud-init keeps it.

NOCLOUD_SEED=/var/lib/cloud/seed/nocloud

# nocloud_fetch - find and copy the CIDATA volume; status 1 without one.
# The installer's own CD-ROM was found already, so a second drive, if any,
# has been probed too: a short wait is enough.
nocloud_fetch() {
	local dev
	dev=$(find_cdrom CIDATA 3) || return 1
	mkdir -p /run/cidata "$NOCLOUD_SEED"
	run cloud-init mount -t iso9660 -o ro "$dev" /run/cidata || return 1
	cp /run/cidata/user-data /run/cidata/meta-data "$NOCLOUD_SEED/" 2>/dev/null
	umount /run/cidata
	log cloud-init "NoCloud seed from $dev (CIDATA)"
	[ -r "$NOCLOUD_SEED/user-data" ]
}

# yaml_flatten FILE - "path/to/key=value" for each scalar of a block-style
# YAML mapping (no lists, no flow style, no multi-line strings: enough for
# an autoinstall identity), quotes removed.
yaml_flatten() {
	awk '
		/^[ \t]*(#|$)/ { next }
		/^[ \t]*-/ { next }
		match($0, /^ */) {
			indent = RLENGTH
			line = substr($0, indent + 1)
			colon = index(line, ":")
			if (colon == 0) next
			key = substr(line, 1, colon - 1)
			value = substr(line, colon + 1)
			sub(/^[ \t]+/, "", value); sub(/[ \t\r]+$/, "", value)
			if (value ~ /^".*"$/ || value ~ /^\047.*\047$/) value = substr(value, 2, length(value) - 2)
			while (depth > 0 && indents[depth] >= indent) depth--
			depth++; indents[depth] = indent; keys[depth] = key
			path = keys[1]
			for (i = 2; i <= depth; i++) path = path "/" keys[i]
			if (value != "") print path "=" value
			else print path "/"
		}
	' "$1"
}

# autoinstall_get KEY - a value under autoinstall:, e.g. identity/hostname;
# status 1 when it is not there.
autoinstall_get() {
	yaml_flatten "$NOCLOUD_SEED/user-data" | awk -v k="autoinstall/$1" '
		index($0, k "=") == 1 { print substr($0, length(k) + 2); found = 1; exit }
		$0 == k "/" { found = 1; exit }
		END { exit !found }'
}

# autoinstall_section - the autoinstall: mapping itself, one level less
# indented: what subiquity saves as autoinstall-user-data.
autoinstall_section() {
	awk '
		/^autoinstall:/ { on = 1; next }
		on && /^[^ \t#]/ { on = 0 }
		on { sub(/^  /, ""); print }
	' "$NOCLOUD_SEED/user-data"
}
