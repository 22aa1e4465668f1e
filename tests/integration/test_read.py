"""The read endpoints and `roiwatch kpis`: GET /v1/clients/{id}/kpis gives
each client its own KPIs, exact and equal to `roiwatch kpis --json`, over a
calendar window and by campaign, channel or client; GET .../alerts lists the
client's alert states with the value judged; every wrong request gets its
status (401, 403, 404, 400, 405) and a JSON error. The CLI prints the table
with the window's local dates and refuses bad options with exit status 2."""
import datetime
import http.client
import json
import os
import signal
import socket
import struct
import threading
import time
import zoneinfo

from harness import CSV_HEADER, Daemon, check, client, run, wait_for

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
NNBSP = "\u202f"
NBSP = "\u00a0"


def today_paris():
    """Today in Paris, away from midnight: the daemon, the CLI and the test
    resolve "mtd" and "last_7_days" on the same day."""
    now = datetime.datetime.now(PARIS)
    midnight = (now + datetime.timedelta(days=1)).replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
    if (midnight - now).total_seconds() < 60:
        time.sleep((midnight - now).total_seconds() + 1)
    return datetime.datetime.now(PARIS).date()


def request(port, method, path, token=None, body=None, auth=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if auth is not None:
            h["Authorization"] = auth
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body).encode()
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        doc = json.loads(data) if data else None
        return r.status, doc, dict(r.getheaders())
    finally:
        c.close()


def row(cid, campaign, day, cost, revenue, channel=None):
    r = {"client": cid, "campaign": campaign, "date": day.isoformat(), "cost": cost,
         "revenue": revenue, "impressions": 1000, "clicks": 10, "conversions": 1}
    if channel is not None:
        r["channel"] = channel
    return r


def kpi(doc, subject, name):
    for r in doc["rows"]:
        if r["subject"] == subject:
            return r["kpis"][name]
    raise AssertionError("no row %r in %r" % (subject, [r["subject"] for r in doc["rows"]]))


def test_read_endpoints():
    acme = client("acme", currency="USD", minimum_roi="0%", target_roi="300%",
                  minimum_spend="100")
    globex = client("globex", language="fr", currency="EUR")
    d = Daemon([acme, globex])
    try:
        d.start()
        today = today_paris()
        day = datetime.timedelta(days=1)
        st, doc, _ = request(d.port, "POST", "/v1/metrics", acme["token"], [
            row("acme", "Search", today, "100.00", "250.00", "google_ads"),
            row("acme", "Search", today - 40 * day, "50.00", "200.00", "google_ads"),
            row("acme", "Loser", today, "1000.00", "500.00", "meta_ads"),
            row("acme", "Newsletter", today, "10.00", "0"),
        ])
        check(st == 202 and doc["accepted"] == 4, "acme rows: %r %r" % (st, doc))
        st, doc, _ = request(d.port, "POST", "/v1/metrics", globex["token"], [
            row("globex", "Vols été", today - 2 * day, "25750", "87000", "google_ads")])
        check(st == 202, "globex rows: %r %r" % (st, doc))

        # Each client reads its own KPIs, exact, and as the CLI's --json.
        st, doc, hdrs = request(d.port, "GET", "/v1/clients/acme/kpis", acme["token"])
        check(st == 200 and hdrs.get("Content-Type") == "application/json", "%r %r" % (st, doc))
        check(doc["client"] == "acme" and doc["window"] == "lifetime" and doc["by"] == "campaign"
              and doc["from"] is None and doc["range"] == "all data", doc)
        check([r["subject"] for r in doc["rows"]] == ["Loser", "Newsletter", "Search"], doc)
        total = doc["total"]["kpis"]
        check(total["spend"]["value"] == 1160 * 10**6 and total["spend"]["unit"] == "micros"
              and total["spend"]["text"] == "$1,160.00", total["spend"])
        # (950 - 1160) / 1160 = -18.1034...%: the floor in ppm, and inexact.
        check(total["roi"]["value"] == -181035 and total["roi"]["inexact"] is True
              and total["roi"]["text"] == "-18.10%", total["roi"])
        loser = kpi(doc, "Loser", "roi")
        check(loser["value"] == -500000 and loser["inexact"] is False
              and loser["text"] == "-50.00%" and loser["days"] == 1, loser)
        check(kpi(doc, "Search", "cpa")["value"] == 75 * 10**6, kpi(doc, "Search", "cpa"))
        cli = json.loads(d.cli("kpis", "acme", "--json").stdout)
        check(cli == doc, "CLI --json differs from GET:\n%r\n%r" % (cli, doc))

        st, gdoc, _ = request(d.port, "GET", "/v1/clients/globex/kpis", globex["token"])
        check(st == 200, "%r %r" % (st, gdoc))
        vols = kpi(gdoc, "Vols été", "roi")
        check(vols["value"] == 2378640 and vols["inexact"] is True
              and vols["text"] == "237,86" + NNBSP + "%", vols)
        check(kpi(gdoc, "Vols été", "spend")["text"] == "25" + NNBSP + "750,00" + NBSP + "€",
              kpi(gdoc, "Vols été", "spend"))
        check("acme" not in json.dumps(gdoc) and "Loser" not in json.dumps(gdoc), gdoc)
        check(json.loads(d.cli("kpis", "globex", "--json").stdout) == gdoc, "globex CLI differs")

        # Month to date by channel: the old day is out, the row without a
        # channel counts in the total only.
        st, mdoc, _ = request(d.port, "GET", "/v1/clients/acme/kpis?window=mtd&by=channel",
                              acme["token"])
        check(st == 200 and mdoc["window"] == "mtd" and mdoc["by"] == "channel", mdoc)
        check(mdoc["from"] == today.replace(day=1).isoformat()
              and mdoc["to"] == today.isoformat(), mdoc)
        check([r["subject"] for r in mdoc["rows"]] == ["google_ads", "meta_ads"], mdoc)
        check(kpi(mdoc, "google_ads", "spend")["value"] == 100 * 10**6, mdoc)
        check(kpi(mdoc, "meta_ads", "revenue")["value"] == 500 * 10**6, mdoc)
        check(mdoc["total"]["kpis"]["spend"]["value"] == 1110 * 10**6, mdoc["total"])
        cli = json.loads(d.cli("kpis", "acme", "--window", "mtd", "--by", "channel",
                               "--json").stdout)
        check(cli == mdoc, "CLI mtd/channel differs:\n%r\n%r" % (cli, mdoc))
        st, cdoc, _ = request(d.port, "GET", "/v1/clients/acme/kpis?by=client&window=7d",
                              acme["token"])
        check(st == 200 and cdoc["rows"] == [] and
              cdoc["total"]["kpis"]["spend"]["value"] == 1110 * 10**6, cdoc)

        # Who may read what.
        for path in ("/v1/clients/acme/kpis", "/v1/clients/acme/alerts"):
            st, e, _ = request(d.port, "GET", path, globex["token"])
            check(st == 403 and "another client" in e["error"], "%s with globex's token: %r %r"
                  % (path, st, e))
            st, e, h = request(d.port, "GET", path)
            check(st == 401 and "token" in e["error"] and "Bearer" in h.get("WWW-Authenticate", ""),
                  "%s without a token: %r %r" % (path, st, e))
            for auth in ("Basic YWNtZTp4", "Bearer", "Bearer not-a-token-at-all-0000",
                         acme["token"]):
                st, e, _ = request(d.port, "GET", path, auth=auth)
                check(st == 401, "%s with Authorization %r: %r" % (path, auth[:12], st))
        for path in ("/v1/clients/nobody/kpis", "/v1/clients/nobody/alerts",
                     "/v1/clients/ACME/kpis", "/v1/clients/a%63me/kpis"):
            st, e, _ = request(d.port, "GET", path, acme["token"])
            check(st == 404 and e["error"] == "no such client", "%s: %r %r" % (path, st, e))
        st, _, _ = request(d.port, "GET", "/v1/clients/nobody/kpis")
        check(st == 401, "an unknown client without a token: %r" % st)
        st, _, _ = request(d.port, "GET", "/v1/clients/acme/other", acme["token"])
        check(st == 404, "unknown endpoint: %r" % st)

        # Bad parameters: 400 naming what was wrong.
        for query, want in (("window=bad", 'window "bad"'), ("window=30days", 'window "30days"'),
                            ("by=campaigns", 'by "campaigns"'),
                            ("days=7", 'unknown parameter "days"'),
                            ("window=7d&window=mtd", 'parameter "window" given twice')):
            st, e, _ = request(d.port, "GET", "/v1/clients/acme/kpis?" + query, acme["token"])
            check(st == 400 and want in e["error"], "%s: %r %r" % (query, st, e))
        st, e, _ = request(d.port, "GET", "/v1/clients/acme/alerts?all=maybe", acme["token"])
        check(st == 400 and "all" in e["error"], "%r %r" % (st, e))

        # Only GET: with or without a body, 405 and Allow.
        st, e, h = request(d.port, "POST", "/v1/clients/acme/kpis", acme["token"])
        check(st == 405 and h.get("Allow") == "GET", "POST: %r %r" % (st, h))
        st, e, h = request(d.port, "POST", "/v1/clients/acme/alerts", acme["token"],
                           body=[{"x": 1}])
        check(st == 405 and h.get("Allow") == "GET", "POST with a body: %r %r" % (st, h))

        # The losing campaign's roi_low fires; the alerts say so with the
        # value judged, formatted as the rule's KPI.
        def loser_alert():
            s, a, _ = request(d.port, "GET", "/v1/clients/acme/alerts", acme["token"])
            check(s == 200, "alerts: %r %r" % (s, a))
            for x in a["alerts"]:
                if x["rule"] == "roi_low" and x["subject"] == "Loser" and x["state"] == "firing":
                    return a, x
            return None
        adoc, alert = wait_for(loser_alert, what="roi_low firing for Loser")
        check(adoc["client"] == "acme" and alert["scope"] == "campaign"
              and alert["judged"] is True and alert["kpi"] == "roi" and alert["value"] == -500000
              and alert["value_text"] == "-50.00%" and alert["severity"] == "critical"
              and alert["window"] == "all data" and alert["window_from"] is None
              and alert["since"].endswith("Z") and alert["days"] == 1, alert)
        check(all(x["state"] != "ok" for x in adoc["alerts"]), adoc)
        st, alldoc, _ = request(d.port, "GET", "/v1/clients/acme/alerts?all=1", acme["token"])
        check(st == 200 and len(alldoc["alerts"]) >= len(adoc["alerts"]), alldoc)
        st, galerts, _ = request(d.port, "GET", "/v1/clients/globex/alerts?all=1",
                                 globex["token"])
        check(st == 200 and all(x["subject"] != "Loser" for x in galerts["alerts"]), galerts)

        # The CLI: the table with the window's local dates; errors exit 2.
        r = d.cli("kpis", "acme", "--window", "last_7_days")
        want = "last 7 days: %s to %s (Europe/Paris), by campaign" % (
            (today - 7 * day).isoformat(), (today - day).isoformat())
        check(want in r.stdout.splitlines()[1], r.stdout)
        r = d.cli("kpis", "acme")
        lines = r.stdout.splitlines()
        check(lines[2].split() == ["campaign", "spend", "revenue", "profit", "ROI", "ROAS",
                                   "CPA", "CPC", "CPM", "CTR", "CVR"], r.stdout)
        loser_line = [x for x in lines if x.startswith("Loser ")]
        check(loser_line and "-50.00%" in loser_line[0] and "$1,000.00" in loser_line[0],
              r.stdout)
        check(any(x.startswith("total ") and "-18.10%" in x for x in lines), r.stdout)
        for args in (("--window", "bad"), ("--by", "campaigns"), ("--window",), ()):
            r = d.cli("kpis", "acme", *args, check_rc=False) if args else \
                d.cli("kpis", check_rc=False)
            check(r.returncode == 2 and r.stderr and not r.stdout,
                  "kpis %r: %d %r" % (args, r.returncode, r.stderr))
        r = d.cli("kpis", "acme", "--window", "bad", check_rc=False)
        check('window "bad"' in r.stderr, r.stderr)
        r = d.cli("kpis", "nobody", check_rc=False)
        check(r.returncode == 1 and "not configured" in r.stderr, r.stderr)
        d.stop()
    finally:
        d.cleanup()


def big_client(d, campaigns=1000, days=30):
    """campaigns x days of acme's samples, ingested by the CLI (not HTTP:
    faster) before the daemon starts."""
    today = today_paris()
    path = os.path.join(d.dir, "big.csv")
    with open(path, "w") as f:
        f.write(CSV_HEADER)
        for n in range(days):
            day = (today - datetime.timedelta(days=n + 1)).isoformat()
            for c in range(campaigns):
                f.write("acme,C%04d,%s,%s,%d.00,%d.50,1000,%d,%d\n" % (
                    c, "google_ads" if c % 2 else "meta_ads", day, 10 + c % 7,
                    30 + c % 11, 10 + n, 1 + c % 3))
    d.cli("ingest", path)
    return today


def test_read_does_not_hold_ingest():
    """A report of 1 000 campaigns x 30 days is computed off the loop: a POST
    sent while it runs is answered (202) long before it."""
    acme = client("acme", currency="USD")
    d = Daemon([acme])
    try:
        today = big_client(d)
        d.start()
        # A first read: the daemon's start-up judging and the page cache settle.
        st, doc, _ = request(d.port, "GET", "/v1/clients/acme/kpis", acme["token"])
        check(st == 200 and len(doc["rows"]) == 1000, "warm-up GET: %r" % st)
        got = {}

        def get():
            t = time.monotonic()
            got["status"], got["doc"], _ = request(d.port, "GET", "/v1/clients/acme/kpis",
                                                   acme["token"])
            got["end"] = time.monotonic()
            got["ms"] = (got["end"] - t) * 1000

        g = threading.Thread(target=get)
        g.start()
        time.sleep(0.03)
        t = time.monotonic()
        st, doc, _ = request(d.port, "POST", "/v1/metrics", acme["token"],
                             [row("acme", "Fresh", today, "5.00", "9.00")])
        post_end = time.monotonic()
        post_ms = (post_end - t) * 1000
        g.join()
        print("GET kpis (1000 campaigns x 30 days): %.0f ms; POST /v1/metrics sent 30 ms "
              "after it: %.0f ms" % (got["ms"], post_ms), flush=True)
        check(st == 202 and doc["accepted"] == 1, "POST: %r %r" % (st, doc))
        check(got["status"] == 200 and len(got["doc"]["rows"]) in (1000, 1001),
              "GET: %r" % got["status"])
        check(got["ms"] > 100, "the GET took %.0f ms: too short to tell" % got["ms"])
        # Well before the GET: under 50 ms, or (a loaded machine, whose
        # fsyncs are slow too) under a third of the GET's time.
        check(post_end < got["end"] and post_ms < max(50, got["ms"] / 3),
              "the POST (%.0f ms) waited for the GET (%.0f ms)" % (post_ms, got["ms"]))
        d.stop()
    finally:
        d.cleanup()


def test_read_client_gone():
    """Clients that leave before their report is ready: the daemon goes on (and
    the sanitizer build finds nothing freed twice); reads beyond the queue's
    bound get 503 with Retry-After; reloads while reads wait free nothing they
    use; a stop answers the reads waiting 503."""
    acme = client("acme", currency="USD")
    d = Daemon([acme])
    try:
        big_client(d)
        d.start()
        head = ("GET /v1/clients/acme/kpis?by=client HTTP/1.1\r\nHost: x\r\n"
                "Authorization: Bearer %s\r\n\r\n" % acme["token"]).encode()
        for n in range(6):
            s = socket.create_connection(("127.0.0.1", d.port))
            s.sendall(head)
            if n % 2:
                time.sleep(0.02)
            # A reset rather than a FIN: the connection is gone at once.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        st, doc, _ = request(d.port, "GET", "/v1/clients/acme/kpis?by=channel", acme["token"])
        check(st == 200 and [r["subject"] for r in doc["rows"]] == ["google_ads", "meta_ads"],
              "a GET after the others left: %r" % st)
        st, doc, _ = request(d.port, "GET", "/v1/clients/acme/alerts?all=1", acme["token"])
        check(st == 200 and doc["client"] == "acme", "alerts: %r %r" % (st, doc))

        # Twenty at once: one runs, sixteen wait, the others are refused.
        results = []
        lock = threading.Lock()
        ready = threading.Barrier(20)

        def one(query=""):
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=30)
            try:
                c.connect()
                ready.wait()
                c.request("GET", "/v1/clients/acme/kpis" + query,
                          headers={"Authorization": "Bearer " + acme["token"]})
                r = c.getresponse()
                body = json.loads(r.read())
                with lock:
                    results.append((r.status, r.getheader("Retry-After"), body))
            finally:
                c.close()

        threads = [threading.Thread(target=one) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        codes = sorted(r[0] for r in results)
        check(len(results) == 20 and set(codes) <= {200, 503} and codes.count(200) >= 1,
              "twenty reads: %r" % codes)
        busy = [r for r in results if r[0] == 503]
        check(busy and all(r[1] == "1" and "busy" in r[2]["error"] for r in busy),
              "reads over the queue's bound: %r" % busy[:2])
        check(all(len(r[2]["rows"]) == 1000 for r in results if r[0] == 200), "rows")
        st, _, _ = request(d.port, "POST", "/v1/metrics", acme["token"],
                           [row("acme", "Fresh", today_paris(), "5.00", "9.00")])
        check(st == 202, "POST after: %r" % st)

        # Reloads while reads wait: each keeps the configuration it was
        # checked against until it is answered.
        results.clear()
        ready = threading.Barrier(6)
        threads = [threading.Thread(target=one, args=("?by=client",)) for _ in range(6)]
        for t in threads:
            t.start()
        for _ in range(2):
            time.sleep(0.05)
            d.signal(signal.SIGHUP)
        for t in threads:
            t.join()
        check(sorted(r[0] for r in results) == [200] * 6, "reads across reloads: %r"
              % [r[0] for r in results])
        wait_for(lambda: d.log().count("configuration reloaded") == 2, what="two reloads")

        # A stop while reads wait: the one running is interrupted, and every
        # one is answered 503 + Retry-After, not dropped unanswered.
        results.clear()
        ready = threading.Barrier(5)
        asked = d.log().count("GET /v1/clients/acme/kpis")
        threads = [threading.Thread(target=one) for _ in range(5)]
        for t in threads:
            t.start()
        wait_for(lambda: d.log().count("GET /v1/clients/acme/kpis") == asked + 5,
                 what="five reads queued")
        d.signal(signal.SIGTERM)
        for t in threads:
            t.join()
        codes = sorted(r[0] for r in results)
        check(len(codes) == 5 and set(codes) <= {200, 503} and codes.count(503) >= 3,
              "reads at stop: %r" % codes)
        check(all(r[1] == "1" and r[2]["error"] == "the daemon is stopping"
                  for r in results if r[0] == 503), "503 at stop: %r" % results)
        d.stop(send=False)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_read_endpoints, test_read_does_not_hold_ingest, test_read_client_gone])
