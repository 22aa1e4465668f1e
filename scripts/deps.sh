# Debian packages roiwatch needs, and a function that installs the missing ones
# (as root) or prints the exact apt-get line (otherwise). Sourced by the scripts.

# Build: compiler, CMake, pkg-config and the libraries' development packages.
ROIWATCH_BUILD_PKGS="gcc libc6-dev make cmake pkg-config ca-certificates libevent-dev
 libcurl4-openssl-dev libsqlite3-dev libcjson-dev libssl-dev tzdata"
# Demo: Python shows the messages the daemon wrote (MIME decoding).
ROIWATCH_DEMO_PKGS="python3"
# Tests: cmocka, Debian's Python with aiosmtpd (the SMTP peer), openssl (test certificates),
# strace (the durability test sees each fsync before its acknowledgement),
# systemd (systemd-analyze scores the unit file), gettext (xgettext, msgfmt and
# msgcmp check the message catalogues against the code; the build embeds the
# .po files with CMake alone), chromium (renders the HTML e-mail headless into
# a screenshot).
ROIWATCH_TEST_PKGS="libcmocka-dev python3 python3-aiosmtpd openssl strace systemd gettext chromium"
# mandoc and groff-base: tests/man-check.sh lints and renders the manual pages.
ROIWATCH_TEST_PKGS="$ROIWATCH_TEST_PKGS mandoc groff-base"
# Benchmarks: HTTP load generator; Prometheus Alertmanager (bench-alerts.sh compares with it).
ROIWATCH_BENCH_PKGS="wrk sqlite3 python3 time prometheus-alertmanager"
# Debian package (scripts/package.sh): CPack's DEB generator finds the
# libraries' packages with dpkg-shlibdeps (dpkg-dev) and the programs with file;
# scripts/test-package.sh builds its Debian 12 chroot with debootstrap.
ROIWATCH_PKG_PKGS="dpkg-dev file"
ROIWATCH_PKG_TEST_PKGS="debootstrap"
# Fuzzing with libFuzzer (scripts/fuzz.sh --engine libfuzzer): clang and its
# sanitizer and fuzzer runtimes. Without them fuzz.sh uses gcc's sanitizers.
ROIWATCH_FUZZ_PKGS="clang libclang-rt-14-dev"
# prometheus (with promtool): tests/integration/test_prometheus.py scrapes the
# daemon with a real Prometheus and checks the example alerting rules.
ROIWATCH_TEST_PKGS="$ROIWATCH_TEST_PKGS prometheus"

# roiwatch_have PKG... : true when every package is installed.
roiwatch_have() {
	local p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			return 1
	done
}

# roiwatch_need PKG... : install what is missing, or explain and exit 1.
roiwatch_need() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	((${#missing[@]} == 0)) && return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "roiwatch: missing Debian packages. Install them with:" >&2
		echo "  sudo apt-get install -y ${missing[*]}" >&2
		exit 1
	fi
	echo "roiwatch: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	if ! apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; then
		apt-get update -qq && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null ||
			{ echo "roiwatch: apt-get install failed" >&2; exit 1; }
	fi
}

# roiwatch_build DIR [cmake args...]: configure (when DIR is new, or again
# with the options given, so that a directory the demo configured gains its
# tests when the test script asks for them) and build.
roiwatch_build() {
	local dir=$1; shift
	if [[ ! -f $dir/CMakeCache.txt || $# -gt 0 ]]; then
		cmake -S "$ROIWATCH_TOP" -B "$dir" "$@" >/dev/null || exit 1
	fi
	cmake --build "$dir" -j "$(nproc)" >/dev/null || { cmake --build "$dir" -j1; exit 1; }
}
