#!/usr/bin/env bash
# The Debian package as an administrator meets it, on a fresh minbase Debian 12
# chroot: builds the .deb (scripts/package.sh, revisions 1 and 2), installs
# revision 1 with apt-get (the libraries come from Debian's archive), checks
# where dpkg put the files, runs check-config and the daemon as the unit would
# (no systemd in a chroot) until GET /healthz answers 200, edits a conffile,
# upgrades to revision 2 and checks the edit and the tokens are kept, has
# systemd-analyze verify the unit, removes, then purges and checks nothing is
# left. Stops at the first failure, saying
# which. Run as root; it SKIPS (exit 0, saying why) where it cannot build a
# chroot: not root, or already inside a chroot (where mounting /proc fails).
# The base system is the tarball $TMPDIR/bookworm-minbase.tar, made by
# debootstrap on the first run (a few minutes) and shared with other tools
# that use the same file.
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"

skip() { echo "test-package: SKIPPED: $*"; exit 0; }
fail() { echo "test-package: FAILED: $*" >&2; exit 1; }
step() { echo "-- $*"; }
# quiet CMD...: run it, showing its output's end only if it fails.
quiet() {
	local out
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" | tail -n 25 >&2
		return 1
	fi
}

# Inside a chroot / differs from init's root. Where init's root cannot be
# read (no right to trace init), the mount tables differ instead: init sees
# the chroot's mounts under the chroot's path, a process inside sees them
# from its own root. Read a few times: another chroot being set up meanwhile
# changes the table.
in_chroot() {
	local me init i
	me=$(stat -c %d:%i /)
	if init=$(stat -c %d:%i /proc/1/root/. 2>/dev/null); then
		[[ $me != "$init" ]]
		return
	fi
	for i in 1 2 3; do
		cmp -s /proc/1/mountinfo /proc/self/mountinfo && return 1
		sleep 0.3
	done
	return 0
}

[[ $(id -u) -eq 0 ]] || skip "needs root (debootstrap, chroot, mount)"
in_chroot && skip "already inside a chroot (or without /proc): cannot build one in it"

. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_PKG_PKGS

T=${TMPDIR:-/tmp}
CACHE=$T/bookworm-minbase.tar
ROOT=
pid=
cleanup() {
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	[[ -n $ROOT && -d $ROOT ]] || return 0
	umount "$ROOT/proc" 2>/dev/null || umount -l "$ROOT/proc" 2>/dev/null || true
	if grep -q " $ROOT/" /proc/self/mountinfo; then
		echo "test-package: $ROOT still has mounts; not deleting it" >&2
		return 0
	fi
	rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT

step "building the packages"
deb1=$(scripts/package.sh 1) || fail "scripts/package.sh 1"
deb2=$(scripts/package.sh 2) || fail "scripts/package.sh 2"
echo "$deb1"
echo "$deb2"
conffiles=$(dpkg-deb -I "$deb1" conffiles) || fail "$deb1 has no conffiles list"
for f in /etc/roiwatch/roiwatchd.conf /etc/roiwatch/clients.d/acme.conf; do
	grep -qx "$f" <<<"$conffiles" || fail "$f is not a conffile of $deb1 (dpkg-deb -I)"
done

if [[ ! -f $CACHE ]]; then
	step "making $CACHE with debootstrap (once)"
	roiwatch_need $ROIWATCH_PKG_TEST_PKGS
	mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
	build=$(mktemp -d "$T/bookworm-build.XXXXXX")
	debootstrap --variant=minbase bookworm "$build" "${mirror:-http://deb.debian.org/debian}" \
		>"$T/debootstrap.log" 2>&1 ||
		{ rm -rf --one-file-system "$build"; fail "debootstrap: see $T/debootstrap.log"; }
	if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
		cp /etc/apt/sources.list.d/debian.sources "$build/etc/apt/sources.list.d/"
		rm -f "$build/etc/apt/sources.list"
	fi
	tar -C "$build" -cf "$CACHE.$$" . && mv "$CACHE.$$" "$CACHE"
	rm -rf --one-file-system "$build"
fi

step "fresh Debian 12 chroot"
ROOT=$(mktemp -d "$T/roiwatch-pkg-root.XXXXXX")
tar -C "$ROOT" -xf "$CACHE" || fail "cannot unpack $CACHE"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
mount -t proc proc "$ROOT/proc" 2>/dev/null ||
	skip "cannot mount /proc in a chroot here (a chroot inside a chroot?)"
cp "$deb1" "$deb2" "$ROOT/tmp/"
deb1=/tmp/${deb1##*/}
deb2=/tmp/${deb2##*/}

# in_root CMD...: run it in the chroot with an empty environment, as root.
in_root() {
	chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
# gone PATH...: none of them exists in the chroot (nor as a dangling link).
gone() {
	local p
	for p in "$@"; do
		[[ ! -e $ROOT$p && ! -L $ROOT$p ]] || fail "$p is still there"
	done
}

quiet in_root apt-get update -q || fail "apt-get update in the chroot"

step "apt-get install $deb1"
quiet in_root apt-get install -y -q "$deb1" || fail "apt-get install -y $deb1"
files=$(in_root dpkg -L roiwatch) || fail "dpkg -L roiwatch"
for p in /usr/bin/roiwatch /usr/sbin/roiwatchd /usr/lib/systemd/system/roiwatchd.service \
    /etc/roiwatch/roiwatchd.conf /etc/roiwatch/clients.d/acme.conf \
    /etc/roiwatch/clients.d/globex.conf /etc/roiwatch/tokens \
    /usr/share/doc/roiwatch/README.md /usr/share/doc/roiwatch/examples/acme-2026-11.csv; do
	grep -qx "$p" <<<"$files" || fail "dpkg -L roiwatch does not list $p"
	[[ -e $ROOT$p ]] || fail "$p listed by dpkg -L but missing"
done
bad=$(grep -E '^/usr/local|^/usr/etc|^/opt' <<<"$files" || true)
[[ -z $bad ]] || fail "files outside the FHS places of a package: $bad"
unit=$ROOT/usr/lib/systemd/system/roiwatchd.service
for l in 'ExecStart=/usr/sbin/roiwatchd -c /etc/roiwatch/roiwatchd.conf' \
    'ExecStartPre=/usr/bin/roiwatch -c /etc/roiwatch/roiwatchd.conf check-config' \
    'StateDirectory=roiwatch'; do
	grep -qxF "$l" "$unit" || fail "the installed unit lacks '$l'"
done
cf=$(in_root dpkg-query -W -f='${Conffiles}\n' roiwatch)
grep -q ' /etc/roiwatch/roiwatchd.conf ' <<<"$cf" ||
	fail "dpkg does not record /etc/roiwatch/roiwatchd.conf as a conffile"
for id in acme globex; do
	tok=$(cat "$ROOT/etc/roiwatch/tokens/$id.token" 2>/dev/null) ||
		fail "the postinst made no /etc/roiwatch/tokens/$id.token"
	[[ $tok =~ ^[0-9a-f]{48}$ ]] || fail "$id.token is not 48 random hex digits: '$tok'"
done
tokens=$(cat "$ROOT"/etc/roiwatch/tokens/*.token)

v=$(in_root roiwatchd --version) || fail "roiwatchd --version"
ver=$(sed -n 's/^project(roiwatch VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
[[ -n $ver && $v == *"$ver"* ]] || fail "roiwatchd --version says '$v', not $ver"
echo "roiwatchd --version: $v"
quiet in_root roiwatch -c /etc/roiwatch/roiwatchd.conf check-config ||
	fail "roiwatch check-config on the installed example"

# A port free on 127.0.0.1 (the chroot shares the host's network): the
# conffile edit the upgrade must keep.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
	2>/dev/null) || port=$((20000 + RANDOM % 20000))
step "editing /etc/roiwatch/roiwatchd.conf: listen_port $port"
sed -i "s/^\(\t\"listen_port\": \)8470,/\1$port,/" "$ROOT/etc/roiwatch/roiwatchd.conf"
grep -q "\"listen_port\": $port," "$ROOT/etc/roiwatch/roiwatchd.conf" ||
	fail "could not edit listen_port in the installed roiwatchd.conf"
quiet in_root apt-get install -y -q --no-install-recommends curl ||
	fail "apt-get install curl in the chroot"

# run_daemon: roiwatchd as the unit runs it ($STATE_DIRECTORY, which systemd
# creates), until GET /healthz answers 200; then SIGTERM and a clean exit.
run_daemon() {
	local code='' i st=0
	mkdir -p -m 0750 "$ROOT/var/lib/roiwatch"
	chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		STATE_DIRECTORY=/var/lib/roiwatch \
		/usr/sbin/roiwatchd -c /etc/roiwatch/roiwatchd.conf >"$ROOT/tmp/roiwatchd.log" 2>&1 &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		code=$(in_root curl -s -o /dev/null -w '%{http_code}' \
			"http://127.0.0.1:$port/healthz" || true)
		[[ $code == 200 ]] && break
		kill -0 "$pid" 2>/dev/null || {
			cat "$ROOT/tmp/roiwatchd.log" >&2
			fail "roiwatchd exited before answering GET /healthz"
		}
		sleep 0.2
	done
	[[ $code == 200 ]] || { cat "$ROOT/tmp/roiwatchd.log" >&2;
		fail "GET /healthz on 127.0.0.1:$port answered '$code', not 200"; }
	echo "GET http://127.0.0.1:$port/healthz: $code"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	pid=
	((st == 0)) || { cat "$ROOT/tmp/roiwatchd.log" >&2; fail "roiwatchd exited $st on SIGTERM"; }
	[[ -n $(ls -A "$ROOT/var/lib/roiwatch") ]] ||
		fail "roiwatchd left nothing in its state directory /var/lib/roiwatch"
}
step "roiwatchd -c /etc/roiwatch/roiwatchd.conf (STATE_DIRECTORY=/var/lib/roiwatch)"
run_daemon

step "upgrade: apt-get install $deb2"
quiet in_root apt-get install -y -q "$deb2" || fail "apt-get install -y $deb2 (upgrade)"
v=$(in_root dpkg-query -W -f='${Version}' roiwatch)
[[ $v == *-2 ]] || fail "after the upgrade dpkg has version $v, not revision 2"
grep -q "\"listen_port\": $port," "$ROOT/etc/roiwatch/roiwatchd.conf" ||
	fail "the upgrade lost the edit of /etc/roiwatch/roiwatchd.conf"
left=$(find "$ROOT/etc/roiwatch" -name '*.dpkg-*')
[[ -z $left ]] || fail "the upgrade left $left"
[[ $(cat "$ROOT"/etc/roiwatch/tokens/*.token) == "$tokens" ]] ||
	fail "the upgrade changed the ingest tokens"
step "roiwatchd after the upgrade"
run_daemon

# systemd's own check of the unit, on Debian 12's systemd: the programs and
# the commands it names exist, its options parse. (Installed only now, so that
# nothing it pulls in hid a dependency the package forgot.)
step "systemd-analyze verify roiwatchd.service (systemd installed in the chroot)"
quiet in_root apt-get install -y -q --no-install-recommends systemd ||
	fail "apt-get install systemd in the chroot"
quiet in_root systemd-analyze verify /usr/lib/systemd/system/roiwatchd.service ||
	fail "systemd-analyze verify /usr/lib/systemd/system/roiwatchd.service"

step "apt-get remove roiwatch"
quiet in_root apt-get remove -y -q roiwatch || fail "apt-get remove -y roiwatch"
gone /usr/bin/roiwatch /usr/sbin/roiwatchd /usr/lib/systemd/system/roiwatchd.service
grep -q "\"listen_port\": $port," "$ROOT/etc/roiwatch/roiwatchd.conf" ||
	fail "apt-get remove did not keep the edited configuration"
[[ -d $ROOT/var/lib/roiwatch ]] || fail "apt-get remove deleted the state directory"

# What systemd would have left: DynamicUser='s state under /var/lib/private
# and the enablement link of `systemctl enable`.
mkdir -p -m 0700 "$ROOT/var/lib/private"
mkdir -p "$ROOT/var/lib/private/roiwatch" "$ROOT/etc/systemd/system/multi-user.target.wants"
touch "$ROOT/var/lib/private/roiwatch/roiwatch.db"
ln -sf /usr/lib/systemd/system/roiwatchd.service \
	"$ROOT/etc/systemd/system/multi-user.target.wants/roiwatchd.service"
step "apt-get purge roiwatch"
quiet in_root apt-get purge -y -q roiwatch || fail "apt-get purge -y roiwatch"
gone /etc/roiwatch /var/lib/roiwatch /var/lib/private/roiwatch /usr/bin/roiwatch \
	/usr/sbin/roiwatchd /usr/share/doc/roiwatch \
	/etc/systemd/system/multi-user.target.wants/roiwatchd.service
st=$(in_root dpkg-query -W -f='${db:Status-Abbrev}' roiwatch 2>/dev/null || true)
[[ -z $st || $st == un* || $st == pn* ]] || fail "dpkg still knows roiwatch after purge: '$st'"

echo "test-package: all passed ($deb1, upgrade to $deb2, remove, purge)"
