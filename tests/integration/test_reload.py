"""Configuration reload (SIGHUP) end to end.

Under load: threads POST JSON batches to /v1/metrics without a pause while
CSV files keep arriving in the inbox, and the daemon is sent SIGHUP every
~200 ms, the new configuration alternating between the same one, one with a
changed threshold and one with a client added. Every request must be
answered 2xx, and every row acknowledged (a 2xx, or its file in done/) must
be in the store.

Refused: a syntax error, an unknown receiver type and a token file that is
gone are each refused with the file and line (or the file) in the log; the
daemon goes on with the old configuration (old token accepted, new one
not, old threshold judging) and a later good reload is applied. Every
reload, refused or not, sends RELOADING=1 then READY=1 to $NOTIFY_SOCKET.

Waiting: requests queued while another process holds the database's lock
are committed after a reload under the new configuration; one whose client
the reload removed is answered 401.

Nothing here sleeps to let something happen: each step waits for the log
line or the state that says it happened."""
import http.client
import http.server
import json
import os
import re
import signal
import socket
import sqlite3
import threading
import time

from harness import CSV_HEADER, Daemon, Recorder, check, client, run, wait_for

LOAD_SECS = 10.0
HUP_EVERY = 0.2


class LogTail:
    """The daemon's log read incrementally (with -d it grows fast)."""

    def __init__(self, d):
        self.d = d
        self.off = 0
        self.text = ""

    def read(self):
        with open(self.d.log_path, "rb") as f:
            f.seek(self.off)
            data = f.read()
        # Only whole lines: a line being written is taken next time.
        cut = data.rfind(b"\n") + 1
        self.off += cut
        self.text += data[:cut].decode(errors="replace")
        return self.text

    def count(self, what):
        text = self.read()
        if self.d.proc.poll() is not None:
            raise AssertionError("roiwatchd exited (%s) while waiting:\n%s"
                                 % (self.d.proc.returncode, self.d.log()[-4000:]))
        return text.count(what)

    def wait_count(self, what, n, timeout=15.0):
        wait_for(lambda: self.count(what) >= n, timeout=timeout,
                 what="%d x %r in the log" % (n, what))


class NotifySocket:
    """$NOTIFY_SOCKET of the daemon (as systemd would listen on it)."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.messages = []

    def drain(self):
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                return self.messages

    def close(self):
        self.sock.close()


def write_atomic(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


class Configs:
    """Variants of one daemon's configuration. Each variant's client files
    live in a directory of their own, named by the main file: switching is
    one rename of the main file, so a reload never reads half of an edit."""

    def __init__(self, d):
        self.d = d
        self.main_path = os.path.join(d.conf, "roiwatchd.conf")

    def client_conf(self, c):
        c = dict(c)
        token = c.pop("token", None)
        if token is not None:
            tf = os.path.join(self.d.conf, "tokens", c["id"] + ".token")
            if not os.path.exists(tf):
                write_atomic(tf, token + "\n")
            c["token_file"] = tf
        return c

    def write(self, name, clients, main_text=None, raw=None, **main_opts):
        """Variant `name`: its clients (dicts, as harness.client makes
        them), or raw {file name: text}; main_opts are added to the main
        file, main_text replaces it."""
        cdir = os.path.join(self.d.conf, "clients-" + name)
        os.makedirs(cdir, exist_ok=True)
        for c in clients:
            with open(os.path.join(cdir, c["id"] + ".conf"), "w") as f:
                json.dump(self.client_conf(c), f, indent=2)
        for fname, text in (raw or {}).items():
            with open(os.path.join(cdir, fname), "w") as f:
                f.write(text)
        main = dict(self.d.main, clients_dir="clients-" + name, **main_opts)
        self.mains = getattr(self, "mains", {})
        self.mains[name] = main_text if main_text is not None else \
            "// written by the integration test\n" + json.dumps(main, indent=2) + "\n"

    def use(self, name):
        write_atomic(self.main_path, self.mains[name])


def rows(cid, campaign, day0, n, cost="100.00", revenue="200.00"):
    """n rows of one campaign on n distinct days from day0 (0-based, 2025-01-01 on)."""
    out = []
    for i in range(n):
        t = time.gmtime(time.mktime((2025, 1, 1, 12, 0, 0, 0, 0, 0)) + (day0 + i) * 86400)
        out.append({"client": cid, "campaign": campaign, "channel": "google_ads",
                    "date": time.strftime("%Y-%m-%d", t), "cost": cost, "revenue": revenue,
                    "impressions": 1000, "clicks": 10, "conversions": 1})
    return out


def post(port, token, body, conn=None):
    """(status, decoded answer); conn is kept alive when given."""
    own = conn is None
    c = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("POST", "/v1/metrics", json.dumps(body),
                  {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        r = c.getresponse()
        data = r.read()
        try:
            doc = json.loads(data) if data else None
        except ValueError:
            doc = None
        return r.status, doc
    finally:
        if own:
            c.close()


def get(port, token, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def make_clients(hook, threshold="2.5:1"):
    """acme's alerts also go to a webhook that answers slowly, so that
    deliveries are in flight across reloads."""
    out = [client(cid, minimum_roi=threshold, minimum_spend="0")
           for cid in ("acme", "globex", "initech")]
    out[0]["receivers"] = out[0]["receivers"] + [
        {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % hook.port}]
    return out


class Export(http.server.ThreadingHTTPServer):
    """A pull source's export that takes its time: fetches are in flight
    across reloads."""

    def __init__(self):
        self.fetches = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), ExportHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


class ExportHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with self.server.lock:
            self.server.fetches += 1
        time.sleep(0.3)
        body = (CSV_HEADER + "globex,pull-export,search,2025-06-01,10,20,100,5,1\n").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:
            pass    # a fetch the daemon abandoned (its source moved)

    def log_message(self, *a):
        pass


def source(export, query=""):
    return [{"name": "export", "type": "pull", "interval_secs": "1h", "timeout_secs": 5,
             "url": "http://127.0.0.1:%d/export.csv%s" % (export.port, query)}]


def test_reload_under_load():
    hook = Recorder(delay=0.1)
    export = Export()
    base = make_clients(hook)
    d = Daemon(base, http_rate_per_minute=1000000, http_max_rows=1000)
    cfgs = Configs(d)
    # The threshold's variant moves the pull source too: a fetch in flight
    # is orphaned and the source fetched again at its new address.
    cfgs.write("same", base, sources=source(export))
    cfgs.write("threshold", make_clients(hook, "1.5:1"), sources=source(export, "?v=2"))
    cfgs.write("added", base + [client("newco", minimum_spend="0")], sources=source(export))
    cfgs.use("same")
    tokens = {c["id"]: c["token"] for c in base}
    newco_token = client("newco")["token"]
    lock = threading.Lock()
    stop = threading.Event()
    last_hup = [time.monotonic()]
    failures = []           # (what, seconds after the last SIGHUP)
    acked = [0]
    posted = [0]
    reads = [0]
    inbox_files = []        # (name, rows)

    def fail(what):
        with lock:
            failures.append((what, time.monotonic() - last_hup[0]))

    def poster(tid, cid, keepalive):
        conn = None
        b = 0
        while not stop.is_set():
            if keepalive and conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
            # 20 rows: campaign t<tid>-<b//10>, days unique per batch.
            body = rows(cid, "t%d-%d" % (tid, b // 10), (b % 10) * 20, 20)
            b += 1
            try:
                st, doc = post(d.port, tokens[cid], body, conn)
            except (OSError, http.client.HTTPException) as e:
                fail("thread %d batch %d: %s: %s" % (tid, b, type(e).__name__, e))
                if conn is not None:
                    conn.close()
                    conn = None
                continue
            with lock:
                posted[0] += 1
            if 200 <= st < 300 and doc is not None and doc.get("accepted") == 20:
                with lock:
                    acked[0] += 20
            else:
                fail("thread %d batch %d: %d %r" % (tid, b, st, doc))
        if conn is not None:
            conn.close()

    def reader():
        """Reads are computed by a worker thread on the configuration of
        their arrival: one that a reload replaced meanwhile."""
        n = 0
        while not stop.is_set():
            path = "/v1/clients/globex/%s" % ("kpis" if n % 2 == 0 else "alerts")
            n += 1
            try:
                st, body = get(d.port, tokens["globex"], path)
            except (OSError, http.client.HTTPException) as e:
                fail("GET %s: %s: %s" % (path, type(e).__name__, e))
                continue
            if st != 200:
                fail("GET %s: %d %r" % (path, st, body[:200]))
            with lock:
                reads[0] += 1

    def dropper():
        n = 0
        while not stop.is_set():
            name = "drop-%04d.csv" % n
            body = "".join("initech,inbox-%d,search,%s,50,100,100,5,1\n" %
                           (n // 10, r["date"])
                           for r in rows("initech", "x", (n % 10) * 15, 15))
            d.drop(name, CSV_HEADER + body)
            with lock:
                inbox_files.append((name, 15))
            n += 1
            stop.wait(0.05)

    try:
        d.start()
        log = LogTail(d)
        threads = [threading.Thread(target=poster, args=(0, "acme", True)),
                   threading.Thread(target=poster, args=(1, "globex", True)),
                   threading.Thread(target=poster, args=(2, "acme", False)),
                   threading.Thread(target=poster, args=(3, "initech", False)),
                   threading.Thread(target=reader),
                   threading.Thread(target=dropper)]
        for t in threads:
            t.start()
        variants = ["same", "threshold", "added"]
        hups = 0
        t0 = time.monotonic()
        try:
            while time.monotonic() - t0 < LOAD_SECS:
                cfgs.use(variants[hups % 3])
                last_hup[0] = time.monotonic()
                d.signal(signal.SIGHUP)
                hups += 1
                # The reload is done (or refused) before the next one.
                wait_for(lambda: log.count("configuration reloaded:") +
                         log.count("reload refused") >= hups, timeout=30,
                         what="reload %d in the log" % hups)
                check(log.count("reload refused") == 0,
                      "a good configuration refused:\n" + log.read()[-3000:])
                stop.wait(HUP_EVERY)
        finally:
            stop.set()
            for t in threads:
                t.join()
        check(not failures, "%d of %d requests failed (reason, seconds after the last "
              "SIGHUP), first ones:\n%s" % (len(failures), posted[0] + len(failures),
                                            "\n".join("%s (%.3f s)" % f for f in failures[:20])))
        check(hups >= 30, "only %d reloads in %.0f s" % (hups, LOAD_SECS))
        check(posted[0] >= 100, "only %d requests answered in %.0f s" % (posted[0], LOAD_SECS))
        wait_for(lambda: all(d.done(n) or d.failed(n) for n, _ in inbox_files), timeout=30,
                 what="every inbox file processed")
        bad = [n for n, _ in inbox_files if not d.done(n)]
        check(not bad, "inbox files refused: %r" % bad[:5])
        in_files = sum(k for _, k in inbox_files)
        http_rows = d.query("select count(*) from metrics where campaign glob 't[0-9]-*'")[0][0]
        inbox_rows = d.query("select count(*) from metrics where client = 'initech' "
                             "and campaign glob 'inbox-*'")[0][0]
        check(http_rows == acked[0], "rows acknowledged over HTTP %d, stored %d"
              % (acked[0], http_rows))
        check(inbox_rows == in_files, "rows of files in done/ %d, stored %d"
              % (in_files, inbox_rows))
        print("  %d reloads, %d requests (%d rows) answered 2xx, %d reads, %d files (%d rows) "
              "in done/, %d webhooks, %d fetches"
              % (hups, posted[0], acked[0], reads[0], len(inbox_files), in_files,
                 len(hook.requests), export.fetches), flush=True)
        check(export.fetches >= 2 and hook.requests, "no fetches or no webhooks during the reloads")
        text = log.read()
        check(text.count("configuration reloaded:") == hups,
              "%d SIGHUPs, %d reloads logged" % (hups, text.count("configuration reloaded:")))
        check("configuration reloaded: 4 client(s)" in text, "the added client counted")
        # The last configuration is what the daemon now runs.
        cfgs.use("added")
        n = log.count("configuration reloaded:")
        d.signal(signal.SIGHUP)
        log.wait_count("configuration reloaded:", n + 1)
        st, doc = post(d.port, newco_token, rows("newco", "after", 0, 1))
        check(st == 202, "the added client's token after the reload: %d %r" % (st, doc))
        if os.environ.get("RELOAD_TEST_WARNINGS"):
            print("\n".join(sorted(set(re.sub(r"\d+", "N", l) for l in text.splitlines()
                                       if l.startswith("<4>")))))
        check(not re.search(r"^<[0-3]>", text, re.M), "errors in the log:\n" +
              "\n".join(l for l in text.splitlines() if re.match(r"<[0-3]>", l))[:3000])
        d.stop()
        check("AddressSanitizer" not in d.log(), d.log()[-3000:])
    finally:
        stop.set()
        d.cleanup()
        hook.close()
        export.close()


def test_bad_reload_keeps_serving():
    """Three refused configurations, then a good one."""
    old = client("acme", minimum_roi="1.5:1", minimum_spend="0")
    d = Daemon([old])
    cfgs = Configs(d)
    new = client("acme", minimum_roi="2.5:1", minimum_spend="0",
                 token="acme-token-NEW-0123456789abcdef")
    ns = NotifySocket(os.path.join(d.dir, "notify.sock"))

    def new_client(**kw):
        """acme as the new configuration has it: a new token, 2.5:1."""
        c = dict(new, **kw)
        c.pop("token")
        c["token_file"] = os.path.join(d.conf, "tokens", "acme-new.token")
        return c

    write_atomic(os.path.join(d.conf, "tokens", "acme-new.token"), new["token"] + "\n")
    good = json.dumps(new_client(), indent=2)
    cfgs.write("syntax", [], main_text='// test\n{\n  "state_dir": "%s",\n  "listen_port": 1,,\n}\n'
               % d.state)
    cfgs.write("receiver", [], raw={"acme.conf": json.dumps(new_client(receivers=[
        {"name": "mailbox", "type": "file", "dir": "mail/acme"},
        {"name": "pager", "type": "pigeon", "url": "http://127.0.0.1:9/"}]), indent=2)})
    gone = new_client()
    gone["token_file"] = os.path.join(d.conf, "tokens", "gone.token")
    cfgs.write("token", [], raw={"acme.conf": json.dumps(gone, indent=2)})
    cfgs.write("good", [], raw={"acme.conf": good})
    probe = [0]

    def old_still_rules(why):
        """Ingest and reads with the old token, not the new; a campaign
        posted now is judged by the old threshold (1.5:1: ROI 2 is fine)."""
        probe[0] += 1
        camp = "probe-%d" % probe[0]
        st, doc = post(d.port, old["token"], rows("acme", camp, 0, 3))
        check(st == 202, "%s: old token refused for ingest: %d %r" % (why, st, doc))
        st, _ = post(d.port, new["token"], rows("acme", camp, 0, 1))
        check(st == 401, "%s: the refused configuration's token accepted: %d" % (why, st))
        st, body = get(d.port, old["token"], "/v1/clients/acme/kpis")
        check(st == 200, "%s: read with the old token: %d %r" % (why, st, body))
        wait_for(lambda: d.query("select state from alert_state where client = 'acme' "
                                 "and subject = ? and rule = 'roi_low'", camp),
                 what="%s judged" % camp)
        state = d.query("select state from alert_state where client = 'acme' and "
                        "subject = ? and rule = 'roi_low'", camp)[0][0]
        check(state == "ok", "%s: %s judged %r: not by the old threshold" % (why, camp, state))

    try:
        d.start(env={"NOTIFY_SOCKET": ns.path})
        log = LogTail(d)
        wait_for(lambda: "READY=1" in ns.drain(), what="READY=1")
        old_still_rules("at start")
        conf_dir = re.escape(d.conf)
        cases = [
            ("syntax", conf_dir + r"/roiwatchd\.conf:4: "),
            ("receiver", conf_dir + r"/clients-receiver/acme\.conf:\d+: option 'type': must be one of"),
            ("token", conf_dir + r"/clients-token/acme\.conf:\d+: option 'token_file': cannot open "
             r".*gone\.token"),
        ]
        for i, (name, where) in enumerate(cases):
            cfgs.use(name)
            ns.messages.clear()
            d.signal(signal.SIGHUP)
            log.wait_count("reload refused", i + 1)
            line = [l for l in log.read().splitlines() if "reload refused" in l][-1]
            check(re.search(where, line), "%s: the refusal names %r: %s" % (name, where, line))
            check(line.startswith("<4>"), "%s: a warning: %s" % (name, line))
            print("  " + line, flush=True)
            wait_for(lambda: any(m.startswith("READY=1") for m in ns.drain()),
                     what="READY=1 after the refused reload")
            seq = [m.split("\n")[0] for m in ns.messages if not m.startswith("STATUS=")]
            check(seq[:2] == ["RELOADING=1", "READY=1"],
                  "%s: RELOADING=1 then READY=1: %r" % (name, ns.messages))
            old_still_rules(name)
        check(log.count("configuration reloaded:") == 0, "a bad configuration applied")

        cfgs.use("good")
        ns.messages.clear()
        d.signal(signal.SIGHUP)
        log.wait_count("configuration reloaded:", 1)
        wait_for(lambda: any(m.startswith("READY=1") for m in ns.drain()),
                 what="READY=1 after the good reload")
        seq = [m.split("\n")[0] for m in ns.messages if not m.startswith("STATUS=")]
        check(seq[:2] == ["RELOADING=1", "READY=1"], "RELOADING=1 then READY=1: %r" % ns.messages)
        st, _ = post(d.port, new["token"], rows("acme", "after", 0, 1))
        check(st == 202, "the new token after the good reload: %d" % st)
        st, _ = post(d.port, old["token"], rows("acme", "after", 0, 1))
        check(st == 401, "the old token after the good reload: %d" % st)
        # Every campaign judged again by 2.5:1: ROI 2 is low now.
        wait_for(lambda: d.query("select count(*) from alert_state where client = 'acme' "
                                 "and rule = 'roi_low' and subject like 'probe-%' "
                                 "and state = 'ok'")[0][0] == 0,
                 what="the probes judged by the new threshold")
        d.stop()
        check("AddressSanitizer" not in d.log(), d.log()[-3000:])
    finally:
        ns.close()
        d.cleanup()


def test_reload_while_requests_wait():
    """Requests queued before a reload are committed after it: while another
    process holds the database's write lock, POSTs wait in the daemon (up to
    5 s); a reload meanwhile rotates acme's token and removes globex. acme's
    request, authenticated when it came, is stored and answered 202;
    globex's is answered 401 (its client is gone: its token no longer
    opens anything), not 400 as if its rows were wrong, and nothing of it
    is stored."""
    acme, globex = client("acme"), client("globex")
    d = Daemon([acme, globex])
    cfgs = Configs(d)
    rotated = dict(acme, token="acme-token-ROTATED-0123456789ab")
    rotated.pop("token")
    tf = os.path.join(d.conf, "tokens", "acme-rotated.token")
    write_atomic(tf, "acme-token-ROTATED-0123456789ab\n")
    rotated["token_file"] = tf
    cfgs.write("removed", [], raw={"acme.conf": json.dumps(rotated, indent=2)})
    answers = {}

    def send(cid, token):
        answers[cid] = post(d.port, token, rows(cid, "waited", 0, 3))

    try:
        d.start()
        log = LogTail(d)
        con = sqlite3.connect(os.path.join(d.state, "roiwatch.db"), timeout=10,
                              isolation_level=None)
        try:
            con.execute("begin immediate")
            threads = [threading.Thread(target=send, args=(c["id"], c["token"]))
                       for c in (acme, globex)]
            for t in threads:
                t.start()
            log.wait_count("bytes queued", 2)
            cfgs.use("removed")
            d.signal(signal.SIGHUP)
            log.wait_count("configuration reloaded:", 1)
            check(not answers, "answered while the lock was held: %r" % answers)
        finally:
            con.execute("rollback")
            con.close()
        for t in threads:
            t.join()
        st, doc = answers["acme"]
        check(st == 202 and doc["accepted"] == 3, "acme, queued before the reload: %d %r" % (st, doc))
        st, doc = answers["globex"]
        check(st == 401 and "reload" in doc["error"],
              "globex, removed while its request waited: %d %r" % (st, doc))
        stored = d.query("select client, count(*) from metrics group by client")
        check(stored == [("acme", 3)], "stored: %r" % stored)
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_reload_under_load, test_bad_reload_keeps_serving, test_reload_while_requests_wait])
