#!/bin/bash
# Tracker credentials (issue 20, item 3): never in the tree's
# smokegate.conf (a URL with a user or password is refused, saying where
# credentials go), read from a 0600 file outside the tree or systemd's
# $CREDENTIALS_DIRECTORY, keyed by tracker; never in a message, the spool or
# the journal's text; the spool only for its owner.
# usage: credentials.sh SMOKEGATE ISO
. "$(dirname "$0")/../vm/lib.sh"

start_tree_test "$@"
mkdir -p creds
run() { run_bounded "$@"; }
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port/notice"

# A secret in the mirrored smokegate.conf is refused.
printf '[Tree]\nTrackerURLs=https://gate:s3cret-in-tree@tracker.example/notice\n' > "$tree/smokegate.conf"
run status --tree "$tree"
check "a TrackerURLs= URL with a password: exit 64 (got $status)" test $status -eq 64
check "the message says where credentials go" grep -q "trackers.conf (mode 0600" err
check "the message says LoadCredential=" grep -q "LoadCredential=smokegate-trackers" err
check "the message does not repeat the password" sh -c '! grep -q s3cret-in-tree err'
run stage --tree "$tree" --flavour smoketest "$iso"
check "stage refuses it too, staging nothing (got $status)" test $status -eq 64 -a ! -e "$tree/smoketest"

# Credentials in $CREDENTIALS_DIRECTORY (systemd's LoadCredential=).
start_tracker "$port" tracker.log 0 || exit 1
trap 'kill $tracker 2>/dev/null; rm -rf "$workdir"' EXIT
export CREDENTIALS_DIRECTORY="$workdir/creds"
printf '[Tree]\nTrackerURLs=%s\n' "$url" > "$tree/smokegate.conf"
printf '[Tracker %s]\nUser=gate\nPassword=s3cret-pw\n' "$url" > creds/smokegate-trackers
chmod 644 creds/smokegate-trackers
run stage --tree "$tree" --flavour smoketest "$iso"
check "with a credentials file others may read, the build is still staged (got $status)" test $status -eq 0
check "and the notice stays spooled, saying to make the file 0600" grep -q "make it 0600" err
check "nothing was sent without the credentials" test ! -s tracker.log.auth
chmod 600 creds/smokegate-trackers
run yank --tree "$tree" "smoketest/daily-live/$(date +%Y%m%d)" --reason "to send a notice"
check "yank exits 0 (got $status)" test $status -eq 0
check "both notices reached the tracker" test "$(wc -l < tracker.log)" -eq 2
check "with HTTP basic authentication as the file says" test "$(sort -u tracker.log.auth)" = "Basic $(printf gate:s3cret-pw | base64)"
printf '[Tracker %s]\nToken=t0ken-xyz\n' "$url" > creds/smokegate-trackers
run mark-current --tree "$tree" "smoketest/daily-live/$(date +%Y%m%d)" --reason "bearer"
check "a Token= is sent as a bearer token" test "$(tail -1 tracker.log.auth)" = "Bearer t0ken-xyz"

# The spool is its owner's alone, and holds no secret.
kill $tracker
wait $tracker 2>/dev/null
printf '[Tree]\nTrackerURLs=%s?key=q-secret\n' "$url" > "$tree/smokegate.conf"
run yank --tree "$tree" "smoketest/daily-live/$(date +%Y%m%d)" --reason "tracker down"
check "with the tracker down, yank still exits 0 (got $status)" test $status -eq 0
check "the warning shows the URL's query redacted" grep -q "notice?\*\*\*" err
check "and never the query's secret" sh -c '! grep -q q-secret err'
spool="$tree/.smokegate/notices"
check "the spool folder is 0700" test "$(stat -c %a "$spool")" = 700
check "every spooled file is 0600" test -z "$(find "$spool" -type f ! -name '.*lock' ! -perm 600)"
check "some notices are spooled" test -n "$(find "$spool" -name '*.json')"
check "no password or token anywhere in the tree" sh -c "! grep -rqE 's3cret|t0ken' '$tree'"
finish
