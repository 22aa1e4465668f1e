"""Sources end to end. Pull: a local HTTP server answers 200 with a CSV (rows
stored, alert written, the headers_file's header sent), then 304 to the stored
ETag (no re-ingest, last_success advances, across a restart), then 500 (failures
counted, retried with backoff, logged), and a server that never answers within
timeout_secs (a failure; the daemon keeps serving). Files: a semicolon,
decimal-comma CSV with %d/%m/%Y dates matched by a "files" source is stored with
exact sums."""
import os
import socket
import threading
import time
import urllib.request

import http.server

from harness import CSV_HEADER, Daemon, check, client, run, wait_for

EXPORT = CSV_HEADER + (
    "acme,Black Friday,facebook,2026-11-20,1000.00,1200.00,50000,800,12\n"
    "acme,Newsletter,email,2026-11-20,200.00,1000.00,10000,500,40\n"
)


class Export(http.server.ThreadingHTTPServer):
    """Serves EXPORT with an ETag; 304 when If-None-Match matches; `status`
    overrides the answer (e.g. 500)."""

    def __init__(self):
        self.requests = []
        self.status = 200
        self.etag = '"v1"'
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), ExportHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def count(self):
        with self.lock:
            return len(self.requests)

    def close(self):
        self.shutdown()
        self.server_close()


class ExportHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server
        with srv.lock:
            srv.requests.append({k.lower(): v for k, v in self.headers.items()})
            status = srv.status
        if status != 200:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.headers.get("If-None-Match") == srv.etag:
            self.send_response(304)
            self.send_header("ETag", srv.etag)
            self.end_headers()
            return
        body = EXPORT.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("ETag", srv.etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


def source_state(d, name):
    rows = d.query("select last_attempt, last_success, etag, failures, last_error, next_at"
                   " from sources where name = ?", name)
    if not rows:
        return None
    keys = ("last_attempt", "last_success", "etag", "failures", "last_error", "next_at")
    return dict(zip(keys, rows[0]))


def make_due(d, name):
    """Stopped daemon: make the source due at the next start."""
    con = d.db()
    con.execute("update sources set next_at = 0 where name = ?", (name,))
    con.commit()
    con.close()


def test_pull_200_304_500():
    srv = Export()
    d = Daemon([client("acme")], sources=[{
        "name": "acme-export", "type": "pull",
        "url": "http://127.0.0.1:%d/export.csv?key=in-the-query" % srv.port,
        "interval_secs": "1h", "timeout_secs": 5,
        "headers_file": "acme-export.headers"}])
    with open(os.path.join(d.conf, "acme-export.headers"), "w") as f:
        f.write("# the export's API key\nX-Api-Key: s3cr3t-api-key\n")
    try:
        # 200: stored, evaluated, alert written; the secret header was sent.
        d.start()
        wait_for(lambda: (source_state(d, "acme-export") or {}).get("last_success"),
                 what="first successful fetch")
        rows = d.query("select count(*), sum(cost), sum(revenue) from metrics")
        check(rows[0] == (2, 1200000000, 2200000000), "stored totals: %r" % (rows,))
        wait_for(lambda: d.messages("mail/acme"), what="an alert message")
        st = source_state(d, "acme-export")
        check(st["etag"] == '"v1"' and st["failures"] == 0, "state %r" % st)
        check(st["next_at"] - st["last_success"] == 3600, "next in 1h: %r" % st)
        check(srv.requests[0].get("x-api-key") == "s3cr3t-api-key", "headers_file header sent")
        check("if-none-match" not in srv.requests[0], "nothing to revalidate at first")
        updated = d.query("select input_id, src from metrics order by campaign")
        time.sleep(1.5)
        check(srv.count() == 1, "fetched again before its interval")
        d.stop()

        # After a restart: not due yet, nothing fetched.
        d.start()
        time.sleep(1.5)
        check(srv.count() == 1, "a restart fetched before next_at")
        d.stop()

        # 304 to the stored ETag: nothing re-ingested, still fresh.
        make_due(d, "acme-export")
        before = st["last_success"]
        time.sleep(1.1)
        d.start()
        wait_for(lambda: srv.count() >= 2, what="second fetch")
        check(srv.requests[1].get("if-none-match") == '"v1"', "If-None-Match sent: %r"
              % srv.requests[1])
        wait_for(lambda: source_state(d, "acme-export")["last_success"] > before,
                 what="last_success to advance on 304")
        check(d.query("select input_id, src from metrics order by campaign") == updated,
              "a 304 re-ingested")
        check(source_state(d, "acme-export")["etag"] == '"v1"', "ETag kept")
        # Freshness is exported for monitoring.
        import urllib.request
        text = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % d.port,
                                      timeout=5).read().decode()
        line = [l for l in text.splitlines()
                if l.startswith('roiwatch_source_last_success_seconds{source="acme-export"}')]
        check(line and int(line[0].split()[-1]) == source_state(d, "acme-export")["last_success"],
              "freshness in /metrics:\n" + text)
        check("roiwatch_pull_fetches_total{result=\"not_modified\"} 1" in text, text)
        d.stop()

        # 500: counted, backoff 30 s then 60 s, logged without secrets.
        srv.status = 500
        for n, backoff in ((1, 30), (2, 60)):
            make_due(d, "acme-export")
            d.start()
            wait_for(lambda: source_state(d, "acme-export")["failures"] == n,
                     what="failure %d recorded" % n)
            st = source_state(d, "acme-export")
            check(st["last_error"] == "HTTP status 500", "last_error %r" % st)
            check(st["next_at"] - st["last_attempt"] == backoff,
                  "backoff %d expected: %r" % (backoff, st))
            check(st["last_success"] > before, "freshness kept: %r" % st)
            d.stop()
        log = d.log()
        check("source acme-export failed" in log and "HTTP status 500" in log,
              "failure logged:\n" + log)
        check("s3cr3t" not in log and "in-the-query" not in log, "a secret was logged")
        check("s3cr3t" not in repr(d.query("select * from sources")), "secret stored")

        # Back to 200 (new ETag): failures reset.
        srv.status = 200
        srv.etag = '"v2"'
        make_due(d, "acme-export")
        d.start()
        wait_for(lambda: source_state(d, "acme-export")["failures"] == 0,
                 what="success after failures")
        check(source_state(d, "acme-export")["etag"] == '"v2"', "new ETag stored")
        d.stop()
    finally:
        d.cleanup()
        srv.close()


def test_pull_timeout_keeps_serving():
    """A server that accepts and never answers: a failure after timeout_secs,
    while the daemon goes on answering HTTP and taking inbox files."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(8)
    held = []

    def accept():
        while True:
            try:
                c, _ = lsock.accept()
            except OSError:
                return
            held.append(c)

    threading.Thread(target=accept, daemon=True).start()
    d = Daemon([client("acme")], sources=[{
        "name": "silent", "type": "pull",
        "url": "http://127.0.0.1:%d/x.csv" % lsock.getsockname()[1],
        "timeout_secs": 1}])
    try:
        d.start()
        t0 = time.monotonic()
        wait_for(lambda: (source_state(d, "silent") or {}).get("failures") == 1,
                 what="timeout recorded as a failure")
        check(time.monotonic() - t0 < 6, "timeout_secs 1 not applied")
        st = source_state(d, "silent")
        check("timed out" in (st["last_error"] or "").lower(), "last_error %r" % st)
        check(st["next_at"] - st["last_attempt"] == 30, "first backoff 30 s: %r" % st)
        with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % d.port, timeout=5) as r:
            check(r.status == 200, "healthz %d" % r.status)
        d.drop("still.csv", EXPORT)
        wait_for(lambda: d.done("still.csv"), what="inbox still served")
        d.stop()
    finally:
        d.cleanup()
        lsock.close()
        for c in held:
            c.close()


FR_EXPORT = (
    "client;campaign;channel;date;cost;revenue;impressions;clicks;conversions\r\n"
    "acme;Soldes d'hiver;facebook;20/11/2026;1 234,56;2 000,10;10 000;100;3\r\n"
    "acme;Soldes d'hiver;facebook;21/11/2026;765,44;999,90;5 000;50;1\r\n"
    "acme;Newsletter;email;20/11/2026;0,99;10,01;NA;;0\r\n"
)


def test_files_source_settings():
    d = Daemon([client("acme")], sources=[
        {"name": "pulled", "type": "pull", "url": "http://127.0.0.1:9/none.csv",
         "interval_secs": "1h"},
        {"name": "fr", "type": "files", "pattern": "fr-export-*.csv",
         "delimiter": ";", "decimal": ",", "thousands": " ",
         "date_format": "%d/%m/%Y"}])
    try:
        d.start()
        d.drop("fr-export-1.csv", FR_EXPORT)
        wait_for(lambda: d.done("fr-export-1.csv") or d.failed("fr-export-1.csv"),
                 what="fr-export-1.csv processed")
        check(d.done("fr-export-1.csv"), "refused:\n" + d.log())
        rows = d.query("select campaign, day, cost, revenue, impressions, clicks, conversions"
                       " from metrics order by campaign, day")
        day = 20777  # 2026-11-20
        check(rows == [
            ("Newsletter", day, 990000, 10010000, None, None, 0),
            ("Soldes d'hiver", day, 1234560000, 2000100000, 10000, 100, 3),
            ("Soldes d'hiver", day + 1, 765440000, 999900000, 5000, 50, 1),
        ], "stored rows: %r" % (rows,))
        sums = d.query("select sum(cost), sum(revenue) from metrics")
        check(sums[0] == (2000990000, 3010010000), "exact sums: %r" % (sums,))
        # Another name gets the defaults: the same text is refused.
        d.drop("other.csv", FR_EXPORT)
        wait_for(lambda: d.failed("other.csv"), what="other.csv refused")
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_files_source_settings, test_pull_200_304_500, test_pull_timeout_keeps_serving])
