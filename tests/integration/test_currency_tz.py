"""Amounts that name another currency than the client's are refused with the
reason, whether the currency is written in the value ("$120.00", "120.00 USD",
"£120.00"), in the header ("Amount spent (USD)") or in a currency column; the
client's own currency passes; a time written with its offset lands on the
client's local day and hour; amounts print with the currency's own decimals."""
import http.client
import json

from harness import Daemon, check, client, run, wait_for

DEC2 = 20424  # 2025-12-02 as days since 1970-01-01
DEC1 = DEC2 - 1


def post(d, token, body, ctype="application/json", partial=False):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    try:
        c.request("POST", "/v1/metrics" + ("?partial=1" if partial else ""),
                  body if isinstance(body, str) else json.dumps(body),
                  {"Content-Type": ctype, "Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        c.close()


def test_other_currencies_refused():
    acme = client("acme")                      # EUR
    yen = client("yen", currency="JPY", minimum_spend="100")
    d = Daemon([acme, yen])
    try:
        d.start()
        for field, value in (("cost", "$120.00"), ("cost", "120.00 USD"),
                             ("cost", "\u00a3120.00"), ("cost", "US$120.00"),
                             ("revenue", "-$5")):
            st, doc = post(d, acme["token"], [{"client": "acme", "campaign": "C",
                                               "date": "2025-12-01", field: value}])
            check(st == 400, "%s for an EUR client: %r %r" % (value, st, doc))
            reason = json.dumps(doc)
            check("currency is EUR" in reason and "never converted" in reason,
                  "%s: reason %s" % (value, reason))
        # A header naming the currency, and a currency column.
        st, doc = post(d, acme["token"], "client,campaign,date,Amount spent (USD)\n"
                       "acme,C,2025-12-01,120.00\n", ctype="text/csv")
        check(st == 400 and "USD" in json.dumps(doc), "USD header: %r %r" % (st, doc))
        st, doc = post(d, acme["token"], [{"client": "acme", "campaign": "C", "date": "2025-12-01",
                                           "cost": "120", "currency": "GBP"}])
        check(st == 400 and "GBP" in json.dumps(doc), "currency key: %r %r" % (st, doc))
        check(d.query("select count(*) from metrics")[0][0] == 0, "a refused amount was stored")
        # Partial: the good rows stay, each bad one is named.
        st, doc = post(d, acme["token"], [
            {"client": "acme", "campaign": "C", "date": "2025-12-01", "cost": "\u20ac120.00"},
            {"client": "acme", "campaign": "C", "date": "2025-12-02", "cost": "120.00 EUR"},
            {"client": "acme", "campaign": "C", "date": "2025-12-03", "cost": "$1"}], partial=True)
        check(st == 202 and doc["accepted"] == 2 and doc["rejected"] == 1 and
              doc["errors"][0]["row"] == 3, "partial: %r %r" % (st, doc))
        check(d.query("select sum(cost) from metrics")[0][0] == 240000000, "EUR amounts stored")
        # JPY: no minor unit; a yen sign is the client's currency.
        st, doc = post(d, yen["token"], [{"client": "yen", "campaign": "Y", "date": "2025-12-01",
                                          "cost": "\u00a512345", "revenue": "50000"}])
        check(st == 202, "yen: %r %r" % (st, doc))
        out = d.cli("kpis", "yen").stdout
        check("\u00a512,345" in out and "12,345.00" not in out, "JPY printed with decimals:\n" + out)
        d.stop()
    finally:
        d.cleanup()


def test_offsets_on_the_clients_day():
    paris = client("acme")                                  # Europe/Paris
    ny = client("globex", timezone="America/New_York")
    d = Daemon([paris, ny])
    try:
        d.start()
        for c in (paris, ny):
            st, doc = post(d, c["token"], [
                {"client": c["id"], "campaign": "Late", "date": "2025-12-01T23:30:00-05:00",
                 "cost": "10", "revenue": "20"},
                {"client": c["id"], "campaign": "Utc", "date": "2025-12-01T23:30:00Z",
                 "cost": "10", "revenue": "20"},
                {"client": c["id"], "campaign": "Local", "date": "2025-12-01T23:30:00",
                 "cost": "10", "revenue": "20"}])
            check(st == 202 and doc["accepted"] == 3, "%s: %r %r" % (c["id"], st, doc))
        got = dict(((cl, camp), (day, hour)) for cl, camp, day, hour in
                   d.query("select client, campaign, day, hour from metrics"))
        # 2025-12-01T23:30-05:00 = 2025-12-02T04:30Z = 05:30 in Paris.
        want = {("acme", "Late"): (DEC2, 5), ("acme", "Utc"): (DEC2, 0),
                ("acme", "Local"): (DEC1, 23),
                ("globex", "Late"): (DEC1, 23), ("globex", "Utc"): (DEC1, 18),
                ("globex", "Local"): (DEC1, 23)}
        check(got == want, "placed %r, want %r" % (got, want))
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_other_currencies_refused, test_offsets_on_the_clients_day])
