#!/usr/bin/env bash
# Run every test: installs missing Debian packages, builds the normal and the
# sanitizer (ASan+UBSan) builds, and runs the whole suite on both with ctest,
# then a quick crash test on the sanitizer build (scripts/crash-test.sh
# --quick), a short fuzz run of the parsers (scripts/fuzz.sh 30) and, as root,
# the Debian package's test (scripts/test-package.sh; ROIWATCH_SKIP_PACKAGE_TEST=1
# skips it).
# Usage: scripts/test.sh [ctest args...]   (e.g. -R config: ctest only)
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
# The whole suite only: a run narrowed by ctest arguments skips these two.
if (($# == 0)); then
	echo "== crash test (quick, ASan+UBSan build)"
	scripts/crash-test.sh --quick --build build-asan || status=1
	echo "== fuzz (30 s)"
	scripts/fuzz.sh 30 || status=1
	# The .deb installed, run, upgraded and purged in a Debian 12 chroot
	# (it skips itself, saying why, inside a chroot).
	echo "== Debian package (scripts/test-package.sh)"
	if [[ ${ROIWATCH_SKIP_PACKAGE_TEST:-0} == 1 ]]; then
		echo "skipped: ROIWATCH_SKIP_PACKAGE_TEST=1"
	elif [[ $(id -u) -ne 0 ]]; then
		echo "skipped: not root (the test builds a chroot)"
	elif ! (roiwatch_need $ROIWATCH_PKG_TEST_PKGS); then
		echo "skipped: debootstrap cannot be installed"
	else
		scripts/test-package.sh || status=1
	fi
fi
if ((status == 0)); then
	echo "roiwatch tests: all passed (release and sanitizer builds)"
else
	echo "roiwatch tests: FAILED"
fi
exit $status
