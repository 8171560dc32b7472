#!/bin/sh
# Plans three tests, passes one, then hangs as a suite whose tool never
# returns: the harness must call it stopped after 1 of 3 when Seconds= ends.
. "$(dirname "$0")/../lib/tap.sh"
tap_plan 3
tap_check "the installed system names itself" test -s /etc/os-release
sleep 100000
tap_check "never reached" true
tap_check "never reached either" true
tap_done
