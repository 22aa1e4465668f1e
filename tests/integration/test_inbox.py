"""Inbox end to end: a metrics file becomes stored samples and an alert message;
a bad file lands in failed/ with its report and leaves the database unchanged;
re-sending replaces; a restart sends nothing twice."""
import os
import signal
import time

from harness import CSV_HEADER, Daemon, check, client, run, wait_for

GOOD = CSV_HEADER + (
    "acme,Black Friday,facebook,2026-11-20,1000.00,1200.00,50000,800,12\n"
    "acme,Black Friday,facebook,2026-11-21,1500.00,1300.00,60000,900,10\n"
    "acme,Newsletter,email,2026-11-20,200.00,1000.00,10000,500,40\n"
    "acme,Tiny test,sms,2026-11-20,5.00,0,100,1,0\n"
)


def eml_count(d, sub="mail/acme"):
    return len(d.messages(sub))


def test_file_to_alert_and_restart():
    d = Daemon([client("acme")])
    try:
        d.start()
        d.drop("nov.csv", GOOD)
        wait_for(lambda: d.done("nov.csv"), what="nov.csv in done/")
        rows = d.query("select count(*), sum(cost), sum(revenue) from metrics")
        check(rows[0] == (4, 2705000000, 3500000000), "stored totals: %r" % (rows,))
        msgs = wait_for(lambda: d.messages("mail/acme"), what="an alert message")
        check(len(msgs) == 1, "one grouped message expected, got %d" % len(msgs))
        m = msgs[0]
        body = m.get_body().get_content()
        check("Black Friday" in body, "the campaign under the minimum is named:\n" + body)
        check("Newsletter" in body, "the campaign over target is named:\n" + body)
        check("Tiny test" not in body, "no alert below the minimum spend:\n" + body)
        check("150%" in body and "2.5:1" in body, "minimum shown in both forms:\n" + body)
        check(m["Message-ID"] and m["Date"] and m["From"], "headers present")

        states = dict(((c, k), s) for c, k, s in d.query(
            "select subject, rule, state from alert_state"))
        check(states[("Black Friday", "roi_low")] == "firing", "state %r" % states)
        check(states[("Newsletter", "roi_target")] == "firing", "state %r" % states)

        # Restart: nothing is sent again, the outbox has nothing pending.
        d.stop()
        d.start()
        time.sleep(2.5)  # two evaluation periods
        check(eml_count(d) == 1, "restart re-sent an alert")
        # Re-sending the same file replaces values: no double counting, no new alert.
        d.drop("nov-again.csv", GOOD)
        wait_for(lambda: d.done("nov-again.csv"), what="nov-again.csv in done/")
        rows = d.query("select count(*), sum(cost), sum(revenue) from metrics")
        check(rows[0] == (4, 2705000000, 3500000000), "re-send double counted: %r" % (rows,))
        time.sleep(1.5)
        check(eml_count(d) == 1, "re-send produced a new alert")

        # Recovery: Black Friday gets revenue, the alert resolves.
        d.drop("fix.csv", CSV_HEADER +
               "acme,Black Friday,facebook,2026-11-22,100.00,9000.00,1000,10,5\n")
        wait_for(lambda: eml_count(d) == 2, what="resolution message")
        body = d.messages("mail/acme")[1].get_body().get_content()
        check("Black Friday" in body, body)
        state = d.query("select state from alert_state where subject='Black Friday' "
                        "and rule='roi_low'")[0][0]
        check(state == "resolved", "state after recovery: " + state)
        d.stop()
    finally:
        d.cleanup()


def test_bad_file_goes_to_failed_with_report():
    d = Daemon([client("acme")])
    try:
        d.start()
        d.drop("good.csv", GOOD)
        wait_for(lambda: d.done("good.csv"), what="good.csv in done/")
        before = d.query("select * from metrics order by campaign, day")
        bad = CSV_HEADER + (
            "acme,Black Friday,facebook,2026-11-23,100.00,100.00,1,1,1\n"
            "acme,Black Friday,facebook,2026-11-24,12x.00,100.00,1,1,1\n")
        d.drop("bad.csv", bad)
        wait_for(lambda: d.failed("bad.csv"), what="bad.csv in failed/")
        # The report is written before the file is moved: whoever sees the
        # file in failed/ finds its report at once.
        report_path = os.path.join(d.inbox, "failed", "bad.csv.report")
        check(os.path.exists(report_path), "bad.csv in failed/ without its report")
        with open(report_path) as f:
            report = f.read()
        check("row 2" in report and "cost" in report, "report names row and column:\n" + report)
        after = d.query("select * from metrics order by campaign, day")
        check(before == after, "the bad file changed the database")

        # Unknown client and unsupported file type are refused too.
        d.drop("other.csv", CSV_HEADER + "nobody,X,email,2026-11-20,1,1,1,1,1\n")
        wait_for(lambda: d.failed("other.csv"), what="other.csv in failed/")
        with open(os.path.join(d.inbox, "failed", "other.csv.report")) as f:
            check("not configured" in f.read(), "unknown client reported")
        d.drop("notes.txt", "hello\n")
        wait_for(lambda: d.failed("notes.txt"), what="notes.txt in failed/")
        # Temporary and dot files are left alone.
        with open(os.path.join(d.inbox, "upload.csv.part"), "w") as f:
            f.write(GOOD)
        time.sleep(2.5)
        check(os.path.exists(os.path.join(d.inbox, "upload.csv.part")), "a .part file was taken")
        check(d.query("select * from metrics order by campaign, day") == before, "db changed")
        d.stop()
    finally:
        d.cleanup()


def test_reload_keeps_running_config_on_error():
    d = Daemon([client("acme")])
    try:
        d.start()
        # A broken client file: the reload is refused, the daemon keeps working.
        with open(os.path.join(d.conf, "clients.d", "broken.conf"), "w") as f:
            f.write('{ "id": "broken", "minimum_roi": "2.5" }\n')
        d.signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in d.log(), what="reload refusal in the log")
        check(d.proc.poll() is None, "daemon died on a bad reload")
        log = d.log()
        check("broken.conf" in log, "refusal names the file:\n" + log)
        d.drop("after.csv", GOOD)
        wait_for(lambda: d.done("after.csv"), what="ingest after refused reload")
        # A good change is applied: a new client appears.
        os.unlink(os.path.join(d.conf, "clients.d", "broken.conf"))
        d.clients.append(client("globex"))
        d.write_config()
        d.signal(signal.SIGHUP)
        wait_for(lambda: "configuration reloaded: 2 client(s)" in d.log(), what="reload")
        d.drop("globex.csv", CSV_HEADER + "globex,Flights,google_ads,2026-11-20,25750,87000,1,1,1\n")
        wait_for(lambda: d.done("globex.csv"), what="globex file accepted after reload")
        d.stop()
    finally:
        d.cleanup()


def test_reload_rejudges_with_new_thresholds():
    d = Daemon([client("acme", target_roi="500%")])
    try:
        d.start()
        d.drop("nov.csv", GOOD)
        wait_for(lambda: eml_count(d) == 1, what="first alert")
        body = d.messages("mail/acme")[0].get_body().get_content()
        check("Newsletter" not in body, "Newsletter (400 %) is between minimum and target")
        # The agency and the client agree on a higher minimum: 450 %.
        d.clients[0]["minimum_roi"] = "450%"
        d.write_config()
        d.signal(signal.SIGHUP)
        wait_for(lambda: eml_count(d) == 2, what="alert under the new minimum, without new data")
        body = d.messages("mail/acme")[1].get_body().get_content()
        check("Newsletter" in body and "450%" in body, body)
        d.stop()
    finally:
        d.cleanup()


def test_file_taken_only_when_complete():
    """A file still open for writing is left alone, even across rescans, as long
    as its writer keeps writing; closing it hands it over at once."""
    d = Daemon([client("acme")])
    try:
        d.start()
        path = os.path.join(d.inbox, "slow.csv")
        lines = GOOD.splitlines(keepends=True)
        with open(path, "w") as f:
            for line in lines:
                f.write(line)
                f.flush()
                time.sleep(0.4)          # 1.6 s in all: spans a 1 s rescan
                check(not d.done("slow.csv") and not d.failed("slow.csv"),
                      "a file being written was taken")
            time.sleep(0.5)
        wait_for(lambda: d.done("slow.csv"), what="slow.csv taken once closed")
        rows = d.query("select count(*), sum(cost) from metrics")
        check(rows[0] == (4, 2705000000), "the whole file was read: %r" % (rows,))
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_file_to_alert_and_restart, test_bad_file_goes_to_failed_with_report,
         test_reload_keeps_running_config_on_error, test_reload_rejudges_with_new_thresholds,
         test_file_taken_only_when_complete])
