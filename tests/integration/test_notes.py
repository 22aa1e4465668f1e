"""Notes of what the agency did: `roiwatch annotate` adds and removes them,
`roiwatch annotations` lists them (a table escaped for a terminal, or JSON);
POST /v1/clients/{id}/annotations adds one with the client's token or the
operator's, GET lists them; each client's token reaches its own client
alone, the operator's every client, and never ingest. Every refusal has its
exit status or HTTP status and names what was wrong."""
import datetime
import http.client
import json
import os
import re
import zoneinfo

from harness import Daemon, check, client, run

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")
OPERATOR = "operator-token-fedcba9876543210"


def request(port, method, path, token=None, body=None, raw=None, ctype="application/json"):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        h = {}
        if token is not None:
            h["Authorization"] = "Bearer " + token
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None
                                            else None)
        if data is not None and ctype is not None:
            h["Content-Type"] = ctype
        c.request(method, path, body=data, headers=h)
        r = c.getresponse()
        out = r.read()
        try:
            doc = json.loads(out) if out else None
        except ValueError:
            doc = out
        return r.status, doc
    finally:
        c.close()


def daemon(operator=OPERATOR, mode=0o600):
    acme = client("acme")
    globex = client("globex", timezone="Asia/Tokyo")
    opts = {}
    if operator is not None:
        opts["operator_token_file"] = "tokens/operator.token"
    d = Daemon([acme, globex], **opts)
    if operator is not None:
        path = os.path.join(d.conf, "tokens", "operator.token")
        with open(path, "w") as f:
            f.write(operator + "\n")
        os.chmod(path, mode)
    return d, acme, globex


def test_cli_notes():
    d, acme, globex = daemon()
    try:
        d.start()
        today = datetime.datetime.now(PARIS).date()
        r = d.cli("annotate", "acme", "--campaign", "Search", "--channel", "Google_Ads",
                  "--date", "2026-03-02", "Budget", "moved", "to", "Search")
        m = re.match(r"note (\d+): acme, 2026-03-02, campaign \"Search\", "
                     r"channel \"google_ads\"\n$", r.stdout)
        check(m is not None, r.stdout)
        first = int(m.group(1))
        r = d.cli("annotate", "acme", "--date", "yesterday", "--", "-20%", "bids on « Été »")
        second = int(re.match(r"note (\d+): acme, (\S+)\n", r.stdout).group(1))
        yesterday = (today - datetime.timedelta(days=1)).isoformat()
        check(r.stdout.endswith(yesterday + "\n"), "yesterday in Paris: %r" % r.stdout)
        # A text holding an escape sequence is refused; one with quotes and
        # backslashes is kept and shown escaped.
        r = d.cli("annotate", "acme", "--date", "today", 'Tagged "spring"\\promo')
        third = int(r.stdout.split()[1].rstrip(":"))
        r = d.cli("annotate", "globex", "--date", "today", "Launched")

        r = d.cli("annotations", "acme")
        lines = r.stdout.splitlines()
        check(re.match(r"ID +DATE +CAMPAIGN +CHANNEL +AUTHOR +TEXT$", lines[0]), lines)
        check(len(lines) == 4, lines)
        check(re.match(r"%d +2026-03-02 +Search +google_ads +cli +Budget moved to Search$"
                       % first, lines[1]), lines)
        check(lines[2].endswith("-20% bids on « Été »") and " - " in lines[2], lines)
        check(lines[3].endswith('Tagged \\"spring\\"\\\\promo'), lines)
        check("Launched" not in r.stdout, "globex's note shown for acme")

        doc = json.loads(d.cli("annotations", "acme", "--from", "2026-03-01", "--to",
                               "2026-03-02", "--json").stdout)
        check(doc["client"] == "acme" and doc["from"] == "2026-03-01"
              and doc["to"] == "2026-03-02", doc)
        check([n["id"] for n in doc["annotations"]] == [first], doc)
        n = doc["annotations"][0]
        check(n["campaign"] == "Search" and n["channel"] == "google_ads" and n["author"] == "cli"
              and n["text"] == "Budget moved to Search" and n["date"] == "2026-03-02", n)
        doc = json.loads(d.cli("annotations", "globex", "--json").stdout)
        check([x["text"] for x in doc["annotations"]] == ["Launched"], doc)
        # Tokyo's today, not Paris's.
        check(doc["annotations"][0]["date"] == datetime.datetime.now(TOKYO).date().isoformat(),
              doc)
        r = d.cli("annotations", "acme", "--from", "2030-01-01")
        check(r.stdout == "no notes of acme in those days\n", r.stdout)

        # Refusals: exit 2 for a wrong command line, 1 for what cannot be
        # done, and a message naming what was wrong.
        def refused(rc, want, *args):
            r = d.cli(*args, check_rc=False)
            check(r.returncode == rc and want in r.stderr and r.stdout == "",
                  "%r: %d %r %r" % (args, r.returncode, r.stdout, r.stderr))
        refused(1, "no client 'nobody' in the configuration",
                "annotate", "nobody", "--date", "today", "x")
        refused(2, "--date is required", "annotate", "acme", "x")
        refused(2, "the text of the note is missing", "annotate", "acme", "--date", "today")
        refused(2, '--date: "2026-02-30" is not a date', "annotate", "acme", "--date",
                "2026-02-30", "x")
        refused(2, "text: 501 characters, at most 500", "annotate", "acme", "--date", "today",
                "é" * 501)
        refused(2, "text: control character 0x1b", "annotate", "acme", "--date", "today",
                "a\x1b[2Jb")
        refused(2, "text: not valid UTF-8", "annotate", "acme", "--date", "today",
                b"caf\xe9".decode("utf-8", "surrogateescape"))
        refused(2, "text: only blanks", "annotate", "acme", "--date", "today", "  ")
        refused(2, "campaign: blank at its start or end", "annotate", "acme", "--campaign",
                " Search", "--date", "today", "x")
        refused(2, "channel: 70 bytes, at most 63", "annotate", "acme", "--channel", "c" * 70,
                "--date", "today", "x")
        refused(2, "usage:", "annotate", "acme", "--bogus", "x")
        refused(2, "--remove takes the client and the note's id alone", "annotate", "acme",
                "--remove", "1", "--date", "today")
        refused(2, '"x1" is not a note id', "annotate", "acme", "--remove", "x1")
        refused(2, "--from 2026-03-05 is after --to 2026-03-01", "annotations", "acme",
                "--from", "2026-03-05", "--to", "2026-03-01")
        refused(2, '--to: "soon" is not a date', "annotations", "acme", "--to", "soon")
        refused(1, "no client 'nobody'", "annotations", "nobody")
        # 501 characters of text stays refused, 500 pass.
        d.cli("annotate", "acme", "--date", "today", "é" * 500)

        # Removal: by its own client only.
        refused(1, "client globex has no note %d" % first, "annotate", "globex", "--remove",
                str(first))
        r = d.cli("annotate", "acme", "--remove", str(first))
        check(r.stdout == "note %d of acme removed\n" % first, r.stdout)
        refused(1, "client acme has no note %d" % first, "annotate", "acme", "--remove",
                str(first))
        ids = [x["id"] for x in json.loads(d.cli("annotations", "acme", "--json").stdout)
               ["annotations"]]
        check(first not in ids and second in ids and third in ids, ids)
        check("annotate CLIENT" in d.cli("--help").stdout, "usage lists it")
        d.stop()
    finally:
        d.cleanup()


def test_http_notes():
    d, acme, globex = daemon()
    try:
        d.start()
        base = "/v1/clients/%s/annotations"
        note = {"date": "2026-03-02", "text": "Budget moved", "campaign": "Search",
                "channel": "Meta_Ads"}
        st, doc = request(d.port, "POST", base % "acme", acme["token"], note)
        check(st == 201 and isinstance(doc["id"], int), "%r %r" % (st, doc))
        a1 = doc["id"]
        # Who may write what: own client, the operator any, none other.
        st, doc = request(d.port, "POST", base % "globex", acme["token"], note)
        check(st == 403 and doc["error"] == "the token is another client's", "%r %r" % (st, doc))
        st, doc = request(d.port, "POST", base % "acme", None, note)
        check(st == 401, "%r %r" % (st, doc))
        st, doc = request(d.port, "POST", base % "acme", "not-a-token-0123456789", note)
        check(st == 401, "%r %r" % (st, doc))
        st, doc = request(d.port, "POST", base % "globex", OPERATOR,
                          {"date": "today", "text": "Creatives renewed"})
        check(st == 201, "%r %r" % (st, doc))
        g1 = doc["id"]
        st, doc = request(d.port, "POST", base % "acme", OPERATOR,
                          {"date": "2026-03-03", "text": "Paused", "campaign": None})
        check(st == 201, "%r %r" % (st, doc))
        a2 = doc["id"]
        st, doc = request(d.port, "POST", base % "nobody", OPERATOR, note)
        check(st == 404, "%r %r" % (st, doc))

        # Reads: own client, the operator both, equal to the CLI's JSON.
        st, doc = request(d.port, "GET", base % "acme", acme["token"])
        check(st == 200 and [n["id"] for n in doc["annotations"]] == [a1, a2], doc)
        n = doc["annotations"][0]
        check(n["author"] == "http client acme" and n["channel"] == "meta_ads"
              and n["campaign"] == "Search" and n["text"] == "Budget moved", n)
        check(doc["annotations"][1]["author"] == "http operator"
              and doc["annotations"][1]["campaign"] is None, doc)
        check(json.loads(d.cli("annotations", "acme", "--json").stdout) == doc,
              "CLI and HTTP differ")
        st, op = request(d.port, "GET", base % "acme", OPERATOR)
        check(st == 200 and op == doc, "%r %r" % (st, op))
        st, doc = request(d.port, "GET", base % "globex", OPERATOR)
        check(st == 200 and [n["id"] for n in doc["annotations"]] == [g1]
              and doc["annotations"][0]["date"] ==
              datetime.datetime.now(TOKYO).date().isoformat(), doc)
        st, doc = request(d.port, "GET", base % "globex", acme["token"])
        check(st == 403, "%r %r" % (st, doc))
        st, doc = request(d.port, "GET", base % "acme", None)
        check(st == 401, "%r %r" % (st, doc))
        st, doc = request(d.port, "GET", (base % "acme") + "?from=2026-03-03&to=2026-03-31",
                          acme["token"])
        check(st == 200 and [n["id"] for n in doc["annotations"]] == [a2]
              and doc["from"] == "2026-03-03" and doc["to"] == "2026-03-31", doc)
        st, doc = request(d.port, "GET", (base % "acme") + "?from=2026-03-04&to=2026-03-01",
                          acme["token"])
        check(st == 400 and "from 2026-03-04 is after to 2026-03-01" in doc["error"], doc)
        st, doc = request(d.port, "GET", (base % "acme") + "?since=2026-03-01", acme["token"])
        check(st == 400 and 'unknown parameter "since"' in doc["error"], doc)
        st, doc = request(d.port, "GET", (base % "acme") + "?from=March", acme["token"])
        check(st == 400 and 'from: "March" is not a date' in doc["error"], doc)

        # The operator reads every client's KPIs and alerts too.
        for cid in ("acme", "globex"):
            for what in ("kpis", "alerts"):
                st, doc = request(d.port, "GET", "/v1/clients/%s/%s" % (cid, what), OPERATOR)
                check(st == 200 and doc["client"] == cid, "%s %s: %r %r" % (cid, what, st, doc))
        st, doc = request(d.port, "GET", "/v1/clients/globex/kpis", acme["token"])
        check(st == 403, "%r %r" % (st, doc))

        # ... and never ingests: the head is refused before the body.
        rows = [{"client": "acme", "campaign": "Search", "date": "2026-03-02", "cost": "10",
                 "revenue": "20"}]
        st, doc = request(d.port, "POST", "/v1/metrics", OPERATOR, rows)
        check(st == 401, "operator ingest: %r %r" % (st, doc))
        st, doc = request(d.port, "POST", "/v1/metrics", acme["token"], rows)
        check(st == 202 and doc["accepted"] == 1, "acme ingest: %r %r" % (st, doc))
        check(d.query("SELECT count(*) FROM metrics")[0][0] == 1, "one row stored")

        # Bad bodies: 400 naming the field.
        def bad(body, field, want, raw=None, ctype="application/json"):
            st, doc = request(d.port, "POST", base % "acme", acme["token"], body, raw=raw,
                              ctype=ctype)
            check(st == 400 and doc.get("field") == field and want in doc["error"],
                  "%r: %r %r" % (body if raw is None else raw, st, doc))
        bad(None, "body", "body: ends where ',' or '}' was expected",
            raw=b'{"date": "2026-03-02", "text": "x"')
        bad(None, "body", "an object {...} expected", raw=b'["x"]')
        bad(None, "body", "body: ends where an object", raw=b"")
        bad(None, "body", "not JSON", raw=b'{"date": "2026-03-02", "text": "caf\xe9"}')
        bad({"date": "2026-03-02"}, "text", "text: missing")
        bad({"text": "x"}, "date", "date: missing")
        bad({"date": "2026-03-02", "text": ""}, "text", "text: empty")
        bad({"date": "2026-03-02", "text": "x" * 501}, "text",
            "text: 501 characters, at most 500")
        bad({"date": "2026-03-02", "text": "a\u001bb"}, "text", "text: control character")
        bad({"date": "2026-02-30", "text": "x"}, "date", 'date: "2026-02-30" is not a date')
        bad({"date": "2026-03-02", "text": "x", "by": "me"}, "by", 'unknown field "by"')
        bad({"date": "2026-03-02", "text": 5}, "text", "text: must be a string")
        bad({"date": "2026-03-02", "text": "x", "channel": ["a"]}, "channel",
            "channel: must be a string (or null: none)")
        bad({"date": "2026-03-02", "text": "x", "campaign": "Search "}, "campaign",
            "campaign: blank at its start or end")
        bad(None, "text", "text: given twice",
            raw=b'{"date": "2026-03-02", "text": "x", "text": "y"}')
        st, doc = request(d.port, "POST", base % "acme", acme["token"], raw=b"date=x",
                          ctype="application/x-www-form-urlencoded")
        check(st == 415, "%r %r" % (st, doc))
        # Over the small limit: 413, from the head, unread.
        st, doc = request(d.port, "POST", base % "acme", acme["token"],
                          {"date": "2026-03-02", "text": "x" * 9000})
        check(st == 413, "%r %r" % (st, doc))
        st, doc = request(d.port, "POST", base % "acme", None,
                          {"date": "2026-03-02", "text": "x" * 9000})
        check(st == 401, "unauthenticated big body: %r %r" % (st, doc))
        st, doc = request(d.port, "PUT", base % "acme", acme["token"], note)
        check(st in (405, 501), "PUT: %r %r" % (st, doc))
        st, doc = request(d.port, "POST", "/v1/clients/acme/kpis", acme["token"], note)
        check(st == 405, "POST kpis: %r %r" % (st, doc))
        ids = [x["id"] for x in json.loads(d.cli("annotations", "acme", "--json").stdout)
               ["annotations"]]
        check(ids == [a1, a2], "refused bodies stored nothing: %r" % ids)
        metrics = request(d.port, "GET", "/metrics")[1].decode()
        check('roiwatch_http_requests_total{code="201"} 3' in metrics, metrics)
        d.stop()
    finally:
        d.cleanup()


def test_operator_token_config():
    # Open to other users, equal to a client's token, too short: refused,
    # naming the option and the reason. Unset: the clients alone.
    for token, mode, want in (
            (OPERATOR, 0o644, "is open to other users (mode 0644)"),
            ("acme-token-0123456789abcdef", 0o600, "same token as client 'acme'"),
            ("short", 0o600, "need at least 16")):
        d, acme, globex = daemon(token, mode)
        try:
            r = d.cli("check-config", check_rc=False)
            check(r.returncode == 1 and "option 'operator_token_file'" in r.stderr
                  and want in r.stderr, "%s: %d %r" % (want, r.returncode, r.stderr))
        finally:
            d.cleanup()
    d, acme, globex = daemon(OPERATOR, 0o640)
    try:
        r = d.cli("check-config")
        check("operator token (set)" in r.stdout, r.stdout)
    finally:
        d.cleanup()
    d, acme, globex = daemon(None)
    try:
        check("operator token (not set)" in d.cli("check-config").stdout, "not set")
        d.start()
        st, doc = request(d.port, "GET", "/v1/clients/acme/annotations", OPERATOR)
        check(st == 401, "%r %r" % (st, doc))
        st, doc = request(d.port, "GET", "/v1/clients/acme/annotations", acme["token"])
        check(st == 200 and doc["annotations"] == [], "%r %r" % (st, doc))
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_cli_notes, test_http_notes, test_operator_token_config])
