"""Alert benchmark driver (scripts/bench-alerts.sh starts and stops the
processes; this program only talks to them, on 127.0.0.1).

  ports N
      print N free TCP ports of 127.0.0.1, one a line.
  burst SYSTEM PORT CLIENTS PER CONNS [--check RECV_PORT --quiet S]
      post CLIENTS x PER breaches to SYSTEM (roiwatchd: one POST /v1/metrics of
      PER breaching samples per client, with the client's token; alertmanager:
      one POST /api/v2/alerts of PER alerts per client), from CONNS
      connections at once. Without --check it prints when the first POST left
      (unix seconds) and when the last was answered. With --check it also runs
      the receiver the webhooks point at, reads every message (roiwatchd:
      client.id and events[].campaign; alertmanager: labels client and
      campaign), waits until every breach arrived and nothing more came for S
      seconds, and prints messages, breaches received, distinct, duplicates
      (a breach received in a second message) and the time until all arrived.
  wait-quiet SINK_LOG EXPECT_MIN S
      wait until the sink's per-second count (its stderr, "time count") is at
      least EXPECT_MIN and has not moved for S seconds.
  metric PORT NAME
      print the value of the /metrics line NAME (with its labels, as
      written there; 0 when absent).
  latency PORT CLIENTS N RECV_PORT
      post N breaching samples to roiwatchd one at a time, each a campaign of
      its own, and time each from the POST until its webhook arrives at the
      receiver run here; the next one is posted once both the answer and the
      webhook are in. Prints p50, p99, max (ms).
Output lines are "key=value" for the shell script to pick up.
"""
import http.client
import http.server
import json
import socket
import sys
import threading
import time

DAY = time.strftime("%Y-%m-%d", time.gmtime())


def token(client):
    return "bench-token-%s-0123456789" % client


def client_id(i):
    return "client-%04d" % i


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Receiver:
    """A webhook receiver: records (arrival time, body) of every POST."""

    def __init__(self, port):
        self.lock = threading.Condition()
        self.got = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                t = time.time()
                tp = time.perf_counter()
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with outer.lock:
                    outer.got.append((t, tp, body))
                    outer.lock.notify_all()

            def log_message(self, *a):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            # The default backlog (5) drops the connections of a sender
            # that opens dozens at once: each then waits for a SYN resent
            # a second later.
            request_queue_size = 256

        self.srv = Server(("127.0.0.1", port), Handler)
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def close(self):
        self.srv.shutdown()
        self.srv.server_close()


def breaches(system, body):
    """The (client, campaign) pairs one message reports firing."""
    doc = json.loads(body)
    if system == "roiwatchd":
        c = doc["client"]["id"]
        return [(c, e["campaign"]) for e in doc["events"]
                if e.get("action") == "fire"]
    return [(a["labels"]["client"], a["labels"]["campaign"])
            for a in doc["alerts"] if a.get("status") == "firing"]


def request(system, i, per, tag):
    c = client_id(i)
    if system == "roiwatchd":
        rows = [{"client": c, "campaign": "%s-%02d" % (tag, k), "channel": "search",
                 "date": DAY, "cost": "100.00", "revenue": "90.00"}
                for k in range(per)]
        return ("/v1/metrics", json.dumps(rows),
                {"Content-Type": "application/json",
                 "Authorization": "Bearer " + token(c)})
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    alerts = [{"labels": {"alertname": "roi_low", "client": c,
                          "campaign": "%s-%02d" % (tag, k)},
               "annotations": {"summary": "ROI -10.00% under the minimum 150%"},
               "startsAt": now} for k in range(per)]
    return ("/api/v2/alerts", json.dumps(alerts),
            {"Content-Type": "application/json"})


def post_all(system, port, clients, per, conns):
    """Post from conns connections at once; returns (t_first, t_last)."""
    errors = []
    t0 = [None]
    start = threading.Barrier(conns)

    def worker(k):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        if k == 0:
            t0[0] = time.time()
        for i in range(k, clients, conns):
            path, body, headers = request(system, i, per, "camp")
            conn.request("POST", path, body, headers)
            r = conn.getresponse()
            data = r.read()
            if r.status // 100 != 2:
                errors.append("%s: HTTP %d %s" % (client_id(i), r.status, data[:200]))
        conn.close()

    ts = [threading.Thread(target=worker, args=(k,)) for k in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        sys.exit("bench-alerts: %d request(s) refused, first: %s" % (len(errors), errors[0]))
    return t0[0], time.time()


def cmd_burst(args):
    system, port, clients, per, conns = args[0], int(args[1]), int(args[2]), int(args[3]), int(args[4])
    recv = None
    if "--check" in args:
        recv = Receiver(int(args[args.index("--check") + 1]))
        quiet = float(args[args.index("--quiet") + 1])
    t_first, t_last = post_all(system, port, clients, per, conns)
    print("first_post=%.6f" % t_first)
    print("posted=%.6f" % t_last)
    if recv is None:
        return
    want = clients * per
    deadline = time.time() + 300
    all_at = None
    with recv.lock:
        while time.time() < deadline:
            seen = set()
            for t, _, body in recv.got:
                seen.update(breaches(system, body))
                if all_at is None and len(seen) >= want:
                    all_at = t
            if all_at is not None:
                break
            recv.lock.wait(0.2)
    # Then nothing more for `quiet` seconds (late duplicates are counted).
    n = -1
    while True:
        with recv.lock:
            if len(recv.got) == n:
                break
            n = len(recv.got)
        time.sleep(quiet)
    with recv.lock:
        got = list(recv.got)
    recv.close()
    pairs = [p for _, _, body in got for p in breaches(system, body)]
    distinct = len(set(pairs))
    print("messages=%d" % len(got))
    print("received=%d" % len(pairs))
    print("distinct=%d" % distinct)
    print("duplicates=%d" % (len(pairs) - distinct))
    print("all_after=%s" % ("%.3f" % (all_at - t_first) if all_at else "never"))
    if all_at is None:
        sys.exit("bench-alerts: %s: only %d of %d breaches arrived" % (system, distinct, want))


def sink_count(path):
    try:
        with open(path) as f:
            lines = f.read().split("\n")
    except OSError:
        return -1
    for line in reversed(lines):
        parts = line.split()
        if len(parts) == 2:
            return int(parts[1])
    return -1


def cmd_wait_quiet(args):
    path, expect, quiet = args[0], int(args[1]), float(args[2])
    deadline = time.time() + 300
    n, since = -1, time.time()
    while time.time() < deadline:
        c = sink_count(path)
        if c != n:
            n, since = c, time.time()
        elif n >= expect and time.time() - since >= quiet:
            print("sink_count=%d" % n)
            return
        time.sleep(0.1)
    sys.exit("bench-alerts: the sink got %d message(s), fewer than %d, in 300 s" % (n, expect))


def cmd_latency(args):
    port, clients, n, rport = int(args[0]), int(args[1]), int(args[2]), int(args[3])
    recv = Receiver(rport)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    lat = []
    for i in range(n):
        c = client_id(i % clients)
        body = json.dumps([{"client": c, "campaign": "lat-%05d" % i, "channel": "search",
                            "date": DAY, "cost": "100.00", "revenue": "90.00"}])
        with recv.lock:
            before = len(recv.got)
        t0 = time.perf_counter()
        conn.request("POST", "/v1/metrics", body,
                     {"Content-Type": "application/json", "Authorization": "Bearer " + token(c)})
        r = conn.getresponse()
        data = r.read()
        if r.status // 100 != 2:
            sys.exit("bench-alerts: latency sample %d: HTTP %d %s" % (i, r.status, data[:200]))
        with recv.lock:
            if not recv.lock.wait_for(lambda: len(recv.got) > before, 30):
                sys.exit("bench-alerts: latency sample %d: no webhook within 30 s" % i)
            _, tp, body = recv.got[before]
        if ((c, "lat-%05d" % i)) not in breaches("roiwatchd", body):
            sys.exit("bench-alerts: latency sample %d: the webhook reports another breach" % i)
        lat.append((tp - t0) * 1000)
    conn.close()
    recv.close()
    print("samples=%d" % len(lat))
    print("p50_ms=%.2f" % pct(lat, 50))
    print("p99_ms=%.2f" % pct(lat, 99))
    print("max_ms=%.2f" % max(lat))


def cmd_metric(args):
    conn = http.client.HTTPConnection("127.0.0.1", int(args[0]), timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    total = 0.0
    for line in text.split("\n"):
        if line.startswith(args[1] + " "):
            total += float(line.rsplit(" ", 1)[1])
    print(int(total) if total == int(total) else total)


def cmd_ports(args):
    socks = []
    for _ in range(int(args[0])):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    for s in socks:
        print(s.getsockname()[1])
        s.close()


def main():
    cmds = {"ports": cmd_ports, "burst": cmd_burst, "wait-quiet": cmd_wait_quiet,
            "latency": cmd_latency, "metric": cmd_metric}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
