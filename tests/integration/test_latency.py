"""Latency of an alert: a lone breaching sample is judged as soon as it is
committed and its webhook leaves at once (no fixed delay to wait for other
commits); a burst of commits from many connections still yields every breach
exactly once, grouped per client."""
import http.client
import json
import statistics
import threading
import time

from harness import Daemon, Recorder, RecorderHandler, check, client, run, wait_for


class TimedHandler(RecorderHandler):
    """Records when each POST arrived (monotonic), beside what it carried."""

    def do_POST(self):
        t = time.monotonic()
        super().do_POST()
        with self.server.lock:
            self.server.times.append(t)


def recorder():
    rec = Recorder()
    rec.times = []
    rec.RequestHandlerClass = TimedHandler
    return rec


def hook(rec, cid):
    return [{"name": "hook", "type": "webhook",
             "url": "http://127.0.0.1:%d/%s" % (rec.port, cid)}]


def post(port, cid, rows, conn=None):
    own = conn is None
    if own:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/v1/metrics", json.dumps(rows),
                 {"Content-Type": "application/json",
                  "Authorization": "Bearer " + cid + "-token-0123456789abcdef"})
    r = conn.getresponse()
    body = r.read()
    check(r.status == 202, "POST: HTTP %d %s" % (r.status, body))
    if own:
        conn.close()


def row(cid, campaign):
    # ROI -50 % against a minimum of 150 % (2.5:1), spend over minimum_spend.
    return {"client": cid, "campaign": campaign, "channel": "search",
            "date": "2026-11-20", "cost": "200.00", "revenue": "100.00"}


def fired(body):
    doc = json.loads(body)
    return [(doc["client"]["id"], e["campaign"]) for e in doc["events"]
            if e["action"] == "fire"]


def test_lone_sample_alerts_at_once():
    rec = recorder()
    d = Daemon([client("acme", receivers=hook(rec, "acme"))])
    try:
        d.start()
        conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
        lat = []
        for i in range(9):
            n = len(rec.requests)
            t0 = time.monotonic()
            post(d.port, "acme", [row("acme", "solo-%d" % i)], conn)
            wait_for(lambda: len(rec.times) > n, what="webhook of sample %d" % i)
            with rec.lock:
                check(fired(rec.requests[n][1]) == [("acme", "solo-%d" % i)],
                      "sample %d: message reports %r" % (i, fired(rec.requests[n][1])))
                lat.append((rec.times[n] - t0) * 1000)
        conn.close()
        # Before: judged a fixed 50 ms after the commit, so about 50 ms.
        # Now a few ms; 30 leaves room for a loaded machine or a sanitizer build.
        med = statistics.median(lat)
        check(med < 30, "median POST-to-webhook latency %.1f ms (all: %s)" %
              (med, ", ".join("%.1f" % x for x in lat)))
        check(len(rec.requests) == 9, "%d messages for 9 samples" % len(rec.requests))
    finally:
        d.stop()
        rec.close()


def test_burst_every_breach_once():
    rec = recorder()
    ids = ["c%d" % i for i in range(6)]
    d = Daemon([client(c, receivers=hook(rec, c)) for c in ids])
    try:
        d.start()
        errors = []

        def worker(cid):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
                for k in range(5):
                    post(d.port, cid, [row(cid, "b%d-%d" % (k, j)) for j in range(4)], conn)
                conn.close()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append("%s: %s" % (cid, e))

        ts = [threading.Thread(target=worker, args=(c,)) for c in ids]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        check(not errors, "posting: %s" % errors)
        want = {(c, "b%d-%d" % (k, j)) for c in ids for k in range(5) for j in range(4)}

        def got():
            with rec.lock:
                return [p for _, body in rec.requests for p in fired(body)]
        wait_for(lambda: set(got()) >= want, what="every breach at the receiver")
        # Nothing more is on its way: the outbox is empty of pending items.
        wait_for(lambda: d.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0]
                 == 0, what="the outbox to drain")
        pairs = got()
        check(len(pairs) == len(want) and set(pairs) == want,
              "%d breaches received for %d distinct (duplicates or strays)" %
              (len(pairs), len(want)))
    finally:
        d.stop()
        rec.close()


if __name__ == "__main__":
    run([test_lone_sample_alerts_at_once, test_burst_every_breach_once])
