"""The operator's command line: check-config, ingest (with a source's settings),
kpis and alerts, on a private configuration; and check-config on conf/."""
import os

import harness
from harness import CSV_HEADER, Daemon, check, client, run

FR = ("Campagne;Jour;Dépense;Revenu\n"
      "Vols été;20/11/2026;12 500,00;41 000,00\n"
      "Vols été;21/11/2026;13 250,00;46 000,00\n")


def test_check_config():
    d = Daemon([client("acme")])
    try:
        r = d.cli("check-config")
        check("acme" in r.stdout and "150% (2.5:1)" in r.stdout, r.stdout)
        r = d.cli("check-config", "--options")
        check("minimum_roi" in r.stdout and "listen_port" in r.stdout, r.stdout[:500])
        # The shipped example configuration is valid.
        r = d.cli("check-config", os.path.join(harness.ARGS.source_dir, "conf", "roiwatchd.conf"))
        check("configuration OK" in r.stdout, r.stdout)
        # A bad option: non-zero, and the message names file, line and option.
        bad = os.path.join(d.conf, "clients.d", "acme.conf")
        with open(bad) as f:
            text = f.read()
        with open(bad, "w") as f:
            f.write(text.replace('"minimum_roi": "2.5:1"', '"minimum_roi": "2.5"'))
        r = d.cli("check-config", check_rc=False)
        check(r.returncode != 0, "bad configuration accepted")
        check("acme.conf:" in r.stderr and "minimum_roi" in r.stderr, r.stderr)
    finally:
        d.cleanup()


def test_ingest_kpis_alerts():
    d = Daemon([client("globex", language="fr", currency="EUR", target_roi="200%")],
               sources=[{"name": "fr-export", "type": "files", "pattern": "fr-*.csv",
                         "client": "globex", "channel": "google_ads", "delimiter": ";",
                         "decimal": ",", "thousands": " ", "date_format": "%d/%m/%Y",
                         "columns": {"Campagne": "campaign", "Jour": "date",
                                     "Dépense": "cost", "Revenu": "revenue"}}])
    try:
        path = os.path.join(d.dir, "fr-nov.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(FR)
        r = d.cli("ingest", path)
        check("2 rows stored" in r.stdout and "summary: 1 file(s) stored" in r.stdout, r.stdout)
        # Same text under another name: generic settings refuse it, naming the problem.
        other = os.path.join(d.dir, "plain.csv")
        with open(other, "w", encoding="utf-8") as f:
            f.write(FR)
        r = d.cli("ingest", other, check_rc=False)
        check(r.returncode != 0 and "refused" in r.stderr, r.stdout + r.stderr)
        # --source applies the named settings whatever the file name.
        r = d.cli("ingest", "--source", "fr-export", other)
        check("2 rows stored" in r.stdout, r.stdout)
        tot = d.query("select count(*), sum(cost), sum(revenue) from metrics")[0]
        check(tot == (2, 25750000000, 87000000000), "exact totals %r" % (tot,))

        r = d.cli("kpis", "globex")
        check("237,86" in r.stdout or "237.86" in r.stdout, r.stdout)
        r = d.cli("alerts")
        check("roi_target" in r.stdout and "firing" in r.stdout, r.stdout)
        r = d.cli("sources")
        check("fr-export" in r.stdout and "pattern fr-*.csv" in r.stdout, r.stdout)
        r = d.cli("kpis", "nobody", check_rc=False)
        check(r.returncode != 0 and "not configured" in r.stderr, r.stderr)
        # A bad CSV through the CLI: refused with the row named, nothing stored.
        bad = os.path.join(d.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write(CSV_HEADER + "globex,X,email,2026-11-20,1,1,1,1,1\n"
                    "globex,X,email,2026-13-01,1,1,1,1,1\n")
        r = d.cli("ingest", bad, check_rc=False)
        check(r.returncode != 0 and "row 2" in r.stderr, r.stderr)
        check(d.query("select count(*) from metrics")[0][0] == 2, "bad file left rows")
    finally:
        d.cleanup()


def test_ingest_progress_on_a_terminal():
    """On a terminal, roiwatch ingest draws a progress bar on stderr; piped, it
    prints only the summary."""
    import pty
    import subprocess
    d = Daemon([client("acme")])
    try:
        path = os.path.join(d.dir, "big.csv")
        with open(path, "w") as f:
            f.write(CSV_HEADER)
            for i in range(120000):
                f.write("acme,Camp %d,email,2026-%02d-%02d,1.00,2.00,10,1,0\n"
                        % (i // 300, i % 300 // 28 + 1, i % 28 + 1))
        master, slave = pty.openpty()
        p = subprocess.Popen([harness.ARGS.roiwatch, "-c",
                              os.path.join(d.conf, "roiwatchd.conf"), "ingest", path],
                             stdout=subprocess.PIPE, stderr=slave, text=True)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        out = p.stdout.read()
        check(p.wait() == 0, "ingest failed: %s %s" % (out, err))
        os.close(master)
        text = err.decode(errors="replace")
        check("[" in text and "#" in text and "100%" in text and "rows/s" in text,
              "progress bar on the terminal: %r" % text[-300:])
        check("120000 rows stored" in out, out)
        r = d.cli("ingest", path)
        check("#" not in r.stderr and "120000 rows stored" in r.stdout,
              "no bar when not a terminal: %r" % r.stderr)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_check_config, test_ingest_kpis_alerts, test_ingest_progress_on_a_terminal])
