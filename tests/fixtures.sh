#!/bin/bash
# Builds the fixture images named in $SMOKEGATE_FIXTURES (tests/vm/lib.sh
# does, as it is sourced) before the tests that use them start: meson runs
# this test first (its priority) and alone (not parallel), so a fixture's
# build never counts against another test's timeout, nor runs once per
# test waiting on the lock. Then checks that each file FILE... is there.
# usage: fixtures.sh FILE...
. "$(dirname "$0")/vm/lib.sh"

for f in "$@"; do
	check "$(basename "$f") is built" test -s "$f"
done
finish
