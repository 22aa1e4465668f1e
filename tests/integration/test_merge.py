"""Samples merge field by field across inputs: cost from an ad platform's file
and revenue from the shop's webhook make one sample, each field remembering
its origin; a resend that lacks a field leaves it alone; one input giving a
campaign-day two channels is refused with the row named; a strict file with
several bad rows is reported row by row, not only at its first problem."""
import http.client
import json
import os

from harness import Daemon, check, client, run, wait_for

CSV = "client,campaign,channel,date,cost,revenue,clicks\n"


def post(d, token, rows):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    try:
        c.request("POST", "/v1/metrics", json.dumps(rows),
                  {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, json.loads(r.read() or b"null")
    finally:
        c.close()


def sample(d, campaign, day):
    """channel, cost, revenue, clicks and the inputs cost and revenue came from:
    the sample's input_id unless its src list names an older one."""
    rows = d.query("select channel, cost, revenue, clicks, input_id, src from metrics"
                   " where client='acme' and campaign=? and day=?", campaign, day)
    check(len(rows) == 1, "one sample for %s/%d: %r" % (campaign, day, rows))
    ch, cost, rev, clicks, input_id, src = rows[0]
    entries = (src or ",,,,,").split(",")
    check(len(entries) == 6, "src list %r" % src)
    return (ch, cost, rev, clicks, int(entries[1] or input_id), int(entries[2] or input_id))


def origin(d, input_id):
    return d.query("select origin from inputs where id=?", input_id)[0][0]


DAY1 = 20423  # 2025-12-01 as days since 1970-01-01


def test_cost_and_revenue_from_two_sources():
    acme = client("acme")
    d = Daemon([acme])
    try:
        d.start()
        # The ad platform's export: cost and clicks, revenue not reported.
        d.drop("ads.csv", CSV + "acme,Spring,search,2025-12-01,1000.00,NA,300\n")
        wait_for(lambda: d.done("ads.csv"), what="ads.csv in done/")
        # The shop's webhook: revenue only, no channel.
        st, doc = post(d, acme["token"], [{"client": "acme", "campaign": "Spring",
                                           "date": "2025-12-01", "revenue": "4500.00"}])
        check(st == 202 and doc["accepted"] == 1, "webhook %r %r" % (st, doc))
        ch, cost, rev, clicks, cost_src, rev_src = sample(d, "Spring", DAY1)
        check((ch, cost, rev, clicks) == ("search", 1000000000, 4500000000, 300),
              "merged sample %r" % ((ch, cost, rev, clicks),))
        check(origin(d, cost_src) == "inbox file ads.csv", "cost origin " + origin(d, cost_src))
        check(origin(d, rev_src) == "http client acme", "revenue origin " + origin(d, rev_src))
        # The target is reached (350 %): the message says where the
        # latest day's figures came from.
        def said():
            return any("cost from inbox file ads.csv, revenue from http client acme"
                       in m.get_body().get_content() for m in d.messages("mail/acme"))
        wait_for(said, what="a message naming the figures' origins")
        # The platform resends a corrected cost: revenue and its origin stay.
        d.drop("ads2.csv", CSV + "acme,Spring,search,2025-12-01,1100.00,,310\n")
        wait_for(lambda: d.done("ads2.csv"), what="ads2.csv in done/")
        ch, cost, rev, clicks, cost_src, rev_src = sample(d, "Spring", DAY1)
        check((cost, rev, clicks) == (1100000000, 4500000000, 310), "after resend %r" %
              ((cost, rev, clicks),))
        check(origin(d, rev_src) == "http client acme", "revenue origin kept")
        # The webhook re-delivered three times counts once.
        for _ in range(3):
            post(d, acme["token"], [{"client": "acme", "campaign": "Spring",
                                     "date": "2025-12-01", "revenue": "4500.00"}])
        check(sample(d, "Spring", DAY1)[2] == 4500000000, "re-delivery double-counted")
        # `roiwatch sample` shows each field with the input it came from.
        out = d.cli("sample", "acme", "Spring", "2025-12-01").stdout
        for want in ("cost", "€1,100.00", "from inbox file ads2.csv", "revenue", "€4,500.00",
                     "from http client acme", "impressions  missing"):
            check(want in out, "sample lacks %r:\n%s" % (want, out))
        r = d.cli("sample", "acme", "Spring", "2025-12-02", check_rc=False)
        check(r.returncode == 1 and "no sample" in r.stderr, "absent sample: %r" % (r,))
        # ROI is computed from the merged sample: (4500 - 1100) / 1100.
        out = d.cli("kpis", "acme").stdout
        check("309.09%" in out, "kpis after the merge:\n" + out)
        d.stop()
    finally:
        d.cleanup()


def test_channel_conflict_and_every_bad_row_reported():
    d = Daemon([client("acme")])
    try:
        d.start()
        # A platform column mapped to channel: two channels for one campaign-day.
        d.drop("mixed.csv", CSV +
               "acme,Brand,search,2025-12-01,10,20,1\n"
               "acme,Brand,social,2025-12-01,30,40,1\n")
        wait_for(lambda: d.failed("mixed.csv"), what="mixed.csv in failed/")
        with open(os.path.join(d.inbox, "failed", "mixed.csv.report")) as f:
            report = f.read()
        check("row 2" in report and "social" in report and "search" in report,
              "channel conflict report:\n" + report)
        check(d.query("select count(*) from metrics")[0][0] == 0, "mixed.csv left rows")

        # Strict file with three bad rows among good ones: all three named.
        d.drop("bad.csv", CSV +
               "acme,A,email,2025-12-01,1x,2,1\n"
               "acme,A,email,2025-12-02,1,2,1\n"
               "nobody,A,email,2025-12-03,1,2,1\n"
               "acme,A,email,2025-13-04,1,2,1\n")
        wait_for(lambda: d.failed("bad.csv"), what="bad.csv in failed/")
        with open(os.path.join(d.inbox, "failed", "bad.csv.report")) as f:
            report = f.read()
        for want in ("row 1", "row 3", "row 4", "rows rejected: 4", "not configured"):
            check(want in report, "strict report lacks %r:\n%s" % (want, report))
        check("row 2," not in report and "row 2 " not in report, "good row reported:\n" + report)
        check(d.query("select count(*) from metrics")[0][0] == 0, "bad.csv left rows")
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_cost_and_revenue_from_two_sources, test_channel_conflict_and_every_bad_row_reported])
