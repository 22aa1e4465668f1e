#!/usr/bin/env bash
# Build the Debian package: a release build configured for the prefix /usr in
# build-pkg/, then CPack's DEB generator. Prints the path of the .deb.
# Usage: scripts/package.sh [DEBIAN_REVISION]   (default 1: roiwatch_X.Y.Z-1_ARCH.deb)
# Install it with `apt install ./roiwatch_*.deb`, edit /etc/roiwatch, then
# `systemctl enable --now roiwatchd`.
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
rev=${1:-1}
[[ $rev =~ ^[0-9][0-9a-z.+~]*$ ]] ||
	{ echo "package.sh: bad Debian revision '$rev' (digits, then [0-9a-z.+~])" >&2; exit 2; }
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_PKG_PKGS

roiwatch_build build-pkg -DROIWATCH_BUILD_TESTS=OFF -DROIWATCH_SANITIZE=OFF \
	-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr
log=$(cd build-pkg && cpack -G DEB -D CPACK_DEBIAN_PACKAGE_RELEASE="$rev" 2>&1) ||
	{ printf '%s\n' "$log" >&2; echo "package.sh: cpack failed" >&2; exit 1; }
# CPack names the file it made: "CPack: - package: PATH generated."
deb=$(printf '%s\n' "$log" | sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p')
[[ -n $deb && -f $deb ]] ||
	{ printf '%s\n' "$log" >&2; echo "package.sh: no .deb in cpack's output" >&2; exit 1; }
echo "$deb"
