#!/usr/bin/env bash
# Alert benchmark: roiwatchd against Prometheus Alertmanager, in one run.
#
# 1. Burst. 2 000 distinct breaches for 200 clients (10 campaigns each, every
#    campaign's sample under its client's minimum_roi) reach roiwatchd as one
#    POST /v1/metrics per client (its 10 samples, its token), and reach
#    Alertmanager as one POST /api/v2/alerts per client (its 10 alerts, labels
#    client and campaign); 8 connections post at once, alike for both. Each
#    delivers to the shared webhook sink (../shared/baselines/webhook_sink.c
#    from the project root, built here with `cc -O2 ... -levent`, run as
#    `webhook_sink PORT`: it answers 200 at once and counts POSTs, printing
#    "time count" every second on stderr and "count= first= last=" on
#    SIGTERM). roiwatchd has one generic webhook receiver per client,
#    Alertmanager one webhook receiver for all. Reported: the time from the
#    first POST to the sink's last message, the messages it got, and the peak
#    RSS (VmHWM) of each. The sink only counts messages, so the same burst is
#    run again (fresh state) into a receiver of this benchmark that reads each
#    message: did every breach arrive, and how many arrived twice (in a second
#    message) -- and the messages the sink got are compared with the sends
#    each program reports as successful (a message sent twice shows there).
# 2. Latency. 1 000 samples posted to roiwatchd one at a time, each breaching
#    (a campaign of its own), each timed from its POST to its webhook's
#    arrival at a receiver this benchmark runs: p50, p99, max.
# Targets: no slower than Alertmanager, 0 duplicates, peak RSS <= 1/8 of
# Alertmanager's, latency p99 < 10 ms.
#
# Grouping, made comparable. Alertmanager groups by `client` (one aggregation
# group per client, as roiwatchd groups a client's events) with group_wait 0s:
# a group's first notification leaves as soon as its first alert is in, as
# roiwatchd sends what one judging slice found without waiting. Alerts that
# join a group after its first notification wait group_interval, and the
# group's next notification repeats every alert still firing; its default
# (5 m) would decide the burst's time alone, so it is set to AM_GROUP_INTERVAL
# (1 s: a setting in Alertmanager's favour). roiwatchd today has no group wait
# at all: each slice's events of a client leave as one message per receiver,
# never repeated. When the per-client group wait option lands, the
# benchmark sets it to 0 through ROIWATCH_CLIENT_GROUP_WAIT below (a JSON
# member added to every client's file); it is empty now, and nothing unusual
# is configured.
#
# Everything listens on 127.0.0.1, on ports found free; every process this
# script starts is stopped on exit (trap).
# Usage: scripts/bench-alerts.sh [--latency-only]
#   (ROIWATCHD=path measures another build of the daemon)
set -euo pipefail
ROIWATCH_TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROIWATCH_TOP"
. scripts/deps.sh
roiwatch_need $ROIWATCH_BUILD_PKGS $ROIWATCH_BENCH_PKGS

ONLY_LATENCY=0
[[ ${1:-} == --latency-only ]] && ONLY_LATENCY=1
CLIENTS=200 PER=10 CONNS=8 LATENCY_N=1000
AM_GROUP_INTERVAL=1s
QUIET=3		# seconds without a new message: everything is in (> group interval)
# Per-client group wait of roiwatchd, once the option exists: e.g. the JSON
# member that sets it to 0. Empty: not set (roiwatchd has no group wait yet).
ROIWATCH_CLIENT_GROUP_WAIT=""

SINK_SRC=$ROIWATCH_TOP/../shared/baselines/webhook_sink.c
if [[ ! -f $SINK_SRC ]]; then
	echo "bench-alerts: the shared webhook sink is absent: expected" \
	    "../shared/baselines/webhook_sink.c beside the project ($SINK_SRC)." \
	    "It is the receiver both programs deliver to; nothing was measured." >&2
	exit 1
fi
AM=$(command -v prometheus-alertmanager || true)
[[ -n $AM ]] || { echo "bench-alerts: prometheus-alertmanager not found" >&2; exit 1; }

roiwatch_build build -DCMAKE_BUILD_TYPE=Release
ROIWATCHD=${ROIWATCHD:-$ROIWATCH_TOP/build/roiwatchd}
W=$ROIWATCH_TOP/build/bench-alerts
rm -rf "$W"; mkdir -p "$W"
cc -O2 -o "$W/webhook_sink" "$SINK_SRC" -levent
PY=(/usr/bin/python3 "$ROIWATCH_TOP/scripts/bench/alerts.py")

PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# spawn LOG CMD...: start in the background, its pid in $SPAWNED.
spawn() {
	local log=$1; shift
	"$@" >"$log.out" 2>"$log.err" &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}
# stop PID: TERM, then wait for it.
stop() { kill -TERM "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status"; }
anon() { awk '/^RssAnon/ { print $2 }' "/proc/$1/status"; }	# private part, now
val() { sed -n "s/^$1=//p" <<<"$2"; }
wait_for() {	# wait_for WHAT CMD...: up to 20 s
	local what=$1 i; shift
	for i in $(seq 200); do "$@" && return 0; sleep 0.1; done
	echo "bench-alerts: timed out waiting for $what" >&2; exit 1
}
readarray -t PORTS < <("${PY[@]}" ports 3)
D_PORT=${PORTS[0]} AM_PORT=${PORTS[1]} R_PORT=${PORTS[2]}

# roiwatchd_conf DIR RECEIVER_PORT: 200 clients, a minimum ROI of 150 %, one
# webhook receiver each to 127.0.0.1:RECEIVER_PORT.
roiwatchd_conf() {
	local dir=$1 port=$2 i c
	mkdir -p "$dir/clients.d" "$dir/tokens"
	cat > "$dir/roiwatchd.conf" <<CONF
{ "state_dir": "$dir/state", "inbox_dir": "$dir/inbox", "listen_addr": "127.0.0.1",
  "listen_port": $D_PORT, "http_rate_per_minute": 1000000 }
CONF
	for i in $(seq 0 $((CLIENTS - 1))); do
		c=$(printf 'client-%04d' "$i")
		echo "bench-token-$c-0123456789" > "$dir/tokens/$c.token"
		cat > "$dir/clients.d/$c.conf" <<CONF
{ "id": "$c", "name": "Client $i", "currency": "EUR", "timezone": "UTC",
  "minimum_roi": "150%", "token_file": "tokens/$c.token",${ROIWATCH_CLIENT_GROUP_WAIT:+
  $ROIWATCH_CLIENT_GROUP_WAIT,}
  "receivers": [ { "name": "hook", "type": "webhook",
                   "url": "http://127.0.0.1:$port/hook/$c" } ] }
CONF
	done
}
start_roiwatchd() {	# start_roiwatchd DIR RECEIVER_PORT
	roiwatchd_conf "$1" "$2"
	spawn "$1/roiwatchd" "$ROIWATCHD" -c "$1/roiwatchd.conf"
	DPID=$SPAWNED
	wait_for "roiwatchd to start" grep -q 'started:' "$1/roiwatchd.err"
}
start_am() {		# start_am DIR RECEIVER_PORT
	mkdir -p "$1/data"
	cat > "$1/alertmanager.yml" <<CONF
route:
  receiver: sink
  group_by: [client]
  group_wait: 0s
  group_interval: $AM_GROUP_INTERVAL
  repeat_interval: 4h
receivers:
  - name: sink
    webhook_configs:
      - url: http://127.0.0.1:$2/hook
        send_resolved: false
CONF
	spawn "$1/am" "$AM" --config.file="$1/alertmanager.yml" \
	    --storage.path="$1/data" --web.listen-address="127.0.0.1:$AM_PORT" \
	    --cluster.listen-address= --log.level=warn
	APID=$SPAWNED
	wait_for "alertmanager to start" /usr/bin/python3 -c "
import http.client, sys
try:
    c = http.client.HTTPConnection('127.0.0.1', $AM_PORT, timeout=1)
    c.request('GET', '/-/ready'); sys.exit(c.getresponse().status != 200)
except OSError:
    sys.exit(1)"
}
# sink_run NAME: the sink on R_PORT, its pid in SPID.
sink_run() {
	spawn "$W/$1-sink" "$W/webhook_sink" "$R_PORT"
	SPID=$SPAWNED
	sleep 0.2
}

if ((ONLY_LATENCY)); then
	start_roiwatchd "$W/rw-latency" "$R_PORT"
	"${PY[@]}" latency "$D_PORT" "$CLIENTS" "$LATENCY_N" "$R_PORT"
	exit
fi

echo "== burst into the shared sink: roiwatchd ($((CLIENTS * PER)) breaches, $CLIENTS clients)"
sink_run rw
start_roiwatchd "$W/rw" "$R_PORT"
RW_RSS0=$(hwm "$DPID")
out=$("${PY[@]}" burst roiwatchd "$D_PORT" "$CLIENTS" "$PER" "$CONNS")
RW_T0=$(val first_post "$out")
"${PY[@]}" wait-quiet "$W/rw-sink.err" 1 "$QUIET" >/dev/null
RW_SENT=$("${PY[@]}" metric "$D_PORT" 'roiwatch_delivery_attempts_total{outcome="delivered"}')
RW_RSS=$(hwm "$DPID") RW_ANON=$(anon "$DPID")
stop "$DPID"; stop "$SPID"
sink=$(cat "$W/rw-sink.out")
RW_MSGS=$(sed -n 's/.*count=\([0-9]*\).*/\1/p' <<<"$sink")
RW_TIME=$(awk -v a="$RW_T0" -v b="$(sed -n 's/.*last=\([0-9.]*\).*/\1/p' <<<"$sink")" \
    'BEGIN { printf "%.3f", b - a }')
echo "   $RW_MSGS messages at the sink ($RW_SENT sent), last after $RW_TIME s; peak RSS $RW_RSS KiB"

echo "== burst into the shared sink: Alertmanager"
sink_run am
start_am "$W/am" "$R_PORT"
AM_RSS0=$(hwm "$APID")
out=$("${PY[@]}" burst alertmanager "$AM_PORT" "$CLIENTS" "$PER" "$CONNS")
AM_T0=$(val first_post "$out")
"${PY[@]}" wait-quiet "$W/am-sink.err" 1 "$QUIET" >/dev/null
AM_ALL=$("${PY[@]}" metric "$AM_PORT" 'alertmanager_notifications_total{integration="webhook"}')
AM_FAILED=$("${PY[@]}" metric "$AM_PORT" 'alertmanager_notifications_failed_total{integration="webhook"}')
AM_SENT=$((AM_ALL - AM_FAILED))
AM_RSS=$(hwm "$APID") AM_ANON=$(anon "$APID")
stop "$APID"; stop "$SPID"
sink=$(cat "$W/am-sink.out")
AM_MSGS=$(sed -n 's/.*count=\([0-9]*\).*/\1/p' <<<"$sink")
AM_TIME=$(awk -v a="$AM_T0" -v b="$(sed -n 's/.*last=\([0-9.]*\).*/\1/p' <<<"$sink")" \
    'BEGIN { printf "%.3f", b - a }')
echo "   $AM_MSGS messages at the sink ($AM_SENT sent), last after $AM_TIME s; peak RSS $AM_RSS KiB"

echo "== the same bursts into a receiver that reads every message"
start_roiwatchd "$W/rw-check" "$R_PORT"
RWC=$("${PY[@]}" burst roiwatchd "$D_PORT" "$CLIENTS" "$PER" "$CONNS" --check "$R_PORT" --quiet "$QUIET")
stop "$DPID"
echo "   roiwatchd:    $(tr '\n' ' ' <<<"$RWC")"
start_am "$W/am-check" "$R_PORT"
AMC=$("${PY[@]}" burst alertmanager "$AM_PORT" "$CLIENTS" "$PER" "$CONNS" --check "$R_PORT" --quiet "$QUIET")
stop "$APID"
echo "   Alertmanager: $(tr '\n' ' ' <<<"$AMC")"

echo "== latency: $LATENCY_N breaching samples posted one at a time to roiwatchd"
start_roiwatchd "$W/rw-latency" "$R_PORT"
LAT=$("${PY[@]}" latency "$D_PORT" "$CLIENTS" "$LATENCY_N" "$R_PORT")
stop "$DPID"
echo "   $(tr '\n' ' ' <<<"$LAT")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<REPORT

== results ($(date -u +%Y-%m-%d), $(nproc) cores; Alertmanager $("$AM" --version 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p;q'), group_by client, group_wait 0s, group_interval $AM_GROUP_INTERVAL)
| measure | roiwatchd | Alertmanager | ratio | target |
|---|---|---|---|---|
| $((CLIENTS * PER)) breaches: first POST to the sink's last message | $RW_TIME s | $AM_TIME s | $(ratio "$RW_TIME" "$AM_TIME") | <= 1 |
| messages at the sink (sends reported successful) | $RW_MSGS ($RW_SENT) | $AM_MSGS ($AM_SENT) | - | equal |
| breaches received / distinct (reading receiver) | $(val received "$RWC") / $(val distinct "$RWC") | $(val received "$AMC") / $(val distinct "$AMC") | - | $((CLIENTS * PER)) / $((CLIENTS * PER)) |
| duplicates (a breach in a second message) | $(val duplicates "$RWC") | $(val duplicates "$AMC") | - | 0 |
| time until every breach was in (reading receiver) | $(val all_after "$RWC") s | $(val all_after "$AMC") s | $(ratio "$(val all_after "$RWC")" "$(val all_after "$AMC")") | <= 1 |
| peak RSS (VmHWM; at start) | $RW_RSS KiB ($RW_RSS0) | $AM_RSS KiB ($AM_RSS0) | $(ratio "$RW_RSS" "$AM_RSS") | <= 0.125 |
| anonymous RSS after the burst (not file pages of libraries) | $RW_ANON KiB | $AM_ANON KiB | $(ratio "$RW_ANON" "$AM_ANON") | - |
| latency POST to webhook, $LATENCY_N samples one at a time | p50 $(val p50_ms "$LAT") ms, p99 $(val p99_ms "$LAT") ms, max $(val max_ms "$LAT") ms | - | - | p99 < 10 ms |
REPORT
