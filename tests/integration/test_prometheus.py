"""Observability against a real Prometheus on 127.0.0.1: it scrapes the
daemon every second (its own configuration and storage in the test's
directory, no other target) and what it stored is read back through its
query API -- roiwatch_up, a firing rule in roiwatch_alerts after an export
that makes it fire, the outbox's depth and oldest item per receiver while
the receiver fails, the evaluation histogram. The example alerting rules
(conf/prometheus/roiwatch-alerts.yml) pass promtool and are loaded by that
Prometheus. /healthz says what is wrong: an outbox item stuck, a pull source
failing, the inbox disabled -- "degraded" with a detail per check."""
import http.client
import http.server
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

import harness
from harness import CSV_HEADER, Daemon, check, client, free_port, run, wait_for

# One campaign under its minimum ROI: roi_low fires, one notice.
DATA = CSV_HEADER + "acme,Black Friday,facebook,2026-11-20,25750,10000,50000,800,12\n"


def rules_path():
    return os.path.join(harness.ARGS.source_dir, "conf", "prometheus", "roiwatch-alerts.yml")


class Failing(http.server.ThreadingHTTPServer):
    """An HTTP peer on 127.0.0.1 answering every request with 500: a webhook
    receiver that keeps failing, a pull source that keeps failing."""

    def __init__(self):
        self.count = 0
        super().__init__(("127.0.0.1", 0), FailingHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


class FailingHandler(http.server.BaseHTTPRequestHandler):
    def answer(self):
        n = int(self.headers.get("Content-Length", "0"))
        if n:
            self.rfile.read(n)
        self.server.count += 1
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = answer
    do_POST = answer

    def log_message(self, *a):
        pass


class Prometheus:
    """A Prometheus scraping one daemon every second, with the example rules."""

    def __init__(self, target_port):
        self.dir = tempfile.mkdtemp(prefix="roiwatch-prom-")
        self.port = free_port()
        conf = os.path.join(self.dir, "prometheus.yml")
        with open(conf, "w") as f:
            # JSON is YAML.
            json.dump({
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [rules_path()],
                "scrape_configs": [{
                    "job_name": "roiwatch",
                    "static_configs": [{"targets": ["127.0.0.1:%d" % target_port]}],
                }],
            }, f)
        self.log_path = os.path.join(self.dir, "prometheus.log")
        self.log_file = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            ["prometheus", "--config.file=" + conf,
             "--storage.tsdb.path=" + os.path.join(self.dir, "data"),
             "--web.listen-address=127.0.0.1:%d" % self.port],
            stdout=self.log_file, stderr=self.log_file, cwd=self.dir)
        wait_for(self.ready, timeout=30, what="Prometheus to be ready")

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def ready(self):
        check(self.proc.poll() is None, "prometheus exited:\n" + self.log())
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % self.port,
                                        timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def api(self, path, **params):
        url = "http://127.0.0.1:%d/api/v1/%s" % (self.port, path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=5) as r:
            doc = json.load(r)
        check(doc.get("status") == "success", "%s: %r" % (path, doc))
        return doc["data"]

    def query(self, expr):
        """The instant vector of expr: {frozenset(labels): value}."""
        data = self.api("query", query=expr)
        check(data["resultType"] == "vector", "%s: %r" % (expr, data))
        return {frozenset((k, v) for k, v in s["metric"].items() if k != "__name__"):
                float(s["value"][1]) for s in data["result"]}

    def value(self, expr):
        """The value of expr when it is one sample, else None."""
        v = self.query(expr)
        return next(iter(v.values())) if len(v) == 1 else None

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        self.log_file.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def healthz(d):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
    try:
        c.request("GET", "/healthz")
        r = c.getresponse()
        body = r.read()
        check(r.getheader("Content-Type") == "application/json", "healthz type %r"
              % r.getheader("Content-Type"))
        return r.status, json.loads(body)
    finally:
        c.close()


def checks(doc):
    return {c["name"]: c for c in doc["checks"]}


def test_promtool_checks_the_rules():
    r = subprocess.run(["promtool", "check", "rules", rules_path()],
                       capture_output=True, text=True)
    check(r.returncode == 0, "promtool: %s%s" % (r.stdout, r.stderr))
    check("SUCCESS" in r.stdout, r.stdout)
    # promtool does find a broken rule: the check above can fail.
    with open(rules_path()) as f:
        text = f.read()
    tmp = tempfile.mkdtemp(prefix="roiwatch-rules-")
    try:
        bad = os.path.join(tmp, "bad.yml")
        with open(bad, "w") as f:
            f.write(text.replace("> 900", "> > 900", 1))
        r = subprocess.run(["promtool", "check", "rules", bad], capture_output=True, text=True)
        check(r.returncode != 0, "promtool accepted a broken rule: %s" % r.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_promtool_tests_the_rules():
    """The rules fire on the series they are about, when they should."""
    tests = os.path.join(harness.ARGS.source_dir, "tests", "prometheus",
                         "roiwatch-alerts.test.yml")
    r = subprocess.run(["promtool", "test", "rules", tests], capture_output=True, text=True)
    check(r.returncode == 0, "promtool test rules: %s%s" % (r.stdout, r.stderr))
    # The same tests against a rule that waits too long fail: they can.
    tmp = tempfile.mkdtemp(prefix="roiwatch-rules-")
    try:
        os.makedirs(os.path.join(tmp, "conf", "prometheus"))
        os.makedirs(os.path.join(tmp, "tests", "prometheus"))
        with open(rules_path()) as f:
            text = f.read()
        with open(os.path.join(tmp, "conf", "prometheus", "roiwatch-alerts.yml"), "w") as f:
            f.write(text.replace("> 900", "> 9000", 1))
        shutil.copy(tests, os.path.join(tmp, "tests", "prometheus"))
        r = subprocess.run(["promtool", "test", "rules",
                            os.path.join(tmp, "tests", "prometheus", "roiwatch-alerts.test.yml")],
                           capture_output=True, text=True)
        check(r.returncode != 0, "a rule waiting 9000 s passed the tests: %s" % r.stdout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_prometheus_scrapes_the_daemon():
    rx = Failing()
    d = Daemon([client("acme", receivers=[{
        "name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % rx.port}])],
        retry_initial_secs=60, retry_max_secs=60)
    prom = None
    try:
        d.start()
        prom = Prometheus(d.port)
        wait_for(lambda: prom.value('roiwatch_up{job="roiwatch"}') == 1, timeout=30,
                 what="roiwatch_up scraped")
        check(prom.value('up{job="roiwatch"}') == 1, "target up")

        d.drop("m.csv", DATA)
        wait_for(lambda: d.done("m.csv"), what="the export ingested")
        wait_for(lambda: rx.count >= 1, what="a delivery attempt")
        # The receiver failed: the notice waits, retried in a minute.
        check(d.query("select status from outbox") == [("pending",)], "outbox %r"
              % d.query("select client, receiver, status from outbox"))

        firing = ('roiwatch_alerts{client="acme",rule="roi_low",scope="campaign",'
                  'state="firing"}')
        wait_for(lambda: prom.value(firing) == 1, timeout=30, what="roi_low firing in Prometheus")
        alerts = prom.query("roiwatch_alerts")
        check(all(dict(k)["state"] != "ok" for k in alerts), "ok states counted: %r" % alerts)
        check(all(set(dict(k)) == {"client", "rule", "scope", "state", "instance", "job"}
                  for k in alerts), "labels of roiwatch_alerts: %r" % alerts)

        pending = 'roiwatch_outbox_pending{client="acme",receiver="hook"}'
        wait_for(lambda: prom.value(pending) == 1, timeout=30, what="outbox_pending in Prometheus")
        created = d.query("select created from outbox")[0][0]
        oldest = 'roiwatch_outbox_oldest_pending_seconds{client="acme",receiver="hook"}'
        wait_for(lambda: (prom.value(oldest) or 0) >= 2, timeout=30, what="the oldest item's age")
        age = prom.value(oldest)
        check(age <= time.time() - created + 1, "age %r, created %d s ago"
              % (age, time.time() - created))

        n = prom.value('roiwatch_evaluation_duration_seconds_count{job="roiwatch"}')
        check(n is not None and n >= 1, "evaluation histogram count %r" % n)
        inf = prom.value('roiwatch_evaluation_duration_seconds_bucket{le="+Inf"}')
        check(inf == n, "+Inf bucket %r, count %r" % (inf, n))
        check(prom.value("roiwatch_digests_sent_total") == 0, "digests_sent_total kept")

        # The example rules are loaded, and judged on what was scraped.
        groups = prom.api("rules")["groups"]
        names = {r["name"] for g in groups for r in g["rules"]}
        for want in ("RoiwatchDown", "RoiwatchOutboxStuck", "RoiwatchSourceFailing",
                     "RoiwatchSourceStale", "RoiwatchEvaluationFailing"):
            check(want in names, "rule %s not loaded: %r" % (want, sorted(names)))
        for g in groups:
            for r in g["rules"]:
                check(r.get("health") in ("ok", "unknown"), "rule %s: %r" % (r["name"], r))
        wait_for(lambda: all(r.get("health") == "ok" for g in prom.api("rules")["groups"]
                             for r in g["rules"]), timeout=30, what="the rules evaluated")

        # Prometheus sees the daemon go.
        d.stop()
        wait_for(lambda: prom.value('up{job="roiwatch"}') == 0, timeout=30,
                 what="up == 0 after the daemon stopped")
    finally:
        if prom is not None:
            prom.stop()
        d.cleanup()
        rx.close()


def test_healthz_says_what_is_wrong():
    rx = Failing()
    d = Daemon([client("acme", receivers=[{
        "name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % rx.port}])],
        retry_initial_secs=60, retry_max_secs=60,
        sources=[{"name": "meta", "type": "pull", "interval_secs": "1h", "timeout_secs": 5,
                  "url": "http://127.0.0.1:%d/export.csv" % rx.port}])
    try:
        d.start()
        st, doc = healthz(d)
        check(st == 200 and doc["status"] == "ok", "healthz at start %r %r" % (st, doc))
        c = checks(doc)
        for name in ("store", "outbox", "evaluation", "sources", "inbox"):
            check(c.get(name, {}).get("ok") is True, "check %s: %r" % (name, doc))
        check(all("detail" not in x for x in doc["checks"]), "details when ok: %r" % doc)

        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select status, attempts from outbox") == [("pending", 1)],
                 what="a notice retried later")
        wait_for(lambda: d.query("select failures from sources") == [(1,)],
                 what="a failed fetch")
        # Time passes: the notice was made 20 minutes ago. (/healthz reads
        # the outbox at most every 5 s.)
        con = d.db()
        con.execute("update outbox set created = created - 1200")
        con.commit()
        con.close()
        wait_for(lambda: not checks(healthz(d)[1])["outbox"]["ok"], timeout=10,
                 what="the outbox check to fail")
        st, doc = healthz(d)
        check(st == 200 and doc["status"] == "degraded", "healthz %r %r" % (st, doc))
        c = checks(doc)
        check(c["outbox"]["detail"] == "1 item pending for more than 15 minutes (acme/hook)",
              "outbox detail %r" % c["outbox"])
        check(c["store"]["ok"] and c["inbox"]["ok"] and c["evaluation"]["ok"], repr(doc))
        # One failure is no trouble yet.
        check(c["sources"]["ok"], "sources %r" % c["sources"])
        d.stop()

        # Two more failed fetches (the source made due at each start).
        for n in (2, 3):
            con = d.db()
            con.execute("update sources set next_at = 0")
            con.commit()
            con.close()
            d.start()
            wait_for(lambda: d.query("select failures from sources") == [(n,)],
                     what="failure %d" % n)
            if n < 3:
                d.stop()
        c = checks(healthz(d)[1])
        check(not c["sources"]["ok"] and c["sources"]["detail"] ==
              "pull source meta: 3 consecutive failures: HTTP status 500",
              "sources %r" % c["sources"])

        # The inbox's done/ replaced by a symbolic link: the inbox is disabled.
        done = os.path.join(d.inbox, "done")
        os.rename(done, done + ".old")
        os.symlink(done + ".old", done)
        d.drop("n.csv", DATA)
        wait_for(lambda: not checks(healthz(d)[1])["inbox"]["ok"], what="the inbox check to fail")
        st, doc = healthz(d)
        c = checks(doc)
        check(st == 200 and doc["status"] == "degraded", "healthz %r %r" % (st, doc))
        check(c["inbox"]["detail"].startswith("disabled: "), "inbox %r" % c["inbox"])
        d.stop()
    finally:
        d.cleanup()
        rx.close()


if __name__ == "__main__":
    run([test_promtool_checks_the_rules, test_promtool_tests_the_rules,
         test_prometheus_scrapes_the_daemon,
         test_healthz_says_what_is_wrong])
