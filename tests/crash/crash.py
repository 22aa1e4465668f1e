"""Crash and abuse suite: roiwatchd killed with SIGKILL at random moments
during HTTP ingest, inbox ingest and delivery, then restarted, and what it
promised checked afterwards.

Each phase runs N iterations of: start the daemon, put load on it, kill -9,
and (next iteration) start it again on the same state. Half of the kills come
at a random moment, half right after the daemon kept a promise -- a 2xx sent,
a file moved to done/, a receiver's 200 -- where an ack-before-commit or
done-before-commit ordering would show. Then one last clean run lets it finish
its work, and the phase checks:

  http      every row whose POST got a 2xx answer is in the database with
            the values it was sent with (rows not acknowledged may or may not
            be there: both are counted, neither is a failure);
  inbox     every file dropped ends in done/ (all its rows present, with
            their values) -- not lost, not left in the inbox, not in
            failed/ (the files are valid: only a crash could fail them);
  delivery  every notice queued in the outbox is answered 2xx by its
            receiver (a webhook recording Idempotency-Key, an SMTP server
            recording Message-ID) at least once, and every campaign put
            under its minimum ROI is in a delivered alert; second deliveries
            of one key are duplicates (counted, allowed: at-least-once);

and after each phase `PRAGMA integrity_check` must answer "ok". Exit status
1 on any loss, integrity failure or daemon that does not come back.

Run by scripts/crash-test.sh with Debian's /usr/bin/python3 (aiosmtpd);
reuses tests/integration/harness.py. Everything listens on 127.0.0.1.
"""
import argparse
import datetime
import http.client
import http.server
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
from harness import CSV_HEADER, Daemon, check, client, wait_for  # noqa: E402

EPOCH = datetime.date(1970, 1, 1)
FIRST_DAY = datetime.date(2026, 10, 1)
NDAYS = 58


def log(msg):
    print("crash-test: " + msg, flush=True)


def micros(cents):
    return cents * 10000


def money(cents):
    return "%d.%02d" % (cents // 100, cents % 100)


def day_number(d):
    return (d - EPOCH).days


def random_row(rng, cid, campaign):
    """One daily sample with values unlikely to repeat: (key, values, row)."""
    d = FIRST_DAY + datetime.timedelta(days=rng.randrange(NDAYS))
    cost, revenue = rng.randrange(1, 10 ** 7), rng.randrange(0, 10 ** 7)
    imp, clk, conv = rng.randrange(10 ** 6), rng.randrange(10 ** 4), rng.randrange(100)
    key = (cid, campaign, day_number(d))
    values = (micros(cost), micros(revenue), imp, clk, conv)
    row = {"client": cid, "campaign": campaign, "channel": "search", "date": d.isoformat(),
           "cost": money(cost), "revenue": money(revenue), "impressions": imp,
           "clicks": clk, "conversions": conv}
    return key, values, row


def csv_line(r):
    return "%s,%s,%s,%s,%s,%s,%d,%d,%d\n" % (
        r["client"], r["campaign"], r["channel"], r["date"], r["cost"], r["revenue"],
        r["impressions"], r["clicks"], r["conversions"])


def stored_samples(d):
    """Every daily sample in the database: {(client, campaign, day): values}."""
    rows = d.query("SELECT client, campaign, day, cost, revenue, impressions, clicks,"
                   " conversions FROM metrics WHERE hour = -1")
    return {(r[0], r[1], r[2]): tuple(r[3:]) for r in rows}


def integrity(d):
    con = sqlite3.connect(os.path.join(d.state, "roiwatch.db"), timeout=10)
    try:
        return con.execute("PRAGMA integrity_check").fetchall()
    finally:
        con.close()


def kill9(d):
    """SIGKILL the daemon and reap it: no chance to flush, close or commit."""
    d.proc.send_signal(signal.SIGKILL)
    d.proc.wait()
    d.proc = None
    d.log_file.close()


def eligible_in_inbox(d):
    try:
        names = os.listdir(d.inbox)
    except FileNotFoundError:
        return []
    return [n for n in names if not n.startswith(".") and
            os.path.isfile(os.path.join(d.inbox, n))]


class Result:
    def __init__(self, phase, what):
        self.phase = phase
        self.what = what
        self.iterations = 0
        self.mid_work = 0	# kills that hit the daemon with work in progress
        self.acked = 0
        self.lost = 0
        self.duplicates = "-"
        self.integrity = "?"
        self.problems = []

    def problem(self, msg):
        self.problems.append(msg)

    @property
    def ok(self):
        return not self.problems and self.lost == 0 and self.integrity == "ok"


def abandon(d):
    """A phase broke: kill its daemon, keep its directory for a post-mortem."""
    if d.proc is not None:
        kill9(d)
    log("state of the broken phase kept in %s" % d.dir)


def finish(d, res):
    """Stop cleanly (the recovery run must exit 0), then check the database."""
    try:
        d.stop()
    except AssertionError as e:
        res.problem("clean stop after recovery: %s" % str(e).splitlines()[0])
    r = integrity(d)
    res.integrity = "ok" if r == [("ok",)] else "FAILED"
    if res.integrity != "ok":
        res.problem("integrity_check: %r" % r[:5])


# ---------------------------------------------------------------------------
# HTTP ingest

def http_phase(opts, rng):
    res = Result("http", "rows")
    tokens = {"acme": "acme-crash-token-0123456789", "globex": "globex-crash-token-0123456789"}
    d = Daemon([client(c, token=t, minimum_roi="-100%") for c, t in tokens.items()],
               http_rate_per_minute=1000000)
    for c in d.clients:
        c.pop("target_roi")
    d.write_config()
    acked = {}		# key -> values, for every row of a 2xx answer
    nack = [0]		# 2xx answers of this iteration
    trigger = threading.Event()
    trigger_at = [0]
    sent = {}		# key -> values, for every row sent
    statuses = {}
    lock = threading.Lock()
    try:
        for it in range(opts.iterations):
            d.start()
            stop = threading.Event()
            nack[0] = 0
            trigger.clear()
            # Right after the n-th 2xx (when the kill comes on a promise).
            trigger_at[0] = rng.randrange(1, 100) if rng.random() < 0.5 else -1

            def load(tid, it=it):
                cid = list(tokens)[tid % len(tokens)]
                seq = 0
                conn = None
                while not stop.is_set():
                    batch = []
                    for _ in range(rng.randrange(1, 60)):
                        batch.append(random_row(rng, cid, "h%d-%d-%d" % (it, tid, seq)))
                        seq += 1
                    with lock:
                        for k, v, _ in batch:
                            sent[k] = v
                    body = json.dumps([r for _, _, r in batch])
                    try:
                        if conn is None:
                            conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
                        conn.request("POST", "/v1/metrics", body=body, headers={
                            "Content-Type": "application/json",
                            "Authorization": "Bearer " + tokens[cid]})
                        r = conn.getresponse()
                        doc = r.read()
                    except (OSError, http.client.HTTPException):
                        if conn is not None:
                            conn.close()
                        conn = None
                        if stop.is_set():
                            return
                        time.sleep(0.01)
                        continue
                    with lock:
                        statuses[r.status] = statuses.get(r.status, 0) + 1
                        if 200 <= r.status < 300:
                            n = json.loads(doc).get("accepted")
                            if n != len(batch):
                                res.problem("a 2xx answer accepted %r of %d rows" % (n, len(batch)))
                            for k, v, _ in batch:
                                acked[k] = v
                            nack[0] += 1
                            if nack[0] == trigger_at[0]:
                                trigger.set()
                if conn is not None:
                    conn.close()

            threads = [threading.Thread(target=load, args=(t,)) for t in range(opts.http_clients)]
            for t in threads:
                t.start()
            if trigger_at[0] > 0:
                trigger.wait(timeout=opts.http_window * 5)
            else:
                time.sleep(rng.uniform(0.1, opts.http_window))
            kill9(d)
            res.mid_work += 1	# the load never pauses: every kill is mid-request
            stop.set()
            for t in threads:
                t.join()
            res.iterations += 1
        d.start()		# recovery run
        finish(d, res)
        stored = stored_samples(d)
        res.acked = len(acked)
        for k, v in acked.items():
            got = stored.get(k)
            if got is None:
                res.lost += 1
                if res.lost <= 5:
                    res.problem("acknowledged row %r missing" % (k,))
            elif got != v:
                res.lost += 1
                if res.lost <= 5:
                    res.problem("acknowledged row %r stored as %r, sent %r" % (k, got, v))
        unacked = [k for k in sent if k not in acked]
        present = sum(1 for k in unacked if k in stored)
        res.note = "%d rows sent unacknowledged: %d present, %d absent; answers %s" % (
            len(unacked), present, len(unacked) - present,
            ", ".join("%d x%d" % kv for kv in sorted(statuses.items())))
        return res, d
    except Exception:
        abandon(d)
        raise


# ---------------------------------------------------------------------------
# Inbox ingest

def inbox_phase(opts, rng):
    res = Result("inbox", "files")
    d = Daemon([client(c, minimum_roi="-100%") for c in ("acme", "globex")])
    for c in d.clients:
        c.pop("target_roi")
    d.write_config()
    os.makedirs(d.inbox, exist_ok=True)
    files = {}		# name -> {key: values}
    nfile = 0

    def drop_batch(it, nfiles):
        nonlocal nfile
        for _ in range(nfiles):
            name = "f%03d-%04d.csv" % (it, nfile)
            nfile += 1
            cid = rng.choice(("acme", "globex"))
            rows = {}
            lines = [CSV_HEADER]
            for i in range(rng.randrange(opts.inbox_rows // 4, opts.inbox_rows)):
                k, v, r = random_row(rng, cid, "%s-%d" % (name[:-4], i))
                rows[k] = v
                lines.append(csv_line(r))
            files[name] = rows
            d.drop(name, "".join(lines))

    try:
        # Calibration: how long one batch takes, so that kills land inside it.
        d.start()
        t0 = time.monotonic()
        drop_batch(0, opts.inbox_files)
        wait_for(lambda: not eligible_in_inbox(d), timeout=60, what="calibration batch")
        window = max(0.05, time.monotonic() - t0)
        d.stop()
        for it in range(1, opts.iterations + 1):
            if rng.random() < 0.3:	# some files wait for the start
                drop_batch(it, 1)
            d.start()
            before = set(os.listdir(os.path.join(d.inbox, "done")))
            drop_batch(it, opts.inbox_files)
            if rng.random() < 0.5:
                # Right after the n-th file of the batch lands in done/.
                n = rng.randrange(1, opts.inbox_files + 1)
                deadline = time.monotonic() + window * 5 + 1
                while (len(set(os.listdir(os.path.join(d.inbox, "done"))) - before) < n and
                       time.monotonic() < deadline):
                    time.sleep(0.0002)
            else:
                time.sleep(rng.uniform(0, window * 1.2))
            kill9(d)
            if eligible_in_inbox(d):
                res.mid_work += 1
            res.iterations += 1
        d.start()		# recovery run: takes what is left
        wait_for(lambda: not eligible_in_inbox(d), timeout=120, what="inbox drained")
        finish(d, res)
        stored = stored_samples(d)
        res.acked = len(files)
        where = {"done": 0, "failed": 0, "inbox": 0, "missing": 0}
        for name, rows in files.items():
            if d.done(name):
                where["done"] += 1
                bad = [k for k, v in rows.items() if stored.get(k) != v]
                if bad:
                    res.lost += 1
                    res.problem("%s in done/ but %d of its %d rows missing or wrong, e.g. %r"
                                % (name, len(bad), len(rows), bad[0]))
            elif d.failed(name):
                where["failed"] += 1
                res.lost += 1
                rep = os.path.join(d.inbox, "failed", name + ".report")
                why = open(rep, errors="replace").read(300) if os.path.exists(rep) else "no report"
                res.problem("%s (valid) moved to failed/: %s" % (name, why.strip()))
            elif os.path.exists(os.path.join(d.inbox, name)):
                where["inbox"] += 1
                res.lost += 1
                res.problem("%s still in the inbox after the recovery run" % name)
            else:
                where["missing"] += 1
                res.lost += 1
                res.problem("%s vanished: not in done/, failed/ or the inbox" % name)
        nrows = sum(len(r) for r in files.values())
        res.note = "%d rows in %d files; calibration batch %.2fs; ended in %s" % (
            nrows, len(files), window, ", ".join("%s %d" % kv for kv in where.items()))
        return res, d
    except Exception:
        abandon(d)
        raise


# ---------------------------------------------------------------------------
# Delivery

class Receiver(http.server.ThreadingHTTPServer):
    """Webhook peer: records every request's Idempotency-Key and whether it
    answered 2xx; slow (a few ms) and failing now and then (500)."""

    daemon_threads = True

    def __init__(self, rng, fail_rate, delay):
        self.rng = rng
        self.fail_rate = fail_rate
        self.delay = delay
        self.lock = threading.Lock()
        self.ok = {}		# key -> number of 2xx answers
        self.failed = 0
        self.answered = 0	# 2xx answers sent
        self.trigger_at = -1
        self.trigger = threading.Event()
        self.events = set()	# (client, campaign) of 2xx-answered payloads
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


class ReceiverHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key = self.headers.get("Idempotency-Key")
        with srv.lock:
            fail = srv.rng.random() < srv.fail_rate
            delay = srv.rng.uniform(0, srv.delay)
        time.sleep(delay)
        try:
            self.send_response(500 if fail or key is None else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()
        except OSError:
            return		# the daemon died before reading the answer
        with srv.lock:
            if fail or key is None:
                srv.failed += 1
                return
            srv.ok[key] = srv.ok.get(key, 0) + 1
            srv.answered += 1
            if srv.answered == srv.trigger_at:
                srv.trigger.set()
            doc = json.loads(body)
            for e in doc.get("events", []):
                srv.events.add((doc["client"]["id"], e.get("campaign")))

    def log_message(self, *a):
        pass


class SmtpSink:
    """aiosmtpd handler: records each message's Message-ID, refuses some (451)."""

    def __init__(self, rng, fail_rate):
        self.rng = rng
        self.fail_rate = fail_rate
        self.lock = threading.Lock()
        self.ok = {}
        self.failed = 0

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        m = re.search(rb"^Message-ID: <([^@>]*)@", raw, re.M | re.I)
        with self.lock:
            if self.rng.random() < self.fail_rate or m is None:
                self.failed += 1
                return "451 try again later"
            k = m.group(1).decode()
            self.ok[k] = self.ok.get(k, 0) + 1
        return "250 OK"


def message_id_key(idem_key):
    """The Message-ID left part notice.c derives from an idempotency key."""
    return re.sub(r"[^A-Za-z0-9._+-]", "-", idem_key)


def delivery_phase(opts, rng):
    res = Result("delivery", "alerts")
    rec = Receiver(random.Random(rng.random()), opts.fail_rate, opts.delay)
    smtp = ctl = None
    try:
        from aiosmtpd.controller import Controller
        smtp = SmtpSink(random.Random(rng.random()), opts.fail_rate)
        sport = harness.free_port()
        ctl = Controller(smtp, hostname="127.0.0.1", port=sport)
        ctl.start()
    except ImportError:
        log("python3-aiosmtpd missing: delivery phase without SMTP")
    clients = []
    for i in range(opts.delivery_clients):
        rx = [{"name": "hook", "type": "webhook",
               "url": "http://127.0.0.1:%d/hook" % rec.port}]
        if smtp is not None and i % 3 == 0:
            rx.append({"name": "mail", "type": "smtp", "url": "smtp://127.0.0.1:%d" % sport,
                       "from": "alerts@agency.example", "to": ["cmo@c%02d.example" % i],
                       "starttls": "no"})
        c = client("c%02d" % i, receivers=rx, minimum_roi="2.5:1", minimum_spend="10")
        c.pop("target_roi")
        clients.append(c)
    d = Daemon(clients, retry_initial_secs=1, retry_max_secs=1)
    os.makedirs(d.inbox, exist_ok=True)
    expected = set()	# (client, campaign) put under its minimum ROI

    def low_roi_csv(tag, cids):
        lines = [CSV_HEADER]
        for cid in cids:
            camp = "%s-%s" % (tag, cid)
            expected.add((cid, camp))
            lines.append("%s,%s,search,2026-11-20,500.00,100.00,1000,10,1\n" % (cid, camp))
        return "".join(lines)

    def pending():
        return d.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0]

    try:
        cids = [c["id"] for c in clients]
        # Calibration: how long the daemon takes to drain one iteration's queue.
        path = os.path.join(d.dir, "queue.csv")
        with open(path, "w") as f:
            f.write(low_roi_csv("cal", cids))
        d.cli("ingest", path)
        t0 = time.monotonic()
        d.start()
        wait_for(lambda: pending() == 0, timeout=60, what="calibration queue delivered")
        window = max(0.05, time.monotonic() - t0)
        d.stop()
        for it in range(opts.iterations):
            # Queued while the daemon is down (roiwatch ingest), as a backfill does...
            with open(path, "w") as f:
                f.write(low_roi_csv("q%03d" % it, cids))
            d.cli("ingest", path)
            with rec.lock:
                rec.trigger.clear()
                # Right after the receiver's n-th 200 (when the kill comes on a promise).
                rec.trigger_at = (rec.answered + rng.randrange(1, len(cids)) if rng.random() < 0.5
                                  else -1)
            d.start()
            # ...and judged by the running daemon, from the inbox.
            d.drop("d%03d.csv" % it, low_roi_csv("i%03d" % it, rng.sample(cids, len(cids) // 2)))
            if rec.trigger_at > 0:
                rec.trigger.wait(timeout=window * 5 + 1)
            else:
                time.sleep(rng.uniform(0, window * 1.2))
            kill9(d)
            if pending() > 0 or eligible_in_inbox(d):
                res.mid_work += 1
            res.iterations += 1
        d.start()		# recovery run: delivers what is left
        wait_for(lambda: not eligible_in_inbox(d) and pending() == 0, timeout=120,
                 what="outbox drained")
        time.sleep(0.5)
        finish(d, res)
        items = d.query("SELECT idem_key, receiver, status FROM outbox")
        res.acked = len(items)
        dup = 0
        for key, receiver, status in items:
            got = (smtp.ok.get(message_id_key(key), 0) if receiver == "mail"
                   else rec.ok.get(key, 0))
            if status != "done":
                res.problem("outbox item %s (%s) ended %s" % (key, receiver, status))
            if got == 0:
                res.lost += 1
                if res.lost <= 5:
                    res.problem("outbox item %s (%s, %s) never delivered" % (key, receiver, status))
            else:
                dup += got - 1
        res.duplicates = dup
        missed = sorted(expected - rec.events)
        if missed:
            res.lost += len(missed)
            res.problem("%d campaigns under their minimum never alerted, e.g. %r"
                        % (len(missed), missed[:3]))
        res.note = ("%d campaigns under minimum, all alerted: %s; %d webhook and %d SMTP"
                    " attempts refused on purpose; calibration queue %.2fs" % (
                        len(expected), "yes" if not missed else "NO", rec.failed,
                        smtp.failed if smtp else 0, window))
        return res, d
    except Exception:
        abandon(d)
        raise
    finally:
        rec.close()
        if ctl is not None:
            ctl.stop()


# ---------------------------------------------------------------------------

PHASES = {"http": http_phase, "inbox": inbox_phase, "delivery": delivery_phase}


def table(results):
    head = ("phase", "iterations", "kills mid-work", "acknowledged", "lost", "duplicates",
            "integrity")
    rows = [head] + [(r.phase, str(r.iterations), str(r.mid_work), "%d %s" % (r.acked, r.what),
                      str(r.lost), str(r.duplicates), r.integrity) for r in results]
    w = [max(len(r[i]) for r in rows) for i in range(len(head))]
    out = []
    for n, r in enumerate(rows):
        out.append("  ".join(c.ljust(w[i]) for i, c in enumerate(r)).rstrip())
        if n == 0:
            out.append("  ".join("-" * x for x in w))
    return "\n".join(out)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--roiwatchd", required=True)
    p.add_argument("--roiwatch", required=True)
    p.add_argument("--source-dir", required=True)
    p.add_argument("--iterations", type=int, default=30, help="kills per phase")
    p.add_argument("--phases", default="http,inbox,delivery")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--http-clients", type=int, default=4)
    p.add_argument("--http-window", type=float, default=1.0,
                   help="longest load before the kill, seconds")
    p.add_argument("--inbox-files", type=int, default=6)
    p.add_argument("--inbox-rows", type=int, default=3000)
    p.add_argument("--delivery-clients", type=int, default=24)
    p.add_argument("--fail-rate", type=float, default=0.1)
    p.add_argument("--delay", type=float, default=0.03, help="receiver's longest answer delay")
    p.add_argument("--keep", action="store_true", help="keep the state directories")
    opts = p.parse_args()
    if opts.iterations < 1:
        p.error("--iterations must be at least 1")
    harness.ARGS = argparse.Namespace(roiwatchd=opts.roiwatchd, roiwatch=opts.roiwatch,
                                      source_dir=opts.source_dir)
    seed = opts.seed if opts.seed is not None else random.randrange(2 ** 32)
    log("seed %d (--seed %d repeats this run), %d iterations per phase" % (
        seed, seed, opts.iterations))
    results = []
    failed = False
    for name in opts.phases.split(","):
        if name not in PHASES:
            p.error("unknown phase %r (http, inbox, delivery)" % name)
        rng = random.Random("%d-%s" % (seed, name))
        t0 = time.monotonic()
        d = None
        try:
            res, d = PHASES[name](opts, rng)
        except Exception as e:  # noqa: BLE001 - a phase that breaks is a failure
            res = Result(name, "-")
            res.integrity = "-"
            res.problem("phase aborted: %s" % e)
        log("%s: %d iterations in %.1fs; %s" % (name, res.iterations, time.monotonic() - t0,
                                                getattr(res, "note", "")))
        for m in res.problems:
            log("%s: FAIL %s" % (name, m))
        if not res.ok:
            failed = True
        if d is not None:
            if res.ok and not opts.keep:
                d.cleanup()
            else:
                log("%s: state kept in %s" % (name, d.dir))
        results.append(res)
    print(table(results), flush=True)
    if failed:
        print("crash test: FAILED (loss, integrity or restart failure above; seed %d)" % seed)
        return 1
    print("crash test: passed (nothing acknowledged was lost; seed %d)" % seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
