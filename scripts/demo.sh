#!/usr/bin/env bash
# The main job on the embedded defaults: build roiwatch, start roiwatchd on the
# example configuration in conf/ with its state in ./demo-state, drop the example
# metrics into the watched inbox, wait until they are processed, show the alerts
# that came out and stop the daemon cleanly.
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_DEMO_PKGS
echo "== building"
if [[ -f build/CMakeCache.txt ]]; then
	roiwatch_build build	# as configured (test.sh may have added the tests)
else
	roiwatch_build build -DROIWATCH_BUILD_TESTS=OFF	# no test packages needed
fi

STATE="$ROIWATCH_TOP/demo-state"
CONF="$ROIWATCH_TOP/conf/roiwatchd.conf"
rm -rf "$STATE"
mkdir -p "$STATE"
RW=(build/roiwatch -c "$CONF" -S "$STATE")

echo "== checking the configuration"
"${RW[@]}" check-config

echo "== starting roiwatchd (log: demo-state/roiwatchd.log)"
build/roiwatchd -c "$CONF" -S "$STATE" 2>"$STATE/roiwatchd.log" &
pid=$!
stop_daemon() {
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		wait "$pid" || { echo "roiwatchd exited with an error" >&2; return 1; }
	fi
}
trap 'stop_daemon || true' EXIT

for _ in $(seq 100); do
	grep -q 'started:' "$STATE/roiwatchd.log" 2>/dev/null && break
	kill -0 "$pid" 2>/dev/null || { cat "$STATE/roiwatchd.log"; exit 1; }
	sleep 0.1
done
INBOX="$STATE/inbox"

echo "== dropping the example metrics into $INBOX"
for f in conf/examples/*.csv conf/examples/*.json; do
	name=$(basename "$f")
	cp "$f" "$INBOX/.$name.tmp"
	mv "$INBOX/.$name.tmp" "$INBOX/$name"	# complete files only: rename in
	echo "   $name"
done

# Processed = every file in done/ or failed/, then the outbox drained.
expected=$(ls conf/examples/*.csv conf/examples/*.json | wc -l)
for _ in $(seq 200); do
	n=$(find "$INBOX/done" "$INBOX/failed" -maxdepth 1 -type f ! -name '*.report' | wc -l)
	((n >= expected)) && break
	sleep 0.1
done
if ((n < expected)); then
	echo "the daemon did not process the files; its log:" >&2
	cat "$STATE/roiwatchd.log" >&2
	exit 1
fi
sleep 1	# file receivers write at once; give the outbox one turn

echo "== files processed"
ls "$INBOX/done" "$INBOX/failed"
echo
echo "== alerts that came out (file receivers under demo-state/mail/)"
/usr/bin/python3 - "$STATE/mail" <<'PY'
import email, email.policy, os, sys
root = sys.argv[1]
n = 0
for dirpath, _, files in sorted(os.walk(root)):
    for name in sorted(files):
        if not name.endswith(".eml"):
            continue
        n += 1
        with open(os.path.join(dirpath, name), "rb") as f:
            m = email.message_from_bytes(f.read(), policy=email.policy.default)
        print("-" * 72)
        print("File:    %s" % os.path.relpath(os.path.join(dirpath, name), root))
        for h in ("From", "To", "Subject", "Date"):
            print("%-8s %s" % (h + ":", m[h]))
        print()
        print(m.get_body().get_content().rstrip())
print("-" * 72)
print("%d message(s)" % n)
sys.exit(0 if n else 1)
PY
echo
echo "== alert states (roiwatch alerts)"
"${RW[@]}" alerts
echo
echo "== KPIs of globex (roiwatch kpis globex)"
"${RW[@]}" kpis globex

echo
echo "== stopping roiwatchd"
trap - EXIT
stop_daemon
tail -n 3 "$STATE/roiwatchd.log"
echo "demo finished: state kept in demo-state/"
