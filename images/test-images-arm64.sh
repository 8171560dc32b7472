#!/bin/bash
# test-images-arm64.sh OUTDIR [MAKE_DESKTOP_PICTURE] - the test images for
# an arm64 virt machine: build-test-images.sh with SMOKETEST_ARCH=arm64
# (it says which), from Debian's arm64 packages. A recipe of its own, so
# that cached-fixture.sh keeps what it builds (the downloads, a minute of
# unpacking) under its own name, keyed by it and its inputs.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 OUTDIR [MAKE_DESKTOP_PICTURE]" >&2; exit 2; }
SMOKETEST_ARCH=arm64 exec "$here/build-test-images.sh" "$1" - ${2:+"$2"}
