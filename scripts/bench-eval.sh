#!/usr/bin/env bash
# Evaluation benchmark: CAMPAIGNS campaigns (default 10 000, in clients of 100)
# with 365 days of data each, 5 rules per client (the shorthand roi_low and
# roi_target over the lifetime, CPA over the last 7 days, ROI change against
# the previous 7 days, and a monthly budget's pacing for the client's total).
#   full  the time to judge every campaign (and the channel and client subjects
#         that follow), as the daemon does at start and after a reload; against
#         the floor: sqlite3 computing the same sums with one GROUP BY over the
#         same database (reading the data once). Target: <= 1.5x the floor.
#   one   the time to judge again after one new sample (median and p99 of 200),
#         at 1 000 and at 10 000 campaigns: it must not grow with their number.
# Both timed warm (a first run reads the database into the page cache).
# Usage: scripts/bench-eval.sh [CAMPAIGNS]
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_BENCH_PKGS pkg-config gcc
BIG=${1:-10000}
PER=100				# campaigns per client
DAYS=365
roiwatch_build build-bench -DCMAKE_BUILD_TYPE=Release -DROIWATCH_BUILD_TESTS=OFF
W=$ROIWATCH_TOP/build-bench/eval
mkdir -p "$W"
# shellcheck disable=SC2046
gcc -std=c11 -O2 -D_GNU_SOURCE -Iinclude scripts/bench/eval_bench.c \
	build-bench/libroiwatch_core.a \
	$(pkg-config --libs libevent libcurl sqlite3 libcjson libcrypto) \
	-lpthread -lm -o "$W/eval_bench"

TODAY=$(date -u +%Y-%m-%d)
day() { date -u -d "$TODAY $1 days" +%Y-%m-%d; }

# setup DIR N: configuration, clients with their 5 rules, and N campaigns of
# DAYS days ingested (the ingest judges them once: not timed).
setup() {
	local dir=$1 n=$2 clients i c
	clients=$(( (n + PER - 1) / PER ))
	rm -rf "$dir"; mkdir -p "$dir/conf/clients.d" "$dir/conf/tokens"
	cat > "$dir/conf/roiwatchd.conf" <<CONF
{ "state_dir": "$dir/state", "listen_addr": "", "inbox_dir": "$dir/inbox" }
CONF
	for i in $(seq 0 $((clients - 1))); do
		c=$(printf 'client-%04d' "$i")
		echo "bench-token-$c-0123456789" > "$dir/conf/tokens/$c.token"
		cat > "$dir/conf/clients.d/$c.conf" <<CONF
{ "id": "$c", "name": "Client $i", "currency": "EUR", "timezone": "UTC",
  "minimum_roi": "50%", "target_roi": "300%", "token_file": "tokens/$c.token",
  "receivers": [ { "name": "mailbox", "type": "file", "dir": "mail/$c" } ],
  "rules": [
    { "name": "cpa_high", "kpi": "cpa", "op": ">", "value": "40", "window": "last_7_days" },
    { "name": "roi_drop", "type": "change", "kpi": "roi", "op": "<", "value": "-30%",
      "window": "last_7_days" },
    { "name": "month_budget", "type": "budget", "scope": "client", "budget": "60000",
      "period": "month", "kpi": "pacing", "op": ">", "value": "1.1" } ] }
CONF
	done
	awk -v n="$n" -v per="$PER" -v days="$DAYS" -v today="$(date -u -d "$TODAY" +%s)" 'BEGIN {
		print "client,campaign,channel,date,cost,revenue,clicks,conversions"
		srand(20261202)
		for (j = 0; j < n; j++) {
			c = sprintf("client-%04d", int(j / per))
			ch = (j % 3 == 0) ? "meta" : (j % 3 == 1) ? "google" : "email"
			for (d = days - 1; d >= 0; d--) {
				cost = 10 + int(rand() * 20)
				printf "%s,campaign-%06d,%s,%s,%d.00,%d.%02d,%d,%d\n", c, j, ch,
				    strftime("%Y-%m-%d", today - d * 86400, 1), cost,
				    cost * (1 + int(rand() * 3)), int(rand() * 100),
				    10 + int(rand() * 50), int(rand() * 3)
			}
		}
	}' > "$dir/data.csv"
	build-bench/roiwatch -c "$dir/conf/roiwatchd.conf" ingest "$dir/data.csv" | tail -n1
}

# The floor: the sums the rules read, for every campaign, in one GROUP BY.
floor() {
	local db=$1 l7a l7b p7a p7b m0
	l7a=$(( $(date -u -d "$(day -7)" +%s) / 86400 )); l7b=$(( l7a + 6 ))
	p7a=$(( l7a - 7 )); p7b=$(( l7a - 1 ))
	m0=$(( $(date -u -d "$(date -u -d "$TODAY" +%Y-%m-01)" +%s) / 86400 ))
	local t0 t1
	t0=$(date +%s.%N)
	sqlite3 "$db" "SELECT client, campaign, count(*), sum(cost), sum(revenue),
	    sum(CASE WHEN day BETWEEN $l7a AND $l7b THEN cost END),
	    sum(CASE WHEN day BETWEEN $l7a AND $l7b THEN revenue END),
	    sum(CASE WHEN day BETWEEN $l7a AND $l7b THEN conversions END),
	    sum(CASE WHEN day BETWEEN $p7a AND $p7b THEN cost END),
	    sum(CASE WHEN day BETWEEN $p7a AND $p7b THEN revenue END),
	    sum(CASE WHEN day >= $m0 THEN cost END)
	    FROM metrics GROUP BY client, campaign" > /dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

report() {
	local n=$1 dir=$W/n$1 full floor_s one
	echo "== $n campaigns x $DAYS days ($(( (n + PER - 1) / PER )) clients, 5 rules each)"
	setup "$dir" "$n"
	"$W/eval_bench" "$dir/conf/roiwatchd.conf" full > /dev/null	# warm
	floor "$dir/state/roiwatch.db" > /dev/null
	full=$("$W/eval_bench" "$dir/conf/roiwatchd.conf" full)
	floor_s=$(floor "$dir/state/roiwatch.db")
	one=$("$W/eval_bench" "$dir/conf/roiwatchd.conf" one 200)
	echo "   full re-evaluation   ${full} s   floor (sqlite3, one GROUP BY) ${floor_s} s" \
	    " ratio $(awk -v a="$full" -v b="$floor_s" 'BEGIN { printf "%.2f", a / b }')x"
	echo "   after one new sample median $(echo "$one" | cut -d' ' -f1) ms," \
	    "p99 $(echo "$one" | cut -d' ' -f2) ms"
}

report 1000
report "$BIG"
