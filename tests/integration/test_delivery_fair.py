"""Fair delivery, Retry-After and deduplication keys, against real peers on
127.0.0.1: a webhook receiver that accepts connections and never answers holds
only its own few delivery slots (even with 10 000 notices due), so the other
receivers' alerts go out at once; a receiver's Retry-After (seconds or an HTTP
date) on 429/503 sets the next attempt; an e-mail resent after kill -9 carries
the same Message-ID and X-Roiwatch-Idempotency-Key; a key that would write
headers of its own is refused."""
import email
import email.policy
import email.utils
import http.server
import os
import socket
import threading
import time

from aiosmtpd.controller import Controller

from harness import CSV_HEADER, Daemon, Recorder, check, client, free_port, run, wait_for


def data(cid):
    return CSV_HEADER + (
        "%s,Black Friday,facebook,2026-11-20,25750,10000,50000,800,12\n" % cid)


class HangServer:
    """Accepts connections on 127.0.0.1, reads what comes and never answers.
    Counts connections: in all, and the most open at once."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.lock = threading.Lock()
        self.conns = []
        self.total = 0
        self.open = 0
        self.max_open = 0
        self.closing = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                if self.closing:
                    c.close()
                    continue
                self.conns.append(c)
                self.total += 1
                self.open += 1
                self.max_open = max(self.max_open, self.open)
            threading.Thread(target=self.drain, args=(c,), daemon=True).start()

    def drain(self, c):
        try:
            while c.recv(65536):
                pass
        except OSError:
            pass
        with self.lock:
            self.open -= 1

    def close(self):
        with self.lock:
            self.closing = True
            conns = list(self.conns)
        self.sock.close()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()


def clone_items(d, client_id, receiver, count, age):
    """count more due outbox items like the one queued for client/receiver,
    older than every other (created `age` seconds ago, oldest first)."""
    con = d.db()
    try:
        (payload,) = con.execute("select payload from outbox where client = ? and receiver = ?",
                                 (client_id, receiver)).fetchone()
        now = int(time.time())
        con.executemany(
            "insert into outbox (client, receiver, idem_key, payload, created, next_at)"
            " values (?, ?, ?, ?, ?, ?)",
            [(client_id, receiver, "rw-clone-%d" % i, payload, now - age + i // 100, now - age)
             for i in range(count)])
        con.commit()
    finally:
        con.close()


def test_hanging_receiver_delays_only_itself():
    """acme's "hang" receiver never answers and has 10 000 notices due; acme's
    other receiver and globex's get theirs within a second or two, not after
    delivery_timeout_secs; the hanging one gets at most 4 connections."""
    hang = HangServer()
    ok = Recorder()
    other = Recorder()
    acme_rx = [{"name": "hang", "type": "webhook", "url": "http://127.0.0.1:%d/h" % hang.port},
               {"name": "ok", "type": "webhook", "url": "http://127.0.0.1:%d/ok" % ok.port}]
    globex_rx = [{"name": "hook", "type": "webhook",
                  "url": "http://127.0.0.1:%d/g" % other.port}]
    d = Daemon([client("acme", receivers=acme_rx, target_roi="200%"),
                client("globex", receivers=globex_rx, target_roi="200%")],
               delivery_timeout_secs=20, catchup_max=0)
    try:
        # Queue acme's notice (one item per receiver) without the daemon, then
        # 10 000 older ones for the hanging receiver (the backlog is the
        # point: no catch-up folds it).
        path = os.path.join(d.dir, "acme.csv")
        with open(path, "w") as f:
            f.write(data("acme"))
        d.cli("ingest", path)
        check(sorted(d.query("select receiver from outbox")) == [("hang",), ("ok",)],
              "queued: %r" % d.query("select receiver from outbox"))
        clone_items(d, "acme", "hang", 10000, 3600)

        t0 = time.monotonic()
        d.start()
        wait_for(lambda: ok.requests, timeout=20, what="acme's other receiver")
        took_ok = time.monotonic() - t0
        wait_for(lambda: hang.total >= 4, what="the hanging receiver's connections")

        # A new alert of another client while the receiver still hangs.
        t1 = time.monotonic()
        d.drop("globex.csv", data("globex"))
        wait_for(lambda: other.requests, timeout=20, what="globex's receiver")
        took_other = time.monotonic() - t1
        print("  start to acme/ok %.2fs, drop to globex %.2fs" % (took_ok, took_other), flush=True)
        check(took_ok < 3.0, "acme's other receiver waited %.1fs" % took_ok)
        check(took_other < 3.0, "globex's receiver waited %.1fs" % took_other)
        wait_for(lambda: d.query("select count(*) from outbox where status = 'done'") == [(2,)],
                 what="both recorded as done")
        time.sleep(0.5)
        check(hang.max_open <= 4 and hang.total <= 4,
              "hanging receiver: %d connections, %d at once (limit 4)"
              % (hang.total, hang.max_open))
        check(d.query("select count(*) from outbox where status = 'pending'") == [(10001,)],
              "the hanging receiver's items wait: %r"
              % d.query("select status, count(*) from outbox group by status"))
        hang.close()
        d.stop()
    finally:
        hang.close()
        d.cleanup()
        ok.close()
        other.close()


class BusyHandler(http.server.BaseHTTPRequestHandler):
    """First request: the server's `first` status with a Retry-After made by
    its `retry_after()`; later ones: 200. Arrival times recorded."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        srv = self.server
        with srv.lock:
            srv.times.append(time.monotonic())
            first = len(srv.times) == 1
        if first:
            self.send_response(srv.first)
            self.send_header("Retry-After", srv.retry_after())
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


class Busy(http.server.ThreadingHTTPServer):
    def __init__(self, first, retry_after):
        self.first = first
        self.retry_after = retry_after
        self.times = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), BusyHandler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


def test_retry_after():
    """429 with "Retry-After: 4" and 503 with an HTTP date 4 s ahead: the next
    attempt comes about 4 s later (at least 3 s with whole-second clocks),
    not after the 1-2 s backoff of this configuration (retry_max_secs 2)."""
    delta = Busy(429, lambda: "4")
    date = Busy(503, lambda: email.utils.formatdate(time.time() + 4, usegmt=True))
    d = Daemon([client("acme", receivers=[{"name": "hook", "type": "webhook",
                                            "url": "http://127.0.0.1:%d/" % delta.port}],
                       target_roi="200%"),
                client("globex", receivers=[{"name": "hook", "type": "webhook",
                                              "url": "http://127.0.0.1:%d/" % date.port}],
                       target_roi="200%")])
    try:
        d.start()
        d.drop("m.csv", data("acme") + data("globex").split("\n", 1)[1])
        for srv, what in ((delta, "429, Retry-After: 4"), (date, "503, Retry-After: <date>")):
            wait_for(lambda: len(srv.times) >= 2, timeout=20, what="second attempt (%s)" % what)
            gap = srv.times[1] - srv.times[0]
            check(2.9 <= gap <= 6.5, "%s: retried after %.1fs" % (what, gap))
        wait_for(lambda: d.query("select status from outbox") == [("done",), ("done",)],
                 what="both done")
        check("as its Retry-After asks" in d.log(), "the wait is logged")
        d.stop()
    finally:
        d.cleanup()
        delta.close()
        date.close()


class SlowSink:
    """SMTP peer that records each message and holds the first one's answer
    (the daemon is killed meanwhile)."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope.original_content)
            first = len(self.messages) == 1
        if first:
            import asyncio
            await asyncio.sleep(5)
        return "250 OK"


def test_email_resend_keeps_message_id():
    """kill -9 while the SMTP server holds the answer: the restarted daemon
    sends the message again (at least once), with the same Message-ID, made
    from the outbox item's idempotency key, and the key in
    X-Roiwatch-Idempotency-Key. A key carrying CR/LF is refused, never sent."""
    sink = SlowSink()
    port = free_port()
    ctl = Controller(sink, hostname="127.0.0.1", port=port)
    ctl.start()
    rx = [{"name": "mail", "type": "smtp", "url": "smtp://127.0.0.1:%d" % port,
           "from": "alerts@agency.example", "to": ["cmo@acme.example"], "starttls": "no"}]
    d = Daemon([client("acme", receivers=rx, target_roi="200%")])
    try:
        d.start()
        d.drop("m.csv", data("acme"))
        wait_for(lambda: sink.messages, what="the first copy at the SMTP server")
        d.proc.kill()
        d.proc.wait()
        d.proc = None
        d.log_file.close()
        ((key, status),) = d.query("select idem_key, status from outbox")
        check(status == "pending", "killed mid-delivery: %s" % status)
        # An item whose key would add a header line of its own.
        con = d.db()
        con.execute("insert into outbox (client, receiver, idem_key, payload, created, next_at)"
                    " select client, receiver, ?, payload, created + 1, next_at from outbox",
                    ("rw-evil\r\nBcc: thief@evil.example",))
        con.commit()
        con.close()

        d.start()
        wait_for(lambda: len(sink.messages) >= 2, timeout=20, what="the resent copy")
        msgs = [email.message_from_bytes(m, policy=email.policy.default)
                for m in sink.messages[:2]]
        want = "<%s@agency.example>" % key
        for m in msgs:
            check(m["Message-ID"] == want, "Message-ID %r, want %r" % (m["Message-ID"], want))
            check(m["X-Roiwatch-Idempotency-Key"] == key,
                  "X-Roiwatch-Idempotency-Key %r, want %r" % (m["X-Roiwatch-Idempotency-Key"], key))
            check(m["Bcc"] is None and m.defects == [], "headers: %r" % list(m.keys()))
        wait_for(lambda: sorted(d.query("select status from outbox")) == [("dead",), ("done",)],
                 what="resent copy done, bad key dead")
        check(len(sink.messages) == 2, "copies: %d" % len(sink.messages))
        check(b"thief" not in b"".join(sink.messages), "injected key sent")
        err = d.query("select last_error from outbox where status = 'dead'")[0][0]
        check("bad idempotency key" in err, "dead because: %r" % err)
        d.stop()
    finally:
        d.cleanup()
        ctl.stop()


if __name__ == "__main__":
    run([test_hanging_receiver_delays_only_itself, test_retry_after,
         test_email_resend_keeps_message_id])
