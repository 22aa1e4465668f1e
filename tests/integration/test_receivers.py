"""Receivers judged by one set of rules, against real HTTP peers on 127.0.0.1:
a 404 ends the notice at once (dead after one attempt, with the status in
its reason); a 429 with Retry-After is asked again when it says and
delivered once; the attempts agree between the log, the dead item's
message, the outbox row and /metrics. check-config refuses a webhook in
clear (http://) or an SMTP relay without required STARTTLS to a host that
is not loopback, unless the receiver says allow_insecure (then the daemon
warns at every start). The insecure receivers point at 192.0.2.10 (TEST-NET-1)
and are only checked: nothing is ever sent there."""
import http.client
import http.server
import os
import re
import signal
import threading
import time

from harness import CSV_HEADER, Daemon, check, client, run, wait_for

# One campaign under its minimum ROI: one alert, one notice.
DATA = CSV_HEADER + "acme,Black Friday,facebook,2026-11-20,25750,10000,50000,800,12\n"


class Scripted(http.server.ThreadingHTTPServer):
    """HTTP receiver on 127.0.0.1 answering each POST with the next of
    `answers` ((status, headers) pairs; the last one repeats), and recording
    when each came."""

    def __init__(self, answers):
        self.answers = answers
        self.requests = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), ScriptedHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


class ScriptedHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        srv = self.server
        with srv.lock:
            srv.requests.append((time.monotonic(), dict(self.headers), body))
            status, headers = srv.answers[min(len(srv.requests), len(srv.answers)) - 1]
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def metrics(d):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        check(r.status == 200, "/metrics answered %d" % r.status)
        text = r.read().decode()
    finally:
        c.close()
    out = {}
    for m in re.finditer(r'^roiwatch_delivery_attempts_total\{outcome="(\w+)"\} (\d+)$', text, re.M):
        out[m.group(1)] = int(m.group(2))
    check(set(out) == {"delivered", "retry", "dead"}, "attempt counters in /metrics:\n" + text)
    return out


def hook(port, **kw):
    r = {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % port}
    r.update(kw)
    return [r]


def test_404_dead_after_one_attempt():
    """A receiver answering 404 is not asked again, even with a Retry-After:
    the notice is dead after one attempt and says why."""
    rec = Scripted([(404, {"Retry-After": "1"})])
    d = Daemon([client("acme", receivers=hook(rec.port))])
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select status from outbox") == [("dead",)], what="a dead item")
        # retry_initial_secs is 1: a retry would have come by now.
        time.sleep(2.5)
        check(len(rec.requests) == 1, "404 asked %d times" % len(rec.requests))
        attempts, err = d.query("select attempts, last_error from outbox")[0]
        check(attempts == 1, "outbox row counts %d attempts" % attempts)
        check(err == "HTTP 404 Not Found (permanent failure, after 1 attempt)", "reason %r" % err)
        check("receiver hook after 1 attempt: HTTP 404 Not Found" in d.log(), d.log())
        m = metrics(d)
        check(m == {"delivered": 0, "retry": 0, "dead": 1}, "/metrics %r" % m)
        d.stop()
    finally:
        d.cleanup()
        rec.close()


def test_429_retry_after_then_delivered_once():
    """429 with Retry-After: 3 is asked again no sooner than 3 s later (the
    backoff alone waits at most retry_max_secs, 2 s here), then delivered
    once; the row counts both attempts, as /metrics does."""
    rec = Scripted([(429, {"Retry-After": "3"}), (200, {})])
    d = Daemon([client("acme", receivers=hook(rec.port))])
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select status from outbox") == [("done",)], timeout=20,
                 what="the notice delivered")
        check(len(rec.requests) == 2, "asked %d times" % len(rec.requests))
        gap = rec.requests[1][0] - rec.requests[0][0]
        check(2.5 <= gap < 6, "asked again after %.1fs, Retry-After said 3" % gap)
        keys = {r[1].get("Idempotency-Key") for r in rec.requests}
        check(len(keys) == 1, "one idempotency key: %r" % keys)
        time.sleep(1.5)
        check(len(rec.requests) == 2, "delivered more than once: %d" % len(rec.requests))
        attempts, = d.query("select attempts from outbox")[0]
        check(attempts == 2, "outbox row counts %d attempts" % attempts)
        check("(as its Retry-After asks)" in d.log(), d.log())
        m = metrics(d)
        check(m == {"delivered": 1, "retry": 1, "dead": 0}, "/metrics %r" % m)
        d.stop()
    finally:
        d.cleanup()
        rec.close()


def test_attempts_agree_when_dead():
    """Two 500s, then a 410: dead after the third attempt; the log, the
    item's message, its row and /metrics all say 3."""
    rec = Scripted([(500, {}), (500, {}), (410, {})])
    d = Daemon([client("acme", receivers=hook(rec.port))])
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select status from outbox") == [("dead",)], timeout=20,
                 what="a dead item")
        check(len(rec.requests) == 3, "asked %d times" % len(rec.requests))
        attempts, err = d.query("select attempts, last_error from outbox")[0]
        check(attempts == 3, "outbox row counts %d attempts" % attempts)
        check(err == "HTTP 410 Gone (permanent failure, after 3 attempts)", "reason %r" % err)
        log = d.log()
        check("attempt 1 failed: HTTP 500" in log and "attempt 2 failed: HTTP 500" in log, log)
        check("receiver hook after 3 attempts: HTTP 410 Gone" in log, log)
        m = metrics(d)
        check(m == {"delivered": 0, "retry": 2, "dead": 1}, "/metrics %r" % m)
        d.stop()
    finally:
        d.cleanup()
        rec.close()


def set_receivers(d, rx):
    d.clients[0]["receivers"] = rx
    d.write_config()


def test_insecure_receivers_refused():
    """http:// and smtp:// without required STARTTLS to 192.0.2.10 are refused
    by check-config, naming the file, the receiver's option and the host;
    loopback and TLS pass; allow_insecure: true lets them through, and the
    daemon then warns at start, naming the receiver, never its secret."""
    d = Daemon([client("acme")])
    secret = os.path.join(d.conf, "tokens", "hook.secret")
    with open(secret, "w") as f:
        f.write("never-in-the-log-0123456789\n")
    refused = [
        {"name": "clear", "type": "webhook", "url": "http://192.0.2.10:8080/hook"},
        {"name": "clear", "type": "webhook", "url": "http://user:pw@192.0.2.10/hook"},
        {"name": "relay", "type": "smtp", "url": "smtp://192.0.2.10:25",
         "from": "alerts@agency.example", "to": ["ops@agency.example"], "starttls": "try"},
        {"name": "relay", "type": "smtp", "url": "smtp://192.0.2.10:25",
         "from": "alerts@agency.example", "to": ["ops@agency.example"], "starttls": "no"},
    ]
    try:
        for rx in refused:
            set_receivers(d, [rx])
            r = d.cli("check-config", check_rc=False)
            check(r.returncode != 0, "accepted: %r\n%s" % (rx, r.stdout))
            check("acme.conf:" in r.stderr and "192.0.2.10" in r.stderr and
                  "allow_insecure" in r.stderr, r.stderr)
            check(("url" if rx["type"] == "webhook" else "starttls") in r.stderr, r.stderr)
            check("pw@" not in r.stderr, "credentials of the URL shown: " + r.stderr)

        fine = [
            {"name": "tls", "type": "webhook", "url": "https://192.0.2.10/hook"},
            {"name": "local", "type": "webhook", "url": "http://127.0.0.1:9/hook"},
            {"name": "local6", "type": "webhook", "url": "http://[::1]:9/hook"},
            {"name": "relay", "type": "smtp", "url": "smtp://192.0.2.10:587",
             "from": "alerts@agency.example", "to": ["ops@agency.example"]},
        ]
        set_receivers(d, fine)
        r = d.cli("check-config", check_rc=False)
        check(r.returncode == 0, r.stdout + r.stderr)

        # allow_insecure is a receiver's own choice, and only where it means something.
        set_receivers(d, [{"name": "mailbox", "type": "file", "dir": "mail/acme",
                           "allow_insecure": True}])
        r = d.cli("check-config", check_rc=False)
        check(r.returncode != 0 and "allow_insecure" in r.stderr, r.stdout + r.stderr)

        allowed = [dict(refused[0], allow_insecure=True, secret_file=secret),
                   dict(refused[2], allow_insecure=True),
                   {"name": "local", "type": "webhook", "url": "http://127.0.0.1:9/hook"}]
        set_receivers(d, allowed)
        r = d.cli("check-config", check_rc=False)
        check(r.returncode == 0, r.stdout + r.stderr)
        r = d.cli("check-config", "--options")
        check("allow_insecure" in r.stdout, r.stdout)

        # The daemon starts, warns about each insecure receiver (not the loopback
        # one), and again after a reload. No data is ingested: nothing is sent.
        d.start()
        log = d.log()
        check("receiver clear of client acme" in log and "receiver relay of client acme" in log,
              log)
        check("receiver local of client acme" not in log, log)
        check("never-in-the-log" not in log, "secret in the log")
        n = log.count("allow_insecure")
        d.signal(signal.SIGHUP)
        wait_for(lambda: d.log().count("allow_insecure") >= n + 2, what="warnings after reload")
        d.stop()
        check("never-in-the-log" not in d.log(), "secret in the log")
        check(d.query("select count(*) from outbox") == [(0,)], "something was queued")
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_404_dead_after_one_attempt, test_429_retry_after_then_delivered_once,
         test_attempts_agree_when_dead, test_insecure_receivers_refused])
