"""Delivery to real peers on 127.0.0.1: an SMTP server must receive a well-formed
message; a webhook receiver must get the JSON, also when it fails first and the
daemon retries with backoff; the idempotency key stays the same across retries."""
import email
import email.policy
import json
import os
import signal
import ssl
import subprocess
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from harness import CSV_HEADER, Daemon, Recorder, check, client, free_port, run, wait_for

DATA = CSV_HEADER + (
    "acme,Black Friday,facebook,2026-11-20,25750,10000,50000,800,12\n"
    "acme,Flights,google_ads,2026-11-20,25750,87000,50000,800,12\n"
)


class Sink:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"


def test_smtp_receives_well_formed_message():
    sink = Sink()
    port = free_port()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    rx = [{"name": "mail", "type": "smtp", "url": "smtp://127.0.0.1:%d" % port,
           "from": "alerts@agency.example", "to": ["cmo@acme.example", "ops@agency.example"],
           "starttls": "no"}]
    d = Daemon([client("acme", receivers=rx, language="fr", target_roi="200%")])
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: sink.messages, what="an e-mail at the SMTP server")
        env = sink.messages[0]
        check(env.mail_from == "alerts@agency.example", "MAIL FROM " + env.mail_from)
        check(sorted(env.rcpt_tos) == ["cmo@acme.example", "ops@agency.example"],
              "RCPT TO %r" % env.rcpt_tos)
        raw = env.original_content if hasattr(env, "original_content") else env.content
        check(b"\r\n\r\n" in raw, "header/body separator is CRLF CRLF")
        head = raw.split(b"\r\n\r\n", 1)[0]
        check(b"\n" not in head.replace(b"\r\n", b""), "bare LF in headers")
        m = email.message_from_bytes(raw, policy=email.policy.default)
        for h in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version"):
            check(m[h], "missing header " + h)
        check(m.defects == [], "message defects: %r" % m.defects)
        body = m.get_body().get_content()
        check("237,86" in body, "worked case 237.86 % (fr) in body:\n" + body)
        check("Black Friday" in body, body)
        # Delivered once: the outbox item is done.
        wait_for(lambda: d.query("select status from outbox") == [("done",)], what="outbox done")
        time.sleep(1.5)
        check(len(sink.messages) == 1, "sent %d times" % len(sink.messages))
        d.stop()
    finally:
        d.cleanup()
        ctl.stop()


def make_cert(d):
    """A self-signed certificate for 127.0.0.1 (the SMTP peer's, and the CA
    the receiver is told to trust)."""
    cert, key = os.path.join(d.dir, "cert.pem"), os.path.join(d.dir, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", key, "-out", cert], check=True, capture_output=True)
    return cert, key


def test_smtp_starttls_and_login():
    """STARTTLS required and AUTH LOGIN/PLAIN against a TLS peer whose certificate
    is trusted through the receiver's ca_file; without it, verification fails and
    the notice waits in the outbox."""
    sink = Sink()
    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((mechanism, auth_data.login, auth_data.password, session.ssl is not None))
        ok = auth_data.login == b"roiwatch" and auth_data.password == b"s3cret-pass"
        return AuthResult(success=ok)

    port = free_port()
    rx = [{"name": "mail", "type": "smtp", "url": "smtp://127.0.0.1:%d" % port,
           "from": "alerts@agency.example", "to": ["cmo@acme.example"],
           "starttls": "required", "username": "roiwatch"}]
    d = Daemon([client("acme", receivers=rx, target_roi="200%")])
    ctl = None
    try:
        cert, key = make_cert(d)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        ctl = Controller(sink, hostname="127.0.0.1", port=port, tls_context=ctx,
                         require_starttls=True, authenticator=authenticator,
                         auth_require_tls=True)
        ctl.start()
        pw = os.path.join(d.conf, "tokens", "smtp.password")
        with open(pw, "w") as f:
            f.write("s3cret-pass\n")
        d.clients[0]["receivers"][0]["password_file"] = pw
        d.write_config()

        # Not trusted: the self-signed certificate is refused, nothing is sent.
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select attempts from outbox") and
                 d.query("select attempts from outbox")[0][0] >= 1, what="a failed attempt")
        check(sink.messages == [] and logins == [], "sent over an unverified TLS session")
        err = d.query("select last_error from outbox")[0][0] or ""
        check("s3cret" not in d.log() and "s3cret" not in err, "password leaked")
        d.stop()

        # Trusted through ca_file: delivered over TLS after login.
        d.clients[0]["receivers"][0]["ca_file"] = cert
        d.write_config()
        d.start()
        wait_for(lambda: sink.messages, timeout=20, what="an e-mail over STARTTLS")
        check(logins and logins[-1][1:] == (b"roiwatch", b"s3cret-pass", True),
              "login over TLS: %r" % logins)
        m = email.message_from_bytes(sink.messages[0].original_content,
                                     policy=email.policy.default)
        check("237.86" in m.get_body().get_content(), "worked case in the body")
        wait_for(lambda: d.query("select status from outbox") == [("done",)], what="done")
        d.stop()
    finally:
        d.cleanup()
        if ctl is not None:
            ctl.stop()


def test_webhook_retry_until_success():
    rec = Recorder(fail_first=2)
    rx = [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % rec.port}]
    d = Daemon([client("acme", receivers=rx, target_roi="200%")])
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: len(rec.requests) >= 3, timeout=30, what="third webhook attempt")
        wait_for(lambda: d.query("select status, attempts from outbox")[0][0] == "done",
                 what="outbox item done")
        status, attempts = d.query("select status, attempts from outbox")[0]
        check(attempts == 3, "three attempts recorded (two failed, one delivered), got %d" % attempts)
        keys = set()
        for headers, body in rec.requests:
            low = {k.lower(): v for k, v in headers.items()}
            check(low.get("content-type", "").startswith("application/json"), "content type")
            keys.add(low.get("idempotency-key"))
            doc = json.loads(body)
            check(doc["client"]["id"] == "acme", "client in payload")
            camps = {e["campaign"]: e for e in doc["events"]}
            check(set(camps) == {"Black Friday", "Flights"}, "events %r" % list(camps))
            check(abs(camps["Flights"]["roi_percent"] - 237.86) < 0.01,
                  "roi_percent %r" % camps["Flights"]["roi_percent"])
        check(len(keys) == 1 and None not in keys, "idempotency key stable: %r" % keys)
        log = d.log()
        check("retry" in log.lower(), "failures and retries are logged")
        time.sleep(2)
        check(len(rec.requests) == 3, "no delivery after success, got %d" % len(rec.requests))
        d.stop()
    finally:
        d.cleanup()
        rec.close()


def test_webhook_outage_survives_restart():
    """A receiver down across a daemon restart still gets the alert exactly once after."""
    port = free_port()
    rx = [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % port}]
    d = Daemon([client("acme", receivers=rx)])
    rec = None
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select attempts from outbox") and
                 d.query("select attempts from outbox")[0][0] >= 1, what="a failed attempt")
        d.stop()
        check(d.query("select status from outbox")[0][0] == "pending", "item still pending")
        rec = Recorder()  # a new port: the configuration is pointed at it
        d.clients[0]["receivers"][0]["url"] = "http://127.0.0.1:%d/hook" % rec.port
        d.write_config()
        d.start()
        wait_for(lambda: rec.requests, timeout=20, what="delivery after restart")
        wait_for(lambda: d.query("select status from outbox")[0][0] == "done", what="done")
        time.sleep(1.5)
        check(len(rec.requests) == 1, "delivered %d times" % len(rec.requests))
        d.stop()
    finally:
        d.cleanup()
        if rec is not None:
            rec.close()


def test_stop_finishes_delivery_in_flight():
    """SIGTERM while a webhook is being delivered: the daemon waits for it (up to
    its grace period), records it as done and exits 0; nothing is sent again."""
    rec = Recorder(delay=2.0)
    rx = [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/hook" % rec.port}]
    d = Daemon([client("acme", receivers=rx)])
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: rec.requests, what="delivery under way")
        t0 = time.monotonic()
        d.signal(signal.SIGTERM)
        time.sleep(0.3)
        d.signal(signal.SIGHUP)        # a reload while stopping is ignored
        d.stop(send=False)             # asserts exit status 0
        took = time.monotonic() - t0
        check("reload ignored" in d.log(), "SIGHUP while stopping:\n" + d.log())
        check(1.0 < took < 9.0, "stop waited for the delivery (%.1fs)" % took)
        check(d.query("select status from outbox") == [("done",)],
              "in-flight delivery recorded: %r" % d.query("select status from outbox"))
        d.start()
        time.sleep(1.5)
        check(len(rec.requests) == 1, "re-sent after restart: %d" % len(rec.requests))
        d.stop()
    finally:
        d.cleanup()
        rec.close()


def test_outbox_retention():
    """Finished outbox items older than outbox_retention_days are deleted at
    start (then hourly); recent and pending ones stay."""
    d = Daemon([client("acme")], outbox_retention_days=1)
    try:
        d.start()
        d.drop("m.csv", DATA)
        wait_for(lambda: d.query("select status from outbox") == [("done",)], what="delivered")
        d.stop()
        con = d.db()
        old = int(time.time()) - 3 * 86400
        con.execute("insert into outbox (client, receiver, idem_key, payload, created,"
                    " next_at, status, done_at) values ('acme', 'mailbox', 'k-old', '{}',"
                    " ?, ?, 'done', ?)", (old, old, old))
        con.execute("insert into outbox (client, receiver, idem_key, payload, created,"
                    " next_at, status) values ('acme', 'gone', 'k-pend', '{}', ?, ?,"
                    " 'pending')", (old, old + 10 ** 9))
        con.commit()
        con.close()
        d.start()
        wait_for(lambda: "older than 1 day(s) deleted" in d.log(), what="pruning")
        keys = sorted(k for (k,) in d.query("select idem_key from outbox"))
        check("k-old" not in keys and "k-pend" in keys and len(keys) == 2,
              "after pruning: %r" % keys)
        d.stop()
    finally:
        d.cleanup()


def test_test_notify():
    """roiwatch test-notify sends an example alert marked as a test to one
    receiver at once and reports the outcome; nothing goes to the outbox."""
    ok = Recorder()
    bad = Recorder(fail_first=1)
    rx = [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/h" % ok.port},
          {"name": "broken", "type": "webhook", "url": "http://127.0.0.1:%d/h" % bad.port},
          {"name": "mailbox", "type": "file", "dir": "mail/acme"}]
    d = Daemon([client("acme", receivers=rx)])
    try:
        r = d.cli("test-notify", "acme", "hook")
        check("delivered" in r.stdout, r.stdout + r.stderr)
        check(len(ok.requests) == 1, "one POST, got %d" % len(ok.requests))
        doc = json.loads(ok.requests[0][1])
        check(doc["test"] is True and doc["subject"].startswith("[roiwatch] TEST"),
              "marked as a test: %r" % doc["subject"])
        check(abs(doc["events"][0]["roi_percent"] - 237.86) < 0.01, "example figures")

        r = d.cli("test-notify", "acme", "broken", check_rc=False)
        check(r.returncode != 0 and "HTTP 500 Internal Server Error" in r.stderr, r.stdout + r.stderr)
        check(len(bad.requests) == 1, "a failed test is not retried")

        r = d.cli("test-notify", "acme", "mailbox")
        msgs = d.messages("mail/acme")
        check(len(msgs) == 1 and "test-notify" in msgs[0].get_body().get_content(),
              "file receiver wrote the test message")
        r = d.cli("test-notify", "acme", "nope", check_rc=False)
        check(r.returncode != 0 and "not configured" in r.stderr, r.stderr)
        # test-notify needs no database: it may not even exist.
        check(not os.path.exists(os.path.join(d.state, "roiwatch.db")) or
              d.query("select count(*) from outbox") == [(0,)], "test went through the outbox")
    finally:
        d.cleanup()
        ok.close()
        bad.close()


if __name__ == "__main__":
    run([test_smtp_receives_well_formed_message, test_smtp_starttls_and_login,
         test_webhook_retry_until_success,
         test_webhook_outage_survives_restart, test_stop_finishes_delivery_in_flight,
         test_test_notify, test_outbox_retention])
