#!/usr/bin/env bash
# Crash and abuse suite: roiwatchd killed with SIGKILL at random moments during
# HTTP ingest, inbox ingest and delivery, restarted, and checked: every row
# acknowledged with 2xx present with its values, every file in done/ complete,
# no file lost, every queued alert delivered at least once (duplicates
# counted), PRAGMA integrity_check ok. Prints a table; exits 1 on any loss.
# The program is tests/crash/crash.py (Debian's Python, for aiosmtpd).
# Usage: scripts/crash-test.sh [--iterations N] [--quick] [--build DIR]
#                              [crash.py options: --seed S, --phases http,inbox,...]
#   default 30 kills per phase (a few minutes); --quick: 3 per phase (CI).
#   --build DIR: use the programs of an existing build (e.g. build-asan)
#   instead of building build/.
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh

iterations=30 build= args=()
while (($#)); do
	case $1 in
	--quick) iterations=3 ;;
	--iterations) [[ $# -ge 2 ]] || { echo "crash-test: --iterations needs a number" >&2; exit 2; }
		iterations=$2; shift ;;
	--build) [[ $# -ge 2 ]] || { echo "crash-test: --build needs a directory" >&2; exit 2; }
		build=$2; shift ;;
	*) args+=("$1") ;;
	esac
	shift
done
[[ $iterations =~ ^[1-9][0-9]*$ ]] ||
	{ echo "crash-test: --iterations: \"$iterations\" is not a positive number" >&2; exit 2; }

roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_TEST_PKGS
if [[ -z $build ]]; then
	build=build
	roiwatch_build build
fi
for p in roiwatchd roiwatch; do
	[[ -x $build/$p ]] || { echo "crash-test: $build/$p not found (build it first)" >&2; exit 2; }
done
exec /usr/bin/python3 tests/crash/crash.py --roiwatchd "$build/roiwatchd" \
	--roiwatch "$build/roiwatch" --source-dir "$ROIWATCH_TOP" \
	--iterations "$iterations" "${args[@]}"
