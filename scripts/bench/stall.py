"""Loop-stall benchmark (scripts/bench-stall.sh drives it).

Three measures, on one machine in one run:
  1. start: time from exec to READY=1 (sd_notify on a private socket) with N
     stored campaigns, and the longest /healthz answer while the start-up sweep
     judges every campaign (the loop is held at most one slice at a time);
  2. reload: the same around SIGHUP (a sweep of every campaign again);
  3. backfill: `roiwatch ingest` of R rows into the same database while a
     client posts one-row webhooks every 10 ms: latency p50/p99/max and how
     many were not 2xx.
Prints one line per measure and a Markdown table.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


class Prober(threading.Thread):
    """GET /healthz back to back (1 ms apart), recording each latency."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.lat = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self):
        conn = None
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("GET", "/healthz")
                conn.getresponse().read()
                self.lat.append(time.monotonic() - t0)
            except OSError:
                self.errors += 1
                conn = None
                time.sleep(0.01)
            time.sleep(0.001)


class Poster(threading.Thread):
    """POST a one-row JSON body every 10 ms, recording latency and status."""

    def __init__(self, port, token, client):
        super().__init__(daemon=True)
        self.port, self.token, self.client = port, token, client
        self.lat = []
        self.when = []
        self.bad = 0
        self.stop = threading.Event()

    def run(self):
        conn = None
        i = 0
        while not self.stop.is_set():
            i += 1
            body = json.dumps([{"client": self.client, "campaign": "live-%d" % (i % 50),
                                "date": "2026-11-%02d" % (1 + i % 28), "cost": "1.00",
                                "revenue": "3.00"}])
            t0 = time.monotonic()
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                conn.request("POST", "/v1/metrics", body,
                             {"Authorization": "Bearer " + self.token,
                              "Content-Type": "application/json"})
                r = conn.getresponse()
                r.read()
                if r.status // 100 != 2:
                    self.bad += 1
                self.lat.append(time.monotonic() - t0)
                self.when.append(t0)
            except OSError:
                self.bad += 1
                conn = None
            time.sleep(0.01)


def start_daemon(a, log):
    sock_path = os.path.join(a.work, "notify.sock")
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(sock_path)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    t0 = time.monotonic()
    p = subprocess.Popen([a.roiwatchd, "-c", a.conf], stdout=log, stderr=log, env=env)
    ns.settimeout(120)
    while True:
        msg = ns.recv(4096).decode()
        if "READY=1" in msg:
            break
    ready = time.monotonic() - t0
    return p, ns, ready


def wait_log(path, text, start, timeout=3600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, errors="replace") as f:
            f.seek(start)
            if text in f.read():
                return True
        time.sleep(0.05)
    return False


def sweep(a, log_path, what, action):
    """Probe the loop while `action` starts a sweep; until it ends."""
    start = os.path.getsize(log_path)
    pr = Prober(a.port)
    pr.start()
    t0 = time.monotonic()
    res = action()
    ok = wait_log(log_path, "every stored campaign judged", start)
    secs = time.monotonic() - t0
    pr.stop.set()
    pr.join()
    mx = max(pr.lat) if pr.lat else float("nan")
    print("%s: sweep of every campaign %.1f s, %d /healthz probes, longest %.1f ms, p99 %.1f ms%s"
          % (what, secs, len(pr.lat), mx * 1000, pct(pr.lat, 99) * 1000,
             "" if ok else " (sweep end not seen)"), flush=True)
    return res, secs, mx, pct(pr.lat, 99), len(pr.lat)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--roiwatchd", required=True)
    ap.add_argument("--roiwatch", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--client", required=True)
    ap.add_argument("--backfill", required=True)
    ap.add_argument("--campaigns", type=int, required=True)
    ap.add_argument("--backfill-rows", type=int, required=True)
    a = ap.parse_args()

    log_path = os.path.join(a.work, "roiwatchd.log")
    log = open(log_path, "a")
    p, ns, ready = None, None, None
    try:
        def do_start():
            nonlocal p, ns, ready
            p, ns, ready = start_daemon(a, log)
        _, s_secs, s_max, s_p99, s_n = sweep(a, log_path, "start", do_start)
        print("start: READY=1 after %.2f s with %d campaigns" % (ready, a.campaigns), flush=True)
        _, r_secs, r_max, r_p99, r_n = sweep(a, log_path, "reload",
                                             lambda: p.send_signal(signal.SIGHUP))

        post = Poster(a.port, a.token, a.client)
        post.start()
        time.sleep(1.0)
        t0 = time.monotonic()
        r = subprocess.run([a.roiwatch, "-c", a.conf, "ingest", a.backfill],
                           capture_output=True, text=True)
        b_secs = time.monotonic() - t0
        n_during = len(post.lat)
        time.sleep(0.5)
        post.stop.set()
        post.join()
        if r.returncode != 0:
            print(r.stdout + r.stderr, file=sys.stderr)
            raise SystemExit("backfill failed")
        lat = post.lat
        if os.environ.get("STALL_DEBUG"):
            worst = sorted(zip(post.lat, post.when), reverse=True)[:10]
            print("slowest webhooks (ms, seconds after the backfill started): " +
                  ", ".join("%.0f@%.2f" % (l * 1000, w - t0) for l, w in worst))
        print("backfill: %d rows in %.1f s; %d webhooks meanwhile, p50 %.1f ms, p99 %.1f ms, "
              "max %.1f ms, %d not 2xx" % (a.backfill_rows, b_secs, n_during,
                                          pct(lat, 50) * 1000, pct(lat, 99) * 1000,
                                          max(lat) * 1000, post.bad), flush=True)
        with urllib_get(a.port, "/metrics") as m:
            slice_max = [l for l in m.splitlines()
                         if l.startswith("roiwatch_evaluation_slice_max_seconds ")]
        print("daemon: %s" % (slice_max[0] if slice_max else "no slice metric"))
        print()
        print("| measure | figure | target |")
        print("|---|---|---|")
        print("| READY=1 after start, %d campaigns | %.2f s | < 2 s |" % (a.campaigns, ready))
        print("| longest /healthz during the start-up sweep (%.0f s, %d probes) | %.1f ms | < 50 ms |"
              % (s_secs, s_n, s_max * 1000))
        print("| longest /healthz during the reload sweep (%.0f s, %d probes) | %.1f ms | < 50 ms |"
              % (r_secs, r_n, r_max * 1000))
        print("| webhook p99 during a %d-row backfill (%d requests) | %.1f ms (max %.1f, %d not 2xx) | < 100 ms |"
              % (a.backfill_rows, n_during, pct(lat, 99) * 1000, max(lat) * 1000, post.bad))
    finally:
        if p is not None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
        if ns is not None:
            ns.close()
        log.close()


class urllib_get:
    def __init__(self, port, path):
        self.c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.c.request("GET", path)
        self.body = self.c.getresponse().read().decode()

    def __enter__(self):
        return self.body

    def __exit__(self, *a):
        self.c.close()


if __name__ == "__main__":
    main()
