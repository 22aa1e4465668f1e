"""`roiwatch backtest` replays stored history day by day through the rules.

A generated history (three campaigns, 90 days, ROI swinging across the
minimum and the target) is ingested; the alerts a backtest must report are
computed here independently -- exact fractions, the shorthand rules' meaning
written out in Python -- and compared event by event. The backtest only reads:
alert states and the outbox are the same before and after."""
import datetime
import os
import random
from fractions import Fraction

from harness import Daemon, check, client, run

HEADER = "client,campaign,channel,date,cost,revenue\n"
START = datetime.date(2026, 1, 1)
DAYS = 90
WINDOW = 7
MIN_ROI = Fraction(1, 2)          # 50 %
TARGET = Fraction(2)              # 200 %
HYST = Fraction(1, 10)            # 10 points
MIN_SPEND = 100


def history():
    rnd = random.Random(20261202)
    rows = []
    for c, phase in (("A", 0), ("B", 11), ("C", 23)):
        for i in range(DAYS):
            cost = rnd.randint(20, 120)
            # ROAS swings between about 0.9 and 3.6 with a 30-day period.
            wave = [9, 14, 20, 27, 33, 36, 33, 27, 20, 14][((i + phase) // 3) % 10]
            revenue = cost * wave // 10 + rnd.randint(0, 9)
            rows.append((c, START + datetime.timedelta(days=i), cost, revenue))
    return rows


def expected(rows):
    """What the shorthand rules must say, day by day, as of each day's end."""
    out = []
    by = {}
    for c, day, cost, rev in rows:
        by.setdefault(c, {})[day] = (cost, rev)
    state = {(c, k): "ok" for c in by for k in ("roi_low", "roi_target")}
    for i in range(DAYS):
        today = START + datetime.timedelta(days=i)
        for c in sorted(by):
            days = [d for d in by[c] if d <= today]
            if not days:
                continue
            last = max(days)
            win = [d for d in days if (last - d).days < WINDOW]
            cost = sum(by[c][d][0] for d in win)
            rev = sum(by[c][d][1] for d in win)
            if cost <= 0 or cost < MIN_SPEND:
                continue
            roi = Fraction(rev - cost, cost)
            s = state[(c, "roi_low")]
            if s in ("ok", "resolved") and roi < MIN_ROI:
                state[(c, "roi_low")] = "firing"
                out.append((today.isoformat(), "fire", "roi_low", c))
            elif s == "firing" and roi >= MIN_ROI + HYST:
                state[(c, "roi_low")] = "resolved"
                out.append((today.isoformat(), "resolve", "roi_low", c))
            s = state[(c, "roi_target")]
            if s == "ok" and roi >= TARGET:
                state[(c, "roi_target")] = "firing"
                out.append((today.isoformat(), "good", "roi_target", c))
            elif s == "firing" and roi < TARGET - HYST:
                state[(c, "roi_target")] = "ok"
    return out


def test_backtest_matches_independent_replay():
    d = Daemon([client("acme", minimum_roi="50%", target_roi="200%", hysteresis="10%",
                       minimum_spend=str(MIN_SPEND), window_days=WINDOW,
                       minimum_coverage="0%")])
    try:
        rows = history()
        path = os.path.join(d.dir, "history.csv")
        with open(path, "w") as f:
            f.write(HEADER)
            for c, day, cost, rev in rows:
                f.write("acme,%s,search,%s,%d,%d\n" % (c, day.isoformat(), cost, rev))
        d.cli("ingest", path)
        states = d.query("select * from alert_state order by 1, 2, 3, 4")
        outbox = d.query("select count(*) from outbox")

        end = (START + datetime.timedelta(days=DAYS - 1)).isoformat()
        r = d.cli("backtest", "acme", "--from", START.isoformat(), "--to", end)
        got = []
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) > 4 and parts[0][:4] == "2026" and parts[3] == "campaign":
                got.append((parts[0], parts[1], parts[2], parts[4].strip('"')))
        want = expected(rows)
        check(len(want) >= 10, "the generated history crosses too rarely: %r" % want)
        check(sorted(got) == sorted(want),
              "backtest differs from the independent replay:\nonly backtest: %r\n"
              "only replay: %r\n%s" % (sorted(set(got) - set(want)),
                                       sorted(set(want) - set(got)), r.stdout))
        fired = sum(1 for w in want if w[1] == "fire")
        check("%d fired" % fired in r.stdout.splitlines()[-1], r.stdout)

        # Only one rule; and a backtest writes nothing.
        r = d.cli("backtest", "acme", "--from", START.isoformat(), "--to", end,
                  "--rule", "roi_target")
        check("roi_low" not in r.stdout and "good" in r.stdout, r.stdout)
        check(d.query("select * from alert_state order by 1, 2, 3, 4") == states,
              "a backtest changed alert states")
        check(d.query("select count(*) from outbox") == outbox, "a backtest queued notices")

        # Refusals.
        r = d.cli("backtest", "acme", "--from", "2026-02-30", "--to", end, check_rc=False)
        check(r.returncode == 2 and "YYYY-MM-DD" in r.stderr, r.stderr)
        r = d.cli("backtest", "acme", "--from", end, "--to", START.isoformat(), check_rc=False)
        check(r.returncode == 2, r.stderr)
        r = d.cli("backtest", "nobody", "--from", START.isoformat(), "--to", end,
                  check_rc=False)
        check(r.returncode == 1 and "unknown client" in r.stderr, r.stderr)
        r = d.cli("backtest", "acme", "--from", START.isoformat(), "--to", end,
                  "--rule", "nope", check_rc=False)
        check(r.returncode == 1 and "no rule" in r.stderr, r.stderr)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_backtest_matches_independent_replay])
