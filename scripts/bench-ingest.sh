#!/usr/bin/env bash
# Ingest benchmark: compares, in one run on this machine,
#   - the shared SQLite ceiling (baselines/sqlite_limit.c: parse + one prepared upsert),
#   - sqlite3's own .import of the same file,
#   - `roiwatch ingest` of it (parse, validate, upsert, commit; evaluation timed apart),
#   - HTTP ingest of 100-row JSON batches with wrk against roiwatchd, next to the
#     evhttp ceiling (baselines/evhttp_limit.c drains bodies and answers 202),
# and reports rows per second and ratios. Rows are in key order (client, campaign,
# day), as gen_csv.py writes them; the day-order figure is printed too.
# Usage: scripts/bench-ingest.sh [BASELINES_DIR]   (default ../shared/baselines)
set -euo pipefail
epid= dpid=
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
. scripts/bench/clients.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_BENCH_PKGS
BASE=${1:-$ROIWATCH_TOP/../shared/baselines}
[[ -f $BASE/sqlite_limit.c ]] || { echo "no baselines in $BASE" >&2; exit 1; }
roiwatch_build build -DCMAKE_BUILD_TYPE=Release

W=$ROIWATCH_TOP/build/bench
rm -rf "$W"; mkdir -p "$W"
cc -O2 -o "$W/sqlite_limit" "$BASE/sqlite_limit.c" -lsqlite3
cc -O2 -o "$W/evhttp_limit" "$BASE/evhttp_limit.c" -levent
now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== generating 1 000 000 rows (gen_csv.py 100 50 200)"
/usr/bin/python3 "$BASE/gen_csv.py" 100 50 200 > "$W/m.csv"
ROWS=$(($(wc -l < "$W/m.csv") - 1))
{ head -n1 "$W/m.csv"; tail -n +2 "$W/m.csv" | sort -t, -k4,4 -k1,2 -s; } > "$W/m-dayorder.csv"

# Configuration: 200 clients (the HTTP run uses 2M fresh rows) with file
# receivers, a fast rate limit for the load test, and a minimum ROI of -100 %:
# every campaign is evaluated after each commit, but none fires, so the figures
# are those of ingest + evaluation, not of writing thousands of alert messages.
mkdir -p "$W/conf/clients.d" "$W/conf/tokens"
PORT=$((20000 + RANDOM % 20000))
cat > "$W/conf/roiwatchd.conf" <<CONF
{ "state_dir": "$W/state", "listen_addr": "127.0.0.1", "listen_port": $PORT,
  "http_rate_per_minute": 1000000, "http_max_rows": 10000 }
CONF
bench_clients "$W/conf" 200

echo "== sqlite_limit ceiling"
CEIL=$("$W/sqlite_limit" "$W/limit.db" "$W/m.csv" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')
CEIL_DAY=$("$W/sqlite_limit" "$W/limit2.db" "$W/m-dayorder.csv" | sed -n 's/.*rows_per_s=\([0-9]*\).*/\1/p')
echo "   key order $CEIL rows/s, day order $CEIL_DAY rows/s"

echo "== sqlite3 .import"
sqlite3 "$W/import.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
 CREATE TABLE m(client TEXT,campaign TEXT,channel TEXT,day TEXT,cost REAL,revenue REAL,
 impressions INT,clicks INT,conversions INT,PRIMARY KEY(client,campaign,day)) WITHOUT ROWID;" >/dev/null
t0=$(now); sqlite3 "$W/import.db" ".import --csv --skip 1 $W/m.csv m"; t1=$(now)
IMPORT=$(rate "$ROWS" "$t0" "$t1")
echo "   $IMPORT rows/s"

echo "== roiwatch ingest (key order, then day order into a fresh state)"
RW=(build/roiwatch -c "$W/conf/roiwatchd.conf")
t0=$(now); out=$("${RW[@]}" -S "$W/state" ingest "$W/m.csv"); t1=$(now)
echo "   $out" | head -n1
INGEST=$(echo "$out" | sed -n 's/.*s (\([0-9]*\) rows\/s).*/\1/p' | head -n1)
INGEST_TOTAL=$(rate "$ROWS" "$t0" "$t1")
out=$("${RW[@]}" -S "$W/state-day" ingest "$W/m-dayorder.csv")
INGEST_DAY=$(echo "$out" | sed -n 's/.*s (\([0-9]*\) rows\/s).*/\1/p' | head -n1)
echo "   key order $INGEST rows/s (with evaluation of 5000 campaigns: $INGEST_TOTAL rows/s), day order $INGEST_DAY rows/s"

echo "== HTTP: 100-row JSON batches with wrk (2 threads, 16 connections, 5 s, fresh rows)"
/usr/bin/python3 "$BASE/gen_csv.py" 200 50 200 > "$W/h.csv"
/usr/bin/python3 scripts/bench/bodies.py "$W/h.csv" "bench-token-{client}-0123456789" 20000 > "$W/bodies.txt"
export BENCH_BODIES="$W/bodies.txt" BENCH_THREADS=2
wrk_rate() {	# prints requests/s; fails when any answer was not 2xx
	local out
	out=$(wrk -t2 -c16 -d5s -s scripts/bench/post.lua "http://127.0.0.1:$1/v1/metrics")
	if [[ ${2:-} == fresh ]] &&
	    (($(sed -n 's/^ *\([0-9]*\) requests in.*/\1/p' <<<"$out") > 20000)); then
		echo "note: the run sent more than the 20000 prepared bodies; some rows were updates" >&2
	fi
	if grep -q "Non-2xx" <<<"$out"; then echo "$out" >&2; return 1; fi
	sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p' <<<"$out"
}
"$W/evhttp_limit" "$((PORT + 1))" >/dev/null 2>&1 & epid=$!
trap 'kill $epid $dpid 2>/dev/null || true' EXIT
sleep 0.3
EV_RPS=$(wrk_rate "$((PORT + 1))")
kill "$epid"; wait "$epid" 2>/dev/null || true
EV_ROWS=$(awk -v r="$EV_RPS" 'BEGIN { printf "%.0f", r * 100 }')
echo "   evhttp ceiling: $EV_RPS requests/s = $EV_ROWS rows/s"

build/roiwatchd -c "$W/conf/roiwatchd.conf" -S "$W/state-http" >/dev/null 2>"$W/roiwatchd.log" & dpid=$!
for _ in $(seq 100); do grep -q 'started:' "$W/roiwatchd.log" && break; sleep 0.1; done
RSS0=$(awk '/VmRSS/ { print $2 }' /proc/$dpid/status)
RW_RPS=$(wrk_rate "$PORT" fresh)
RSS_PEAK=$(awk '/VmHWM/ { print $2 }' /proc/$dpid/status)
kill -TERM "$dpid"; wait "$dpid"
HTTP_ROWS=$(awk -v r="$RW_RPS" 'BEGIN { printf "%.0f", r * 100 }')
echo "   roiwatchd: $RW_RPS requests/s = $HTTP_ROWS rows/s; RSS at start ${RSS0} KiB, peak ${RSS_PEAK} KiB"

cat <<REPORT

== results ($(date -u +%Y-%m-%d), $(nproc) cores, $ROWS rows in key order)
| measure                                  | rows/s   | ratio                        |
|------------------------------------------|----------|------------------------------|
| sqlite_limit ceiling                     | $CEIL | 1.00                         |
| sqlite3 .import                          | $IMPORT | $(ratio "$IMPORT" "$CEIL") of ceiling |
| roiwatch ingest (file)                   | $INGEST | $(ratio "$INGEST" "$IMPORT")x .import, $(ratio "$INGEST" "$CEIL")x ceiling (targets 1.0, 0.8) |
| roiwatch ingest incl. evaluation         | $INGEST_TOTAL | $(ratio "$INGEST_TOTAL" "$CEIL")x ceiling |
| roiwatch ingest, day order               | $INGEST_DAY | $(ratio "$INGEST_DAY" "$CEIL_DAY")x day-order ceiling ($CEIL_DAY) |
| evhttp ceiling (drain only), 100-row req | $EV_ROWS | - |
| roiwatchd HTTP ingest, 100-row JSON      | $HTTP_ROWS | $(ratio "$HTTP_ROWS" "$CEIL")x ceiling (target 0.5), $(ratio "$HTTP_ROWS" "$EV_ROWS")x evhttp |
| roiwatchd peak RSS under HTTP load       | $((RSS_PEAK / 1024)) MiB | target <= 32 MB |
REPORT
