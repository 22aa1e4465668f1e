"""No client can silence another: a campaign whose totals leave int64 is
skipped (logged, marked, counted in /metrics and `roiwatch alerts`) while every
other campaign is judged and its pending alert fires on time; a row beyond what
one row may carry is refused at ingest with a clear reason."""
import datetime
import os
import urllib.request

from harness import Daemon, check, client, run, wait_for

HEADER = "client,campaign,channel,date,cost,revenue\n"


def metrics(d):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % d.port, timeout=5) as r:
        return r.read().decode()


def test_overflow_does_not_silence_others():
    d = Daemon([client("hog", minimum_spend="0"),
                client("victim", minimum_spend="0", pending_secs=2)])
    try:
        d.start()
        # 9 300 days of one billion each: every row within the bound, the
        # campaign's total beyond int64 micros (9.2e12 units).
        day0 = datetime.date(2000, 1, 1)
        rows = "".join("hog,huge,search,%s,1000000000,0\n" % (day0 + datetime.timedelta(days=i))
                       for i in range(9300))
        d.drop("hog.csv", HEADER + rows + "hog,small,search,2026-11-01,100,50\n")
        wait_for(lambda: d.done("hog.csv") or d.failed("hog.csv"), what="hog.csv processed")
        check(d.done("hog.csv"), "hog.csv refused:\n" + d.log())
        d.drop("victim.csv", HEADER + "victim,loser,search,2026-11-01,1000,100\n")
        wait_for(lambda: d.done("victim.csv"), what="victim.csv processed")
        # The victim's alert goes pending, then fires after pending_secs
        # through the periodic evaluation, which also meets the hog.
        wait_for(lambda: d.messages("mail/victim"), timeout=20,
                 what="the victim's alert (log:\n%s)" % d.log())
        st = d.query("select state from alert_state where client = 'victim' and rule = 'roi_low'")
        check(st == [("firing",)], "victim state %r" % st)
        # The hog's small campaign is judged too (same client, same file).
        st = d.query("select state, judged from alert_state where client = 'hog' "
                     "and subject = 'small' and rule = 'roi_low'")
        check(st == [("firing", 1)], "hog/small %r" % st)
        log = d.log()
        check('campaign="huge": cannot be evaluated, skipped' in log and "overflow" in log, log)
        check(log.count('campaign="huge": cannot be evaluated, skipped') == 1,
              "the failure is said once, not at every run:\n" + log)
        m = metrics(d)
        check("roiwatch_campaigns_unjudgeable 1\n" in m, m)
        check('roiwatch_evaluations_total{result="failed"}' in m, m)
        out = d.cli("alerts").stdout
        huge = [l for l in out.splitlines() if " huge " in l]
        check(huge and all("could not be evaluated" in l for l in huge), out)
        d.stop()
        # Across a restart: still skipped, the others still judged.
        d.start()
        wait_for(lambda: "every stored campaign judged" in d.log(), what="start-up sweep")
        check("roiwatch_campaigns_unjudgeable 1\n" in metrics(d), metrics(d))
    finally:
        d.cleanup()


def test_row_bound_refused_with_reason():
    d = Daemon([client("acme")])
    try:
        path = os.path.join(d.dir, "big.csv")
        with open(path, "w") as f:
            f.write(HEADER + "acme,x,search,2026-11-01,1000000000.01,5\n")
        r = d.cli("ingest", path, check_rc=False)
        check(r.returncode != 0, r.stdout + r.stderr)
        check("cost: beyond the largest figure one row may carry (1 000 000 000 units)"
              in r.stdout + r.stderr, r.stdout + r.stderr)
        check(d.query("select count(*) from metrics") == [(0,)], "stored anyway")
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_overflow_does_not_silence_others, test_row_bound_refused_with_reason])
