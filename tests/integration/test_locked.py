"""Another process holding the database's write lock (a backfill, an operator's
sqlite3) neither stalls the daemon's loop nor makes it send twice: /healthz
answers at once meanwhile, and a delivery that finished while the store was
locked has its outcome recorded once the lock is gone, not sent again; a
webhook POSTed meanwhile is held and answered 202 once the lock is gone, or
503 with Retry-After when it stays locked more than 5 s."""
import http.client
import json
import os
import sqlite3
import threading
import time

from harness import Daemon, Recorder, check, client, run, wait_for

HEADER = "client,campaign,channel,date,cost,revenue\n"


def healthz_secs(port):
    t0 = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.request("GET", "/healthz")
    c.getresponse().read()
    c.close()
    return time.monotonic() - t0


def test_outcome_recorded_after_lock():
    rec = Recorder(delay=1.0)
    d = Daemon([client("acme", minimum_spend="0", receivers=[
        {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/h" % rec.port}])])
    try:
        d.start()
        d.drop("a.csv", HEADER + "acme,loser,search,2026-11-01,1000,100\n")
        wait_for(lambda: len(rec.requests) == 1, what="the alert reaching the receiver")
        # The receiver answers in 1 s; meanwhile another process takes the
        # write lock and keeps it 2 s.
        con = sqlite3.connect(os.path.join(d.state, "roiwatch.db"), isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        worst = 0.0
        t_end = time.monotonic() + 2.0
        while time.monotonic() < t_end:
            worst = max(worst, healthz_secs(d.port))
            time.sleep(0.05)
        con.execute("ROLLBACK")
        con.close()
        check(worst < 0.5, "the loop waited %.2f s for the lock" % worst)
        wait_for(lambda: d.query("select status from outbox") == [("done",)],
                 what="the outcome recorded after the lock")
        time.sleep(2.5)         # a retry would have come by now
        check(len(rec.requests) == 1, "sent %d times" % len(rec.requests))
        check("outcome kept for later" in d.log(), d.log())
    finally:
        d.cleanup()
        rec.close()


def post(d, out):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
    body = json.dumps([{"client": "acme", "campaign": "held", "date": "2026-11-02",
                        "cost": "10", "revenue": "30"}])
    t0 = time.monotonic()
    c.request("POST", "/v1/metrics", body, {"Authorization": "Bearer " + d.clients[0]["token"],
                                            "Content-Type": "application/json"})
    r = c.getresponse()
    r.read()
    out.append((r.status, r.getheader("Retry-After"), time.monotonic() - t0))
    c.close()


def test_webhook_held_while_locked():
    d = Daemon([client("acme")])
    try:
        d.start()
        con = sqlite3.connect(os.path.join(d.state, "roiwatch.db"), isolation_level=None)
        # Held 1 s: answered 202 once the lock is gone.
        con.execute("BEGIN IMMEDIATE")
        out = []
        t = threading.Thread(target=post, args=(d, out))
        t.start()
        time.sleep(1.0)
        worst = healthz_secs(d.port)
        con.execute("ROLLBACK")
        t.join()
        check(worst < 0.5, "/healthz waited %.2f s" % worst)
        check(out and out[0][0] == 202 and out[0][2] >= 0.9,
              "held request: %r" % out)
        check(d.query("select count(*) from metrics where campaign = 'held'") == [(1,)],
              "the held request's row is not stored")
        # Held 6 s: 503 with Retry-After after about 5 s, nothing stored.
        con.execute("BEGIN IMMEDIATE")
        out = []
        t = threading.Thread(target=post, args=(d, out))
        t.start()
        t.join(timeout=15)
        con.execute("ROLLBACK")
        con.close()
        check(out and out[0][0] == 503 and out[0][1] is not None and 4.5 <= out[0][2] < 7,
              "request past the wait: %r" % out)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_outcome_recorded_after_lock, test_webhook_held_while_locked])
