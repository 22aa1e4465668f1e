"""Inbox hardening: others write into the inbox, so nothing in it is followed.
A symbolic or hard link planted at a report's temporary name is not written
through; a done/ or failed/ that is a symbolic link (or not the daemon's)
disables the inbox until it is fixed, and nothing is moved outside; a symbolic
link or a fifo dropped as an input goes to failed/ with a report, never
followed nor read; a file over max_file_bytes is refused with its reason."""
import os
import time

from harness import CSV_HEADER, Daemon, check, client, run, wait_for

GOOD = CSV_HEADER + (
    "acme,Black Friday,facebook,2026-11-20,1000.00,1200.00,50000,800,12\n"
    "acme,Newsletter,email,2026-11-20,200.00,1000.00,10000,500,40\n"
)
BAD = CSV_HEADER + "acme,Black Friday,facebook,2026-11-24,12x.00,100.00,1,1,1\n"


def read(path):
    with open(path) as f:
        return f.read()


def lexists_in(d, sub, name):
    return os.path.lexists(os.path.join(d.inbox, sub, name))


def swap_for_link(path, aside, target):
    """Rename the directory path aside and put a symbolic link to target in
    its place. A rescan between the two may make path again (an empty
    directory): removed, and the link tried again."""
    os.rename(path, aside)
    link = aside + ".link"  # made outside the inbox, which would take it
    os.symlink(target, link)
    while True:
        try:
            os.rename(link, path)
            return
        except (IsADirectoryError, FileExistsError):
            os.rmdir(path)


def rows(d):
    return d.query("select count(*) from metrics")[0][0]


def test_planted_report_tmp_not_written_through():
    d = Daemon([client("acme")])
    try:
        d.start()
        failed = os.path.join(d.inbox, "failed")
        victim_sym = os.path.join(d.dir, "victim-symlink")
        victim_hard = os.path.join(d.dir, "victim-hardlink")
        for v in (victim_sym, victim_hard):
            with open(v, "w") as f:
                f.write("precious\n")
        os.symlink(victim_sym, os.path.join(failed, "bad1.csv.report.tmp"))
        os.link(victim_hard, os.path.join(failed, "bad2.csv.report.tmp"))
        d.drop("bad1.csv", BAD)
        d.drop("bad2.csv", BAD)
        wait_for(lambda: d.failed("bad1.csv") and d.failed("bad2.csv"),
                 what="both bad files in failed/")
        check(read(victim_sym) == "precious\n", "written through a planted symlink")
        check(read(victim_hard) == "precious\n", "written through a planted hard link")
        check(os.stat(victim_hard).st_nlink == 2, "the planted link was removed or replaced")
        log = d.log()
        check("bad2.csv.report.tmp" in log and "refused" in log,
              "the refused report is logged:\n" + log)
        # A report nobody tampered with is still written.
        d.drop("bad3.csv", BAD)
        wait_for(lambda: d.failed("bad3.csv"), what="bad3.csv in failed/")
        check("row 1" in read(os.path.join(failed, "bad3.csv.report")), "report of bad3.csv")
        check(d.proc.poll() is None, "daemon died")
        d.stop()
    finally:
        d.cleanup()


def test_symlinked_done_disables_inbox_until_fixed():
    d = Daemon([client("acme")])
    try:
        outside = os.path.join(d.dir, "outside")
        os.makedirs(outside)
        os.makedirs(d.inbox)
        os.symlink(outside, os.path.join(d.inbox, "done"))
        d.start()
        wait_for(lambda: "inbox: disabled" in d.log(), what="the inbox refused")
        log = d.log()
        check("done is a symbolic link, not a directory: refused" in log,
              "the reason names done/:\n" + log)
        d.drop("good.csv", GOOD)
        time.sleep(2.5)  # two rescans
        check(os.listdir(outside) == [], "files moved outside: %r" % os.listdir(outside))
        check(os.path.exists(os.path.join(d.inbox, "good.csv")), "good.csv left the inbox")
        check(rows(d) == 0, "a disabled inbox stored rows")
        check(d.log().count("inbox: disabled") == 1, "the refusal is logged once:\n" + d.log())
        # HTTP still answers: the daemon runs without its inbox.
        check(d.proc.poll() is None, "daemon died")

        # Fixed by the operator: the next rescan takes the inbox back.
        os.unlink(os.path.join(d.inbox, "done"))
        wait_for(lambda: d.done("good.csv"), what="good.csv in done/ once fixed")
        check("is usable again" in d.log(), "the recovery is logged:\n" + d.log())
        check(rows(d) == 2, "rows after the fix")
        check(os.listdir(outside) == [], "files moved outside")

        # Replaced while running: failed/ becomes a link elsewhere.
        swap_for_link(os.path.join(d.inbox, "failed"), os.path.join(d.dir, "failed.old"),
                      outside)
        d.drop("bad.csv", BAD)
        wait_for(lambda: d.log().count("inbox: disabled") == 2, what="the inbox refused again")
        time.sleep(1.5)
        check(os.listdir(outside) == [], "files moved outside: %r" % os.listdir(outside))
        check(os.listdir(os.path.join(d.dir, "failed.old")) == [], "moved into the old failed/")
        check(os.path.exists(os.path.join(d.inbox, "bad.csv")), "bad.csv left the inbox")
        os.unlink(os.path.join(d.inbox, "failed"))
        wait_for(lambda: d.failed("bad.csv"), what="bad.csv in failed/ once fixed")
        check(os.path.exists(os.path.join(d.inbox, "failed", "bad.csv.report")), "report")

        if os.geteuid() == 0:
            # Not the daemon's: done/ owned by another user is refused too.
            os.chown(os.path.join(d.inbox, "done"), 65534, 65534)
            d.drop("good2.csv", GOOD)
            wait_for(lambda: "done is owned by uid 65534" in d.log(),
                     what="done/ of another owner refused")
            time.sleep(1.5)
            check(os.path.exists(os.path.join(d.inbox, "good2.csv")), "good2.csv taken")
            os.chown(os.path.join(d.inbox, "done"), 0, 0)
            wait_for(lambda: d.done("good2.csv"), what="good2.csv once fixed")
        d.stop()
    finally:
        d.cleanup()


def test_symlink_and_fifo_inputs_go_to_failed():
    d = Daemon([client("acme")], max_file_bytes=2048)
    try:
        d.start()
        secret = os.path.join(d.dir, "secret.csv")
        with open(secret, "w") as f:
            f.write(GOOD)
        os.symlink(secret, os.path.join(d.inbox, "evil.csv"))
        os.mkfifo(os.path.join(d.inbox, "pipe.csv"))
        # A dangling link is a link too.
        os.symlink(os.path.join(d.dir, "nowhere"), os.path.join(d.inbox, "dangling.csv"))
        d.drop("huge.csv", GOOD + "".join(
            "acme,Filler %d,email,2026-11-21,1.00,1.00,1,1,1\n" % i for i in range(60)))
        wait_for(lambda: all(lexists_in(d, "failed", n)
                             for n in ("evil.csv", "pipe.csv", "dangling.csv", "huge.csv")),
                 what="the link, the fifo and the big file in failed/")
        failed = os.path.join(d.inbox, "failed")
        check(os.path.islink(os.path.join(failed, "evil.csv")), "the link itself was moved")
        check(read(secret) == GOOD, "the link's target changed")
        rep = read(os.path.join(failed, "evil.csv.report"))
        check("is a symbolic link, not a regular file: not read" in rep, rep)
        rep = read(os.path.join(failed, "pipe.csv.report"))
        check("is a fifo (named pipe), not a regular file: not read" in rep, rep)
        rep = read(os.path.join(failed, "dangling.csv.report"))
        check("symbolic link" in rep, rep)
        rep = read(os.path.join(failed, "huge.csv.report"))
        check("more than the limit of 2048 (max_file_bytes)" in rep, rep)
        check(rows(d) == 0, "rows stored from a link, a fifo or a big file")
        # Nothing blocked on the fifo: the inbox goes on.
        d.drop("good.csv", GOOD)
        wait_for(lambda: d.done("good.csv"), what="good.csv in done/")
        check(rows(d) == 2, "rows of good.csv")
        d.stop()
    finally:
        d.cleanup()


def test_cli_ingest_reads_safely():
    """`roiwatch ingest` reads files the same way: bounded, never through a
    link nor from a fifo, and says why it refused."""
    d = Daemon([client("acme")], max_file_bytes=2048)
    try:
        big = os.path.join(d.dir, "big.csv")
        with open(big, "w") as f:
            f.write(GOOD + "acme,Filler,email,2026-11-21,1.00,1.00,1,1,1\n" * 60)
        good = os.path.join(d.dir, "good.csv")
        with open(good, "w") as f:
            f.write(GOOD)
        link = os.path.join(d.dir, "link.csv")
        os.symlink(good, link)
        fifo = os.path.join(d.dir, "fifo.csv")
        os.mkfifo(fifo)
        r = d.cli("ingest", big, link, fifo, good, check_rc=False)
        check(r.returncode == 1, "refusals make the exit status 1: %d" % r.returncode)
        check("more than the limit of 2048 (max_file_bytes)" in r.stderr, r.stderr)
        check(link + " is a symbolic link, not a regular file: not read" in r.stderr, r.stderr)
        check(fifo + " is a fifo (named pipe), not a regular file: not read" in r.stderr,
              r.stderr)
        check("summary: 1 file(s) stored, 3 refused, 2 rows" in r.stdout, r.stdout)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_planted_report_tmp_not_written_through,
         test_symlinked_done_disables_inbox_until_fixed,
         test_symlink_and_fifo_inputs_go_to_failed,
         test_cli_ingest_reads_safely])
