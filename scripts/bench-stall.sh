#!/usr/bin/env bash
# Loop-stall benchmark: with N stored campaigns (default 1 000 000), how soon
# roiwatchd says READY=1, how long its loop is ever held while it judges every
# campaign at start and after SIGHUP (the longest /healthz answer while a
# client asks back to back), and the webhook latency while `roiwatch ingest`
# backfills R rows (default 3 000 000) into the same database.
# Targets (the hardening issue): READY < 2 s, longest stall < 50 ms, webhook
# p99 < 100 ms during the backfill.
# Usage: scripts/bench-stall.sh [CAMPAIGNS] [BACKFILL_ROWS]
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
. scripts/bench/clients.sh
roiwatch_need $ROIWATCH_BUILD_PKGS python3
N=${1:-1000000}
R=${2:-3000000}
roiwatch_build build-bench -DCMAKE_BUILD_TYPE=Release -DROIWATCH_BUILD_TESTS=OFF
W=$ROIWATCH_TOP/build-bench/stall
rm -rf "$W"; mkdir -p "$W/conf/clients.d" "$W/conf/tokens"
PORT=$((20000 + RANDOM % 20000))
CLIENTS=100
cat > "$W/conf/roiwatchd.conf" <<CONF
{ "state_dir": "$W/state", "listen_addr": "127.0.0.1", "listen_port": $PORT,
  "inbox_dir": "$W/inbox", "http_rate_per_minute": 1000000 }
CONF
bench_clients "$W/conf" "$CLIENTS"

echo "== $N campaigns, one day each ($CLIENTS clients)"
awk -v n="$N" -v k="$CLIENTS" 'BEGIN {
	print "client,campaign,date,cost,revenue"
	per = int(n / k)
	for (c = 0; c < k; c++)
		for (j = 0; j < per; j++)
			printf "client-%04d,campaign-%07d,2026-10-01,10.00,25.00\n", c, j
}' > "$W/campaigns.csv"
t0=$(date +%s.%N)
build-bench/roiwatch -c "$W/conf/roiwatchd.conf" ingest "$W/campaigns.csv" | tail -n1
echo "   stored and judged in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }') s"

echo "== backfill file: $R rows (days of October for the first campaigns)"
awk -v r="$R" -v k="$CLIENTS" 'BEGIN {
	print "client,campaign,date,cost,revenue"
	per = int(r / k / 30)
	for (c = 0; c < k; c++)
		for (j = 0; j < per; j++)
			for (d = 2; d <= 31; d++)
				printf "client-%04d,campaign-%07d,2026-10-%02d,12.00,20.00\n", c, j, d
}' > "$W/backfill.csv"
ROWS=$(($(wc -l < "$W/backfill.csv") - 1))

echo "== measuring"
/usr/bin/python3 scripts/bench/stall.py --roiwatchd build-bench/roiwatchd \
	--roiwatch build-bench/roiwatch --conf "$W/conf/roiwatchd.conf" --work "$W" \
	--port "$PORT" --token bench-token-client-0099-0123456789 --client client-0099 \
	--backfill "$W/backfill.csv" --campaigns "$N" --backfill-rows "$ROWS"
