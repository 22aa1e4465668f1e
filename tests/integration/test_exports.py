"""Real-world exports through `roiwatch ingest`: a Facebook export without a date
column (the date is in the file name) and with float artefacts, a Google Ads
report with a title and two date formats, a wide media-mix file (one spend
column per channel), and a latin1 export with ';' and decimal commas.

Every total is compared to the cent (to the micro, in fact) with figures this
script computes on its own from the same files with Python's decimal module,
never by reading roiwatch's output back.
"""
import csv
import datetime
import io
import os
import shutil
from decimal import ROUND_HALF_EVEN, Decimal

import harness
from harness import Daemon, check, client, run

MICRO = Decimal("0.000001")


def data(name):
    return os.path.join(harness.ARGS.source_dir, "tests", "data", "exports", name)


def micros(text, decimal_comma=False):
    """Amount text -> integer micros (half-even beyond 6 decimals), or None."""
    t = text.strip()
    if t in ("", "NA", "--"):
        return None
    if decimal_comma:
        t = t.replace(" ", "").replace(",", ".")
    else:
        t = t.replace(",", "")
    return int(Decimal(t).quantize(MICRO, rounding=ROUND_HALF_EVEN) * 1000000)


def day_number(y, m, d):
    return (datetime.date(y, m, d) - datetime.date(1970, 1, 1)).days


def add(totals, key, cost, revenue):
    c, r, n = totals.get(key, (None, None, 0))
    if cost is not None:
        c = (c or 0) + cost
    if revenue is not None:
        r = (r or 0) + revenue
    totals[key] = (c, r, n + 1)


def expected_meta():
    out = {}
    with open(data("meta-2026-11-30.csv"), encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            add(out, ("acme", row["Campaign name"], "facebook"),
                micros(row["Amount spent (EUR)"]), micros(row["Purchases conversion value"]))
    return out


def expected_gads():
    out = {}
    with open(data("gads-2024-11.csv"), encoding="utf-8", newline="") as f:
        lines = f.read().splitlines()[2:]
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        if row["Day"].startswith("Total:"):
            continue
        add(out, ("globex", row["Campaign"], "google_ads"), micros(row["Cost"]),
            micros(row["Conv. value"]))
    return out


def expected_mmm():
    out = {}
    channels = {"TV spend": "TV", "Radio spend": "Radio", "Search spend": "Search",
                "Social spend": "Social"}
    with open(data("mmm-2024-q4.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            for col, name in channels.items():
                if micros(row[col]) is not None:
                    add(out, ("initech", name, "media_mix"), micros(row[col]), None)
            if micros(row["Sales"]) is not None:
                add(out, ("initech", "All media", "media_mix"), None, micros(row["Sales"]))
    return out


def expected_fr():
    out = {}
    chan = {"facebook": "meta", "google ads": "google"}
    with open(data("fr-2026-11.csv"), encoding="iso-8859-1", newline="") as f:
        for row in csv.DictReader(f, delimiter=";"):
            check(row["Client"].strip().lower() == "acme corp", row["Client"])
            ch = row["Canal"].strip().lower()
            add(out, ("acme", row["Campagne"], chan.get(ch, ch)),
                micros(row["Coût (EUR)"], True), micros(row["Chiffre d'affaires (EUR)"], True))
    return out


def stored(d, where="1"):
    rows = d.query("SELECT client, campaign, channel, sum(cost), sum(revenue), count(*)"
                   " FROM metrics WHERE " + where + " GROUP BY client, campaign, channel")
    return {(c, camp, ch): (cost, rev, n) for c, camp, ch, cost, rev, n in rows}


SOURCES = [
    {"name": "fb", "type": "files", "pattern": "meta-*.csv", "preset": "meta_ads",
     "client": "acme", "date_from_name": "%Y-%m-%d", "round": "half_even"},
    {"name": "gads", "type": "files", "pattern": "gads-*.csv", "preset": "google_ads",
     "client": "globex", "thousands": ",", "date_formats": ["%m/%d/%Y", "%d-%m-%Y"]},
    {"name": "mmm", "type": "files", "pattern": "mmm-*.csv", "client": "initech",
     "channel": "media_mix", "campaign": "All media",
     "columns": {"Week": "date", "Sales": "revenue"},
     "spread": {"field": "cost", "into": "campaign",
                "columns": {"TV spend": "TV", "Radio spend": "Radio",
                            "Search spend": "Search", "Social spend": "Social"}}},
    {"name": "fr", "type": "files", "pattern": "fr-*.csv", "encoding": "iso-8859-1",
     "delimiter": ";", "decimal": ",", "thousands": " ",
     "date_formats": ["%d/%m/%Y", "%d %B %Y", "%d %b %Y"],
     "columns": {"Campagne": "campaign", "Canal": "channel", "Coût (EUR)": "cost",
                 "Chiffre d'affaires (EUR)": "revenue", "Clics": "clicks"},
     "values": {"client": {"ACME Corp": "acme"},
                "channel": {"Facebook": "meta", "Google Ads": "google"}}},
]


def make_daemon():
    return Daemon([client("acme", currency="EUR"), client("globex", currency="USD"),
                   client("initech", currency="EUR")], sources=SOURCES)


def ingest(d, name, *opts):
    path = os.path.join(d.dir, name)
    shutil.copy(data(name), path)
    return d.cli("ingest", *opts, path)


def test_exports_to_the_cent():
    d = make_daemon()
    try:
        r = d.cli("check-config")
        check("date          from the file name" in r.stdout, r.stdout)
        expected = {}
        for name, exp, rows in (("meta-2026-11-30.csv", expected_meta, 5),
                                ("gads-2024-11.csv", expected_gads, 5),
                                ("mmm-2024-q4.csv", expected_mmm, 13),
                                ("fr-2026-11.csv", expected_fr, 5)):
            r = ingest(d, name)
            check("%d rows stored, 0 rejected" % rows in r.stdout, name + ": " + r.stdout + r.stderr)
            expected.update(exp())
        got = stored(d)
        for key in sorted(set(expected) | set(got)):
            check(got.get(key) == expected[key] if key in expected else False,
                  "%r: stored %r, expected %r" % (key, got.get(key), expected.get(key)))
        # Spot checks of the rounding and of values that were missing.
        check(got[("acme", "Black Friday - Retargeting", "facebook")][:2] ==
              (1523430000, 6841666667), got)
        check(got[("acme", "Lead form - Winter", "facebook")][:2] == (88000002, None), got)
        # The Facebook export's one day is the one in its name.
        days = d.query("SELECT DISTINCT day FROM metrics WHERE client = 'acme'"
                       " AND channel = 'facebook'")
        check(days == [(day_number(2026, 11, 30),)], "days %r" % days)
        # Both Google Ads date formats, the French month names.
        days = sorted(x[0] for x in d.query("SELECT day FROM metrics WHERE client = 'globex'"))
        check(days == [day_number(2024, 11, n) for n in (20, 20, 21, 21, 22)], "days %r" % days)
        days = sorted(x[0] for x in d.query("SELECT day FROM metrics WHERE client = 'acme'"
                                            " AND channel != 'facebook'"))
        check(days == [day_number(2026, 11, 20), day_number(2026, 11, 21),
                       day_number(2026, 12, 3), day_number(2026, 12, 4),
                       day_number(2026, 12, 5)], "days %r" % days)
    finally:
        d.cleanup()


def test_date_from_name_and_command_line():
    d = make_daemon()
    try:
        path = os.path.join(d.dir, "meta-latest.csv")
        shutil.copy(data("meta-2026-11-30.csv"), path)
        r = d.cli("ingest", path, check_rc=False)
        check(r.returncode != 0 and "date_from_name" in r.stderr, r.stdout + r.stderr)
        check(d.query("SELECT count(*) FROM metrics")[0][0] == 0, "refused file left rows")
        r = d.cli("ingest", "--date", "2026-12-01", path)
        check("5 rows stored" in r.stdout, r.stdout + r.stderr)
        days = d.query("SELECT DISTINCT day FROM metrics")
        check(days == [(day_number(2026, 12, 1),)], "days %r" % days)
        r = d.cli("ingest", "--date", "2026-12-32", path, check_rc=False)
        check(r.returncode != 0 and "YYYY-MM-DD" in r.stderr, r.stderr)
        # A file with a date column and a fixed date: refused, never a guess.
        gpath = os.path.join(d.dir, "gads-2024-11.csv")
        shutil.copy(data("gads-2024-11.csv"), gpath)
        r = d.cli("ingest", "--date", "2026-12-01", gpath, check_rc=False)
        check(r.returncode != 0 and "fixed date" in r.stderr, r.stdout + r.stderr)
    finally:
        d.cleanup()


def test_float_artefacts_refused_without_round():
    d = make_daemon()
    try:
        src = dict(SOURCES[0])
        del src["round"]
        d.main["sources"] = [src]
        d.write_config()
        path = os.path.join(d.dir, "meta-2026-11-30.csv")
        shutil.copy(data("meta-2026-11-30.csv"), path)
        r = d.cli("ingest", path, check_rc=False)
        check(r.returncode != 0 and 'more than 6 decimals (set "round": "half_even")' in r.stderr,
              r.stderr)
        check("Amount spent (EUR)" in r.stderr, r.stderr)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_exports_to_the_cent, test_date_from_name_and_command_line,
         test_float_artefacts_refused_without_round])
