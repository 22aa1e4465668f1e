#!/usr/bin/env bash
# Delivery benchmark: how fast the outbox drains to a webhook receiver.
# N clients, each with one campaign under its minimum ROI and a webhook receiver
# pointing at the shared baselines/webhook_sink.c (answers 200 at once, counts).
# `roiwatch ingest` queues N notices; roiwatchd then delivers them through the
# libcurl multi-socket loop. Reported: deliveries per second, next to what wrk
# alone gets from the same sink (its ceiling for 1 KiB POSTs on this machine).
# Usage: scripts/bench-deliver.sh [N] [BASELINES_DIR]   (default 5000)
set -euo pipefail
sink= dpid=
trap 'kill $sink $dpid 2>/dev/null || true' EXIT
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_BENCH_PKGS
N=${1:-5000}
BASE=${2:-$ROIWATCH_TOP/../shared/baselines}
roiwatch_build build -DCMAKE_BUILD_TYPE=Release

W=$ROIWATCH_TOP/build/bench-deliver
rm -rf "$W"; mkdir -p "$W/conf/clients.d" "$W/conf/tokens"
cc -O2 -o "$W/webhook_sink" "$BASE/webhook_sink.c" -levent
PORT=$((20000 + RANDOM % 20000))
SINK=$((PORT + 1))
cat > "$W/conf/roiwatchd.conf" <<CONF
{ "state_dir": "$W/state", "listen_addr": "" }
CONF
echo "client,campaign,channel,date,cost,revenue,impressions,clicks,conversions" > "$W/m.csv"
for i in $(seq 1 "$N"); do
	c=$(printf 'c%05d' "$i")
	echo "bench-token-$c-0123456789" > "$W/conf/tokens/$c.token"
	printf '{"id":"%s","name":"Client %s","currency":"EUR","timezone":"UTC",
"minimum_roi":"150%%","token_file":"tokens/%s.token",
"receivers":[{"name":"hook","type":"webhook","url":"http://127.0.0.1:%s/hook"}]}\n' \
	    "$c" "$i" "$c" "$SINK" > "$W/conf/clients.d/$c.conf"
	echo "$c,Launch,email,2026-11-20,100.00,90.00,1000,10,1" >> "$W/m.csv"
done

echo "== queueing $N notices (roiwatch ingest)"
build/roiwatch -c "$W/conf/roiwatchd.conf" ingest "$W/m.csv" | tail -n 1

echo "== sink ceiling: wrk against webhook_sink (1 thread, 32 connections, 5 s)"
"$W/webhook_sink" "$SINK" >/dev/null 2>&1 & sink=$!
sleep 0.3
payload=$(head -c 1000 /dev/zero | tr '\0' 'x')
cat > "$W/post.lua" <<LUA
wrk.method = "POST"
wrk.body = "{\"pad\":\"$payload\"}"
wrk.headers["Content-Type"] = "application/json"
LUA
CEIL=$(wrk -t1 -c32 -d5s -s "$W/post.lua" "http://127.0.0.1:$SINK/hook" |
	sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p')
kill "$sink"; wait "$sink" 2>/dev/null || true
echo "   $CEIL requests/s"

echo "== roiwatchd draining the outbox"
"$W/webhook_sink" "$SINK" > "$W/sink.out" 2>/dev/null & sink=$!
sleep 0.3
t0=$(date +%s.%N)
build/roiwatchd -c "$W/conf/roiwatchd.conf" 2>"$W/roiwatchd.log" & dpid=$!
for _ in $(seq 600); do
	pending=$(sqlite3 "$W/state/roiwatch.db" \
	    "select count(*) from outbox where status = 'pending'" 2>/dev/null || echo "$N")
	((pending == 0)) && break
	sleep 0.1
done
t1=$(date +%s.%N)
RSS=$(awk '/VmHWM/ { print $2 }' /proc/$dpid/status)
kill -TERM "$dpid"; wait "$dpid"; dpid=
kill -TERM "$sink"; wait "$sink" 2>/dev/null || true; sink=
COUNT=$(sed -n 's/^count=\([0-9]*\).*/\1/p' "$W/sink.out")
RATE=$(awk -v n="$COUNT" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
cat <<REPORT

== results ($(date -u +%Y-%m-%d), $(nproc) cores)
| measure                                     | per second | ratio |
|---------------------------------------------|------------|-------|
| wrk -> webhook_sink (sink ceiling)          | $CEIL | 1.00 |
| roiwatchd outbox -> webhook_sink ($COUNT of $N delivered, start included) | $RATE | $(awk -v a="$RATE" -v b="$CEIL" 'BEGIN { printf "%.2f", a / b }') |
| roiwatchd peak RSS                          | $((RSS / 1024)) MiB | |
REPORT
((COUNT == N)) || { echo "delivered $COUNT of $N" >&2; exit 1; }
