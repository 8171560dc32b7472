#!/bin/sh
. "$(dirname "$0")/../lib/tap.sh"
tap_plan 2
tap_check "the installed system names itself" test -s /etc/os-release
tap_check "the team's tool is installed" sh -c 'echo "/usr/bin/team-tool: not found"; exit 1'
tap_done
