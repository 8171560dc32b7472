#!/bin/bash
# Signed checksums (issue 20, item 14): with [Tree] Keyring=, a download
# counts only when SHA256SUMS.gpg beside it is a good signature of its
# SHA256SUMS by a key of the keyring (checked with gpgv). A missing or bad
# signature, or one by another key, is exit 65 and a bad-signature notice;
# nothing is staged. Real keys, made for the test with gpg.
# usage: signed-sums.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

start_tree_test "$@"
run() { run_bounded "$@"; }
if ! command -v gpg > /dev/null || ! command -v gpgv > /dev/null; then
	echo "1..0 # SKIP gpg and gpgv are needed (Debian packages gnupg, gpgv)"
	exit 0
fi
export GNUPGHOME="$workdir/gnupg"
mkdir -m 700 "$GNUPGHOME" other-gnupg
chmod 700 other-gnupg
trap 'gpgconf --kill all; GNUPGHOME="$workdir/other-gnupg" gpgconf --kill all; stop_nginx 2>/dev/null; kill $tracker 2>/dev/null; rm -rf "$workdir"' EXIT
gpg --batch --quiet --passphrase '' --quick-gen-key "smokegate test <signer@test.invalid>" ed25519 sign never 2> /dev/null
gpg --batch --export > "$workdir/keyring.gpg"
GNUPGHOME="$workdir/other-gnupg" gpg --batch --quiet --passphrase '' --quick-gen-key "someone else <other@test.invalid>" ed25519 sign never 2> /dev/null
check "a test key and its keyring" test -s keyring.gpg

start_nginx || { echo "1..0 # SKIP nginx is needed"; exit 0; }
port_nginx=$port
mkdir -p "$workdir/www/pool"
cp "$iso" "$workdir/www/pool/noble-desktop-amd64.iso"
(cd "$workdir/www/pool" && sha256sum noble-desktop-amd64.iso | sed 's/  / */' > SHA256SUMS)
url="http://127.0.0.1:$port_nginx/pool/noble-desktop-amd64.iso"
sign() { gpg --batch --yes --quiet --detach-sign -o "$workdir/www/pool/SHA256SUMS.gpg" "$workdir/www/pool/SHA256SUMS"; }
tport=$((20000 + RANDOM % 20000))
start_tracker "$tport" tracker.log 0 || exit 1
printf '[Tree]\nKeyring=%s\nTrackerURLs=http://127.0.0.1:%s/notice\n' "$workdir/keyring.gpg" "$tport" > "$tree/smokegate.conf"
builds() { count_builds netboot/daily-live; }

run stage --tree "$tree" --flavour netboot --series noble "$url"
check "no SHA256SUMS.gpg with a keyring: 65 (got $status)" test $status -eq 65
check "saying there is no signature" grep -q "no signature of SHA256SUMS" err
check "a bad-signature notice" grep -q " bad-signature netboot/daily-live/-" tracker.log
sign
run stage --tree "$tree" --flavour netboot --series noble "$url"
check "a good signature: staged (got $status)" test $status -eq 0 -a "$(builds)" -eq 1
echo "0000000000000000000000000000000000000000000000000000000000000000 *other.iso" >> "$workdir/www/pool/SHA256SUMS"
run stage --tree "$tree" --flavour netboot --series noble "$url"
check "SHA256SUMS changed after signing: 65 (got $status)" test $status -eq 65
check "saying the signature is not a good one" grep -q "is not a good one by a key of .*keyring.gpg" err
GNUPGHOME="$workdir/other-gnupg" gpg --batch --yes --quiet --detach-sign -o "$workdir/www/pool/SHA256SUMS.gpg" "$workdir/www/pool/SHA256SUMS"
run stage --tree "$tree" --flavour netboot --series noble "$url"
check "signed by a key not in the keyring: 65 (got $status)" test $status -eq 65
check "refused downloads staged nothing" test "$(builds)" -eq 1
check "each refusal noticed" test "$(grep -c " bad-signature " tracker.log)" -eq 3
printf '[Tree]\nKeyring=%s/missing.gpg\n' "$workdir" > "$tree/smokegate.conf"
run stage --tree "$tree" --flavour netboot --series noble "$url"
check "a keyring that is missing: 64, before any download (got $status)" test $status -eq 64
printf '[Tree]\nKeyring=keyring.gpg\n' > "$tree/smokegate.conf"
run stage --tree "$tree" --flavour netboot --series noble "$url"
check "a relative Keyring=: 64 (got $status)" test $status -eq 64
rm "$tree/smokegate.conf"
run stage --tree "$tree" --flavour netboot --series noble "$url"
check "without a keyring, SHA256SUMS alone is checked, as before (got $status)" test $status -eq 0
finish
