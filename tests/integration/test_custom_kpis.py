"""Custom KPIs end to end. A "files" source maps "Reach" and "Followers" to
custom KPIs and keeps other numeric columns (here "CSAT", with a decimal comma)
under their normalised names; text and missing values are not kept. The values
land in custom_metrics exactly, in micros; a later file replaces a bucket's
values name by name (a name it lacks keeps its value); a mapped column holding
text sends the file to failed/ with a report naming the column."""
import os

from harness import Daemon, check, client, run, wait_for

DAY = 20777  # 2026-11-20

SOCIAL = (
    "client;campaign;channel;date;cost;revenue;Reach;Followers;CSAT;Notes;"
    "Engagement (%)\n"
    "acme;Launch;facebook;2026-11-20;100,00;400,00;12 000;350;4,5;good;NA\n"
    "acme;Launch;facebook;2026-11-21;50,00;90,00;8 000;352;NA;-;1,25\n"
    "acme;Retarget;facebook;2026-11-20;10,00;30,00;1 500;;3;x;\n"
)

CORRECTION = (
    "client;campaign;channel;date;cost;revenue;Reach;Followers\n"
    "acme;Launch;facebook;2026-11-20;100,00;410,00;12 500;351\n"
)


def custom_rows(d):
    return d.query("select campaign, day, hour, name, value from custom_metrics"
                   " order by campaign, day, name")


def test_custom_kpis_from_files():
    d = Daemon([client("acme")], sources=[{
        "name": "social", "type": "files", "pattern": "social-*.csv",
        "delimiter": ";", "decimal": ",", "thousands": " ",
        "custom_kpis": {"Reach": "reach", "Followers": "followers"},
        "keep_unknown_numeric": True}])
    try:
        d.start()
        d.drop("social-1.csv", SOCIAL)
        wait_for(lambda: d.done("social-1.csv") or d.failed("social-1.csv"),
                 what="social-1.csv processed")
        check(d.done("social-1.csv"), "refused:\n" + d.log())
        rows = custom_rows(d)
        check(rows == [
            ("Launch", DAY, -1, "csat", 4500000),
            ("Launch", DAY, -1, "followers", 350000000),
            ("Launch", DAY, -1, "reach", 12000000000),
            ("Launch", DAY + 1, -1, "engagement", 1250000),
            ("Launch", DAY + 1, -1, "followers", 352000000),
            ("Launch", DAY + 1, -1, "reach", 8000000000),
            ("Retarget", DAY, -1, "csat", 3000000),
            ("Retarget", DAY, -1, "reach", 1500000000),
        ], "custom_metrics: %r" % (rows,))
        ids = d.query("select distinct input_id from custom_metrics")
        mids = d.query("select distinct input_id from metrics")
        check(len(ids) == 1 and ids == mids, "input ids %r vs %r" % (ids, mids))
        sums = d.query("select sum(cost), sum(revenue) from metrics")
        check(sums[0] == (160000000, 520000000), "metrics unchanged: %r" % (sums,))

        # A corrected export of one bucket replaces its values name by
        # name; CSAT, which it lacks, keeps the first file's value.
        d.drop("social-2.csv", CORRECTION)
        wait_for(lambda: d.done("social-2.csv") or d.failed("social-2.csv"),
                 what="social-2.csv processed")
        check(d.done("social-2.csv"), "refused:\n" + d.log())
        rows = d.query("select name, value from custom_metrics"
                       " where campaign = 'Launch' and day = ? order by name", DAY)
        check(rows == [("csat", 4500000), ("followers", 351000000),
                       ("reach", 12500000000)],
              "replaced bucket: %r" % (rows,))
        check(len(custom_rows(d)) == 8, "other buckets kept: %r" % (custom_rows(d),))

        # A mapped column holding text is a row error naming the column.
        d.drop("social-3.csv", CORRECTION.replace("12 500", "lots"))
        wait_for(lambda: d.failed("social-3.csv"), what="social-3.csv in failed/")
        report_path = os.path.join(d.inbox, "failed", "social-3.csv.report")
        wait_for(lambda: os.path.exists(report_path), what="the report")
        with open(report_path) as f:
            report = f.read()
        check("row 1" in report and "Reach" in report and "lots" in report,
              "report names row, column and value:\n" + report)
        check(len(custom_rows(d)) == 8, "a refused file left custom values")

        # The operator sees them next to the money KPIs.
        out = d.cli("kpis", "acme").stdout
        check("custom" in out and "reach 20,500" in out and "csat 4.5" in out,
              "custom KPIs in roiwatch kpis:\n" + out)
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_custom_kpis_from_files])
