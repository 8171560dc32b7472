# foreign_apt ARCH DIR - apt for another architecture's packages, for this
# recipe alone: an apt configuration of its own under DIR (package lists and
# cache; the host's sources) that sees ARCH alone, exported as APT_CONFIG,
# and its package lists fetched now. Then debian_package_files (common.sh)
# unpacks ARCH's packages. The host's dpkg and apt state are not touched:
# nothing system-wide changes (no dpkg --add-architecture).
foreign_apt() {
	local arch=$1 dir=$2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	cat >"$dir/apt.conf" <<CONF
APT::Architecture "$arch";
APT::Architectures { "$arch"; };
Dir::State::Lists "$dir/lists";
Dir::Cache "$dir/cache";
Dir::State::status "/dev/null";
CONF
	# As root apt drops to _apt, who cannot write to a private folder.
	[ "$(id -u)" -ne 0 ] || echo 'APT::Sandbox::User "root";' >>"$dir/apt.conf"
	export APT_CONFIG=$dir/apt.conf
	apt-get -q update >"$dir/update.log" 2>&1 ||
		{ cat "$dir/update.log" >&2; die "apt-get update for $arch failed"; }
}
