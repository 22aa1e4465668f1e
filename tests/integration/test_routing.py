"""Routing and noise, end to end: each receiver gets only the severities it
asks for (a receiver left with nothing gets nothing); a client's grouping wait
turns a burst of evaluations into one message; a receiver's rate limit spaces
its deliveries, measured at a local HTTP receiver, and never delays another
receiver or client; notices queued by `roiwatch ingest` while the daemon was
stopped reach the receiver as one catch-up summary."""
import http.server
import json
import os
import threading
import time

from harness import CSV_HEADER, Daemon, check, client, run, wait_for


def row(cid, campaign, cost, revenue, day="2026-11-20"):
    return "%s,%s,facebook,%s,%d,%d,50000,800,12\n" % (cid, campaign, day, cost, revenue)


LOW = (25750, 10000)     # ROI -61 %: roi_low fires (critical)
HIGH = (1000, 5000)      # ROI 400 %: above the 300 % target (good)


def csv(cid, *rows):
    return CSV_HEADER + "".join(row(cid, c, *v) for c, v in rows)


def events_of(d, receiver):
    """(campaign, rule, action) of every event queued for a receiver."""
    out = []
    for (payload,) in d.query("select payload from outbox where receiver = ? order by id",
                              receiver):
        for e in json.loads(payload)["events"]:
            out.append((e["campaign"], e["rule"]["name"], e["action"]))
    return out


class TimedHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with self.server.lock:
            self.server.times.append(time.monotonic())
            self.server.bodies.append(json.loads(body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class Timed(http.server.ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 that notes when each request arrived."""

    def __init__(self):
        self.times = []
        self.bodies = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), TimedHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return "http://127.0.0.1:%d/" % self.server_address[1]

    def count(self):
        with self.lock:
            return len(self.times)

    def close(self):
        self.shutdown()
        self.server_close()


def test_severity_filter():
    """pager takes critical, team warning and good, digest info only: one
    evaluation with a critical, a warning and a good event sends pager the
    critical ones, team the others, and queues nothing for digest."""
    rules = [{"name": "cpa_high", "kpi": "cpa", "op": ">", "value": "1 EUR",
              "window": "lifetime", "severity": "warning"}]
    rx = [{"name": "pager", "type": "file", "dir": "mail/pager", "severities": ["critical"]},
          {"name": "team", "type": "file", "dir": "mail/team",
           "severities": ["warning", "good"]},
          {"name": "digest", "type": "file", "dir": "mail/digest", "severities": ["info"]}]
    d = Daemon([client("acme", receivers=rx, rules=rules)])
    try:
        r = d.cli("check-config")
        check("severities    critical" in r.stdout, "check-config shows them:\n" + r.stdout)
        d.start()
        d.drop("m.csv", csv("acme", ("Low", LOW), ("High", HIGH)))
        wait_for(lambda: len(d.messages("mail/pager")) >= 1 and
                 len(d.messages("mail/team")) >= 1, what="both messages")
        pager = sorted(events_of(d, "pager"))
        team = sorted(events_of(d, "team"))
        check(pager == [("Low", "roi_low", "fire")], "pager got %r" % pager)
        check(team == [("High", "cpa_high", "fire"), ("High", "roi_target", "good"),
                       ("Low", "cpa_high", "fire")], "team got %r" % team)
        check(d.query("select count(*) from outbox where receiver = 'digest'") == [(0,)],
              "an item for a receiver without events")
        check(d.messages("mail/digest") == [], "digest got a message")
        body = d.messages("mail/pager")[0].get_body(preferencelist=("plain",)).get_content()
        check("Low" in body and "High" not in body, "pager's message:\n" + body)
        d.stop()
    finally:
        d.cleanup()


def test_severity_refused():
    """check-config names the file and line of an unknown severity."""
    rx = [{"name": "pager", "type": "file", "dir": "mail/pager",
           "severities": ["critical", "urgent"]}]
    d = Daemon([client("acme", receivers=rx)])
    try:
        r = d.cli("check-config", check_rc=False)
        check(r.returncode != 0, "accepted:\n" + r.stdout)
        check("acme.conf:" in r.stderr and "\"urgent\" is not a severity" in r.stderr,
              "error: " + r.stderr)
        r = d.cli("check-config", "--options")
        for o in ("severities", "min_interval_msecs", "group_wait_secs", "catchup_max"):
            check(o in r.stdout, "--options lacks " + o)
    finally:
        d.cleanup()


def test_group_wait_merges_burst():
    """group_wait_secs 4: three files evaluated one after the other within the
    wait make one outbox item and one message with the three alerts, sent
    when the wait ends (not before)."""
    c = client("acme", group_wait_secs=4)
    d = Daemon([c])
    try:
        d.start()
        t0 = None
        for i, name in enumerate(("Alpha", "Beta", "Gamma")):
            d.drop("m%d.csv" % i, csv("acme", (name, LOW)))
            wait_for(lambda: d.done("m%d.csv" % i), what="file %d ingested" % i)
            wait_for(lambda: len(events_of(d, "mailbox")) == i + 1,
                     what="event %d queued" % (i + 1))
            if t0 is None:
                t0 = time.monotonic()
        check(d.query("select count(*) from outbox") == [(1,)],
              "one item: %r" % d.query("select id, next_at, status from outbox"))
        check(d.messages("mail/acme") == [], "sent before the wait ended")
        wait_for(lambda: d.messages("mail/acme"), timeout=15, what="the grouped message")
        took = time.monotonic() - t0
        time.sleep(1.5)
        msgs = d.messages("mail/acme")
        check(len(msgs) == 1, "%d messages" % len(msgs))
        check(took >= 2.5, "sent %.1fs after the first event, before the 4 s wait" % took)
        body = msgs[0].get_body(preferencelist=("plain",)).get_content()
        for name in ("Alpha", "Beta", "Gamma"):
            check(name in body, name + " missing:\n" + body)
        check("3 campaigns under the agreed ROI" in msgs[0]["Subject"], msgs[0]["Subject"])
        check(d.log().count("(grouping)") == 2, "two merges logged")
        d.stop()
    finally:
        d.cleanup()


def test_rate_limit_spacing():
    """acme's "slow" webhook has min_interval_msecs 1000 and 4 notices due at
    start: they arrive at least ~1 s apart; acme's other webhook and globex's,
    without a limit, get theirs at once meanwhile."""
    slow, fast, other = Timed(), Timed(), Timed()
    acme_rx = [{"name": "slow", "type": "webhook", "url": slow.url, "min_interval_msecs": 1000},
               {"name": "fast", "type": "webhook", "url": fast.url}]
    d = Daemon([client("acme", receivers=acme_rx),
                client("globex", receivers=[{"name": "hook", "type": "webhook",
                                              "url": other.url}])],
               catchup_max=0)
    try:
        # Four notices per receiver, queued without the daemon.
        for i in range(4):
            path = os.path.join(d.dir, "a%d.csv" % i)
            with open(path, "w") as f:
                f.write(csv("acme", ("C%d" % i, LOW)))
            d.cli("ingest", path)
        check(d.query("select count(*) from outbox where receiver = 'slow'") == [(4,)],
              "queued: %r" % d.query("select receiver, count(*) from outbox group by 1"))
        t0 = time.monotonic()
        d.start()
        d.drop("g.csv", csv("globex", ("G", LOW)))
        wait_for(lambda: fast.count() == 4, what="the fast receiver's 4")
        wait_for(lambda: other.count() == 1, what="globex's receiver")
        fast_done = max(fast.times) - t0
        other_done = other.times[0] - t0
        slow_then = slow.count()
        wait_for(lambda: slow.count() == 4, timeout=20, what="the slow receiver's 4")
        gaps = [b - a for a, b in zip(slow.times, slow.times[1:])]
        print("  slow gaps %s; fast all by %.2fs, globex by %.2fs (slow had %d then)"
              % (", ".join("%.3f" % g for g in gaps), fast_done, other_done, slow_then),
              flush=True)
        check(min(gaps) >= 0.9, "slow receiver's deliveries %r s apart" % gaps)
        check(slow.times[-1] - slow.times[0] >= 2.8, "4 deliveries in under 3 s")
        check(slow_then < 4, "the fast ones waited for the slow one")
        check(fast_done < slow.times[-1] - t0 - 1.0,
              "the fast receiver finished %.2fs after start, with the slow one" % fast_done)
        check(other_done < 3.0, "globex waited %.2fs" % other_done)
        d.stop()
    finally:
        d.cleanup()
        for s in (slow, fast, other):
            s.close()


def test_catch_up_summary():
    """Twelve notices queued by `roiwatch ingest` while the daemon is stopped
    (three campaigns going under and back above the minimum) reach the
    receiver as one summary: the latest event of each campaign and rule, and
    how many earlier ones it supersedes."""
    d = Daemon([client("acme", flap_max=0)])
    try:
        for i in range(12):
            state = LOW if (i // 3) % 2 == 0 else HIGH
            path = os.path.join(d.dir, "b%02d.csv" % i)
            with open(path, "w") as f:
                f.write(csv("acme", ("C%d" % (i % 3), state)))
            d.cli("ingest", path)
        queued = d.query("select payload from outbox order by id")
        check(len(queued) == 12, "%d items queued" % len(queued))
        evs = []
        for (p,) in queued:
            for e in json.loads(p)["events"]:
                evs.append((e["campaign"], e["rule"]["name"], e["action"]))
        latest = {}
        for e in evs:
            latest[e[:2]] = e
        superseded = len(evs) - len(latest)
        check(superseded > 0, "nothing to supersede: %r" % evs)

        d.start()
        wait_for(lambda: d.messages("mail/acme"), what="the summary")
        time.sleep(2.5)
        msgs = d.messages("mail/acme")
        check(len(msgs) == 1, "%d messages after the downtime" % len(msgs))
        body = msgs[0].get_body(preferencelist=("plain",)).get_content()
        check(("%d earlier event%s superseded" % (superseded, "" if superseded == 1 else "s")) in body,
              "the count (%d) is not said:\n%s" % (superseded, body))
        (payload,) = d.query("select payload from outbox")[0]
        got = [(e["campaign"], e["rule"]["name"], e["action"])
               for e in json.loads(payload)["events"]]
        check(sorted(got) == sorted(latest.values()), "kept %r, expected %r"
              % (got, sorted(latest.values())))
        check("catch-up: client acme receiver mailbox: 11 more notice(s) never sent folded"
              in d.log(), "not logged:\n" + d.log())
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_severity_filter, test_severity_refused, test_group_wait_merges_burst,
         test_rate_limit_spacing, test_catch_up_summary])
