#!/usr/bin/env bash
# Digests benchmark: CLIENTS clients (default 1 000) of 50 campaigns with 400
# days of history each (20 million samples at the default), three channels,
# a monthly budget, CLV inputs and a monthly digest per client. Every
# client's digest of last month (against the 30 days before it) is read from
# the store and rendered in every form -- text, HTML e-mail, report page,
# report.json, Slack, outbox payload -- in one run, nothing sent
# (scripts/bench/digest_bench.c, the daemon's own library). Compared in the
# same run with the floor: sqlite3 computing the same period sums with
# GROUP BY over the same database (per campaign and per channel for both
# periods, per day for the client's chart). Both timed warm.
# Usage: scripts/bench-digests.sh [CLIENTS]
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_BENCH_PKGS pkg-config gcc
CLIENTS=${1:-1000}
PER=50				# campaigns per client
DAYS=400
roiwatch_build build-bench -DCMAKE_BUILD_TYPE=Release -DROIWATCH_BUILD_TESTS=OFF
W=$ROIWATCH_TOP/build-bench/digests
mkdir -p "$W"
# shellcheck disable=SC2046
gcc -std=c11 -O2 -D_GNU_SOURCE -Iinclude scripts/bench/digest_bench.c \
	build-bench/libroiwatch_core.a \
	$(pkg-config --libs libevent libcurl sqlite3 libcjson libcrypto) \
	-lpthread -lm -o "$W/digest_bench"

TODAY=$(date -u +%Y-%m-%d)
DIR=$W/c$CLIENTS
setup() {
	local i c
	rm -rf "$DIR"; mkdir -p "$DIR/conf/clients.d" "$DIR/conf/tokens"
	cat > "$DIR/conf/roiwatchd.conf" <<CONF
{ "state_dir": "$DIR/state", "listen_addr": "", "inbox_dir": "$DIR/inbox" }
CONF
	for i in $(seq 0 $((CLIENTS - 1))); do
		c=$(printf 'client-%04d' "$i")
		echo "bench-token-$c-0123456789" > "$DIR/conf/tokens/$c.token"
		cat > "$DIR/conf/clients.d/$c.conf" <<CONF
{ "id": "$c", "name": "Client $i", "currency": "EUR", "timezone": "Europe/Paris",
  "language": "$( ((i % 2)) && echo fr || echo en)",
  "minimum_roi": "50%", "target_roi": "300%", "token_file": "tokens/$c.token",
  "receivers": [ { "name": "mailbox", "type": "file", "dir": "mail/$c" } ],
  "clv": { "meta": { "monthly_transactions": "1.5", "order_value": "40",
                     "gross_margin": "60%", "lifetime_months": "12" } },
  "rules": [
    { "name": "month_budget", "type": "budget", "scope": "client", "budget": "30000",
      "period": "month", "kpi": "pacing", "op": ">", "value": "1.1" } ],
  "digests": [ { "name": "monthly", "every": "monthly", "day": 1, "at": "08:00",
                 "receivers": ["mailbox"] } ] }
CONF
	done
	# One file per 100 clients: each under the ingest's max_file_bytes.
	awk -v n="$CLIENTS" -v per="$PER" -v days="$DAYS" -v dir="$DIR" \
	    -v today="$(date -u -d "$TODAY" +%s)" 'BEGIN {
		srand(20261203)
		for (i = 0; i < n; i++) {
			if (i % 100 == 0) {
				if (out != "")
					close(out)
				out = sprintf("%s/data-%04d.csv", dir, i / 100)
				print "client,campaign,channel,date,cost,revenue,clicks,conversions" > out
			}
			c = sprintf("client-%04d", i)
			for (j = 0; j < per; j++) {
				ch = (j % 3 == 0) ? "meta" : (j % 3 == 1) ? "google" : "whatsapp"
				for (d = days; d >= 1; d--) {
					cost = 10 + int(rand() * 20)
					printf "%s,campaign-%02d,%s,%s,%d.00,%d.%02d,%d,%d\n", c, j, ch,
					    strftime("%Y-%m-%d", today - d * 86400, 1), cost,
					    cost * (1 + int(rand() * 3)), int(rand() * 100),
					    10 + int(rand() * 50), int(rand() * 3) > out
				}
			}
		}
	}'
	build-bench/roiwatch -c "$DIR/conf/roiwatchd.conf" ingest "$DIR"/data-*.csv | tail -n1
	rm -f "$DIR"/data-*.csv
}

# The floor: the same period sums in three GROUP BY statements.
floor() {
	local db=$1 from to pfrom
	from=$(( $(date -u -d "$(date -u -d "$TODAY -1 month" +%Y-%m-01)" +%s) / 86400 ))
	to=$(( $(date -u -d "$(date -u -d "$TODAY" +%Y-%m-01)" +%s) / 86400 - 1 ))
	pfrom=$(( from - (to - from + 1) ))
	/usr/bin/time -f "%e %M" sqlite3 "$db" "
	    SELECT client, campaign, day >= $from, sum(cost), sum(revenue),
	      sum(conversions), count(*) FROM metrics
	      WHERE day BETWEEN $pfrom AND $to GROUP BY client, campaign, day >= $from;
	    SELECT client, channel, day >= $from, sum(cost), sum(revenue),
	      sum(conversions), count(*) FROM metrics
	      WHERE day BETWEEN $pfrom AND $to GROUP BY client, channel, day >= $from;
	    SELECT client, day, sum(cost), sum(revenue) FROM metrics
	      WHERE day BETWEEN $pfrom AND $to GROUP BY client, day;" 2>&1 >/dev/null | tail -n1
}

echo "== $CLIENTS clients x $PER campaigns x $DAYS days"
if [ ! -f "$DIR/state/roiwatch.db" ] || [ "${ROIWATCH_BENCH_FRESH:-0}" = 1 ]; then
	setup
fi
"$W/digest_bench" "$DIR/conf/roiwatchd.conf" last-month > /dev/null	# warm
floor "$DIR/state/roiwatch.db" > /dev/null
read -r n secs p50 pmax bytes rss < <("$W/digest_bench" "$DIR/conf/roiwatchd.conf" last-month)
read -r fsecs frss < <(floor "$DIR/state/roiwatch.db")
echo "   digests of last month  $n clients in ${secs} s (per client median ${p50} ms," \
    "max ${pmax} ms), $((bytes / 1024 / 1024)) MiB rendered, peak RSS ${rss} KiB"
echo "   floor (sqlite3, GROUP BY sums)  ${fsecs} s, peak RSS ${frss} KiB"
echo "   ratio $(awk -v a="$secs" -v b="$fsecs" 'BEGIN { printf "%.2f", a / b }')x the floor"
