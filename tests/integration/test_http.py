"""HTTP ingest against the running daemon: every status code, token isolation,
signatures (valid, forged, old, replayed), limits, a slow client, and a webhook
re-delivered three times that counts once."""
import hashlib
import hmac
import http.client
import json
import os
import socket
import time

from harness import Daemon, check, client, run, wait_for

SECRET = "globex-signing-secret-0123456789"


def rows(cid, n=1, campaign="Search", cost="100.00", revenue="250.00", day0=1):
    return [{"client": cid, "campaign": campaign + ("" if i < 28 else " %d" % (i // 28)),
             "channel": "google_ads",
             "date": "2026-11-%02d" % ((day0 - 1 + i) % 28 + 1), "cost": cost, "revenue": revenue,
             "impressions": 1000, "clicks": 10, "conversions": 1} for i in range(n)]


class Http:
    def __init__(self, port):
        self.port = port

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            if isinstance(body, (list, dict)):
                body = json.dumps(body)
            if isinstance(body, str):
                body = body.encode()
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            try:
                doc = json.loads(data) if data else None
            except ValueError:
                doc = None
            return r.status, doc, dict(r.getheaders())
        finally:
            c.close()

    def post(self, body, token=None, ctype="application/json", extra=None, path="/v1/metrics"):
        h = {"Content-Type": ctype}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        h.update(extra or {})
        return self.request("POST", path, body, h)


def signed(body, secret=SECRET, ts=None):
    ts = str(int(time.time()) if ts is None else ts)
    mac = hmac.new(secret.encode(), (ts + ".").encode() + body, hashlib.sha256).hexdigest()
    return {"X-Roiwatch-Timestamp": ts, "X-Roiwatch-Signature": "sha256=" + mac}


def make_daemon(**opts):
    acme = client("acme")
    globex = client("globex")
    d = Daemon([acme, globex], http_idle_timeout_secs=1, http_max_body_bytes="64KiB",
               http_max_rows=50, **opts)
    path = os.path.join(d.conf, "tokens", "globex.hmac")
    with open(path, "w") as f:
        f.write(SECRET + "\n")
    d.clients[1]["hmac_secret_file"] = path
    d.write_config()
    return d, acme["token"], globex["token"]


def test_status_codes_and_isolation():
    d, acme, globex = make_daemon()
    try:
        d.start()
        h = Http(d.port)
        st, doc, _ = h.request("GET", "/healthz")
        check(st == 200 and doc["status"] == "ok", "healthz %r %r" % (st, doc))

        st, doc, _ = h.post(rows("acme", 3), acme)
        check(st == 202 and doc["accepted"] == 3 and doc["rejected"] == 0, "202 %r %r" % (st, doc))
        check(d.query("select count(*) from metrics")[0][0] == 3, "rows committed before 202")

        st, doc, _ = h.post('[{"client": "acme",', acme)
        check(st == 400, "malformed JSON: %r" % st)
        st, doc, _ = h.post(rows("acme", 1, cost="12x"), acme)
        check(st == 400 and doc["errors"][0]["field"] == "cost" and doc["errors"][0]["row"] == 1,
              "row error names row and field: %r" % doc)

        st, _, hdrs = h.post(rows("acme"), None)
        check(st == 401, "no token: %r" % st)
        st, _, _ = h.post(rows("acme"), "not-a-token-at-all-0000")
        check(st == 401, "unknown token: %r" % st)
        # The token of acme can never write globex, even mixed with acme rows.
        st, _, _ = h.post(rows("acme") + rows("globex"), acme)
        check(st == 403, "acme token writing globex: %r" % st)
        st, _, _ = h.post(rows("acme") + rows("globex"), acme, path="/v1/metrics?partial=1")
        check(st == 403, "acme token writing globex (partial): %r" % st)
        check(d.query("select count(*) from metrics where client='globex'")[0][0] == 0,
              "globex rows written through acme's token")

        st, _, _ = h.post("client,campaign\nacme,x\n", acme, ctype="application/xml")
        check(st == 415, "unknown type: %r" % st)
        st, _, _ = h.post(rows("acme", 51), acme)
        check(st == 413, "over the row limit: %r" % st)
        st, _, _ = h.post(b"[" + b" " * (100 * 1024) + b"]", acme)
        check(st == 413, "over the body limit: %r" % st)
        st, _, _ = h.request("GET", "/nope")
        check(st == 404, "unknown path: %r" % st)
        st, _, _ = h.request("GET", "/v1/metrics")
        check(st == 405, "GET on /v1/metrics: %r" % st)

        # CSV and NDJSON bodies.
        csv = "client,campaign,date,cost,revenue\nacme,Csv,2026-11-01,10,20\n"
        st, doc, _ = h.post(csv, acme, ctype="text/csv")
        check(st == 202 and doc["accepted"] == 1, "csv %r %r" % (st, doc))
        nd = "\n".join(json.dumps(r) for r in rows("acme", 2, campaign="Nd"))
        st, doc, _ = h.post(nd, acme, ctype="application/x-ndjson")
        check(st == 202 and doc["accepted"] == 2, "ndjson %r %r" % (st, doc))

        # Partial: good rows kept, the bad one reported by number and field.
        body = rows("acme", 2, campaign="Partial") + rows("acme", 1, campaign="Partial", cost="-5",
                                                         day0=20)
        st, doc, _ = h.post(body, acme, path="/v1/metrics?partial=1")
        check(st == 202 and doc["accepted"] == 2 and doc["rejected"] == 1, "partial %r" % doc)
        check(doc["errors"][0]["row"] == 3 and doc["errors"][0]["field"] == "cost", "%r" % doc)

        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
        c.request("GET", "/metrics")
        r = c.getresponse()
        text = r.read().decode()
        c.close()
        check(r.status == 200 and 'roiwatch_http_requests_total{code="202"}' in text,
              "/metrics:\n" + text)
        d.stop()
    finally:
        d.cleanup()


def test_signatures_and_redelivery():
    d, acme, globex = make_daemon()
    try:
        d.start()
        h = Http(d.port)
        body = json.dumps(rows("globex", 2, campaign="Flights", cost="12875.00",
                               revenue="43500.00")).encode()
        # Signed client without a signature, a forged one, an old one.
        st, _, _ = h.post(body, globex)
        check(st == 401, "missing signature: %r" % st)
        st, _, _ = h.post(body, globex, extra=signed(body, secret="wrong-secret-0123456789"))
        check(st == 401, "forged signature: %r" % st)
        st, _, _ = h.post(body, globex, extra=signed(body, ts=int(time.time()) - 3600))
        check(st == 401, "old timestamp: %r" % st)
        tampered = body.replace(b"43500.00", b"99999.00")
        st, _, _ = h.post(tampered, globex, extra=signed(body))
        check(st == 401, "body changed after signing: %r" % st)
        check(d.query("select count(*) from metrics")[0][0] == 0, "refused requests stored rows")

        sig = signed(body)
        st, doc, _ = h.post(body, globex, extra=sig)
        check(st == 202 and doc["accepted"] == 2, "signed: %r %r" % (st, doc))
        st, _, _ = h.post(body, globex, extra=sig)
        check(st == 409, "exact replay: %r" % st)

        # A sender re-delivering the same webhook three times (fresh signatures):
        # the totals count it once.
        for _ in range(3):
            time.sleep(1.05)  # a new timestamp, so a new signature
            st, _, _ = h.post(body, globex, extra=signed(body))
            check(st == 202, "re-delivery: %r" % st)
        tot = d.query("select count(*), sum(cost), sum(revenue) from metrics "
                      "where client='globex'")[0]
        check(tot == (2, 25750000000, 87000000000), "re-delivery double counted: %r" % (tot,))
        # The worked case, 87 000 / 25 750 = ROI 237.86 %, lies between the
        # client's minimum (150 %) and target (300 %): no alert.
        time.sleep(1.5)
        check(d.messages("mail/globex") == [], "unexpected alert")
        d.stop()
    finally:
        d.cleanup()


def test_slow_client_and_rate_limit():
    d, acme, globex = make_daemon(http_rate_per_minute=5)
    try:
        d.start()
        h = Http(d.port)
        slow = socket.create_connection(("127.0.0.1", d.port))
        slow.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\n")  # and nothing more
        idle = socket.create_connection(("127.0.0.1", d.port))      # sends nothing
        t0 = time.monotonic()
        st, _, _ = h.post(rows("acme"), acme)
        check(st == 202 and time.monotonic() - t0 < 1.0, "a slow client blocked the daemon")
        for s in (slow, idle):
            s.settimeout(5)
            try:
                data = s.recv(4096)
                while data:
                    data = s.recv(4096)
            except ConnectionResetError:
                pass
            s.close()
        check(time.monotonic() - t0 < 4.5, "slow connections not closed after the idle timeout")
        # Rate: 5 per minute per client; acme already used one.
        codes = [h.post(rows("acme"), acme)[0] for _ in range(6)]
        check(codes.count(429) >= 1 and codes[0] == 202, "rate limit: %r" % codes)
        st, _, hdrs = h.post(rows("acme"), acme)
        check(st == 429 and "Retry-After" in hdrs, "429 with Retry-After: %r %r" % (st, hdrs))
        # Another client's budget is its own.
        body = json.dumps(rows("globex")).encode()
        st, _, _ = h.post(body, globex, extra=signed(body))
        check(st == 202, "globex limited by acme's rate: %r" % st)
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_status_codes_and_isolation, test_signatures_and_redelivery,
         test_slow_client_and_rate_limit])
