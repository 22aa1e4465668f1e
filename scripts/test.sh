#!/usr/bin/env bash
# Run every test: installs missing Debian packages, builds the normal and the
# sanitizer (ASan+UBSan) builds, and runs the whole suite on both with ctest.
# Usage: scripts/test.sh [ctest args...]   (e.g. -R config)
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_TEST_PKGS

roiwatch_build build -DROIWATCH_BUILD_TESTS=ON
roiwatch_build build-asan -DROIWATCH_BUILD_TESTS=ON -DROIWATCH_SANITIZE=ON \
	-DCMAKE_BUILD_TYPE=Debug

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
echo "== tests (release build)"
ctest --test-dir build --output-on-failure -j2 "$@" || status=1
echo "== tests (ASan+UBSan build)"
ctest --test-dir build-asan --output-on-failure -j2 "$@" || status=1
if ((status == 0)); then
	echo "roiwatch tests: all passed (release and sanitizer builds)"
else
	echo "roiwatch tests: FAILED"
fi
exit $status
