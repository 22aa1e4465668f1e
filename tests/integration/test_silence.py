"""`roiwatch silence add|list|remove`: the round trip through the store, the
refusals (exit code 2 for a wrong command line, 1 for what cannot be done)
and the escaping of stored texts in the list. The command line alone: no
daemon is started."""
import datetime
import os
import sqlite3
import zoneinfo

from harness import Daemon, check, client, run


def cli(d, *args, rc=0):
    r = d.cli("silence", *args, check_rc=False)
    check(r.returncode == rc, "silence %s: exit %d, want %d: %s%s"
          % (" ".join(args), r.returncode, rc, r.stdout, r.stderr))
    return r


def rows(d):
    return d.query("select id, client, campaign, rule, reason, removed_at from silence order by id")


def test_round_trip():
    d = Daemon([client("acme"), client("globex", timezone="America/New_York")])
    try:
        r = cli(d, "list")
        check(r.stdout == "no active silences\n", r.stdout)
        r = cli(d, "add", "acme", "--until", "2h", "--reason", "shop migration")
        check(r.stdout.startswith("silence 1: acme, every campaign, every rule, until "),
              r.stdout)
        check("(Europe/Paris)" in r.stdout and " UTC" in r.stdout, r.stdout)
        # A date: through that day, to the next midnight on the client's clock.
        ny = zoneinfo.ZoneInfo("America/New_York")
        day = datetime.datetime.now(ny).date() + datetime.timedelta(days=10)
        end = datetime.datetime.combine(day + datetime.timedelta(days=1),
                                        datetime.time(0, 0), tzinfo=ny)
        off = end.utcoffset().total_seconds() // 60
        r = cli(d, "add", "globex", "--campaign", "Vols été", "--rule", "roi_low",
                "--until", day.isoformat(), "--reason", "client on holiday")
        check(r.stdout.startswith('silence 2: globex, campaign "Vols été", rule roi_low, '),
              r.stdout)
        want = "until %s %s%02d:%02d (America/New_York), %s" % (
            end.strftime("%Y-%m-%d %H:%M"), "-" if off < 0 else "+", abs(off) // 60,
            abs(off) % 60, end.astimezone(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
        check(want in r.stdout, "%r lacks %r" % (r.stdout, want))
        r = cli(d, "list")
        lines = r.stdout.splitlines()
        check(len(lines) == 3, r.stdout)
        check(lines[0].split() == ["ID", "CLIENT", "CAMPAIGN", "RULE", "UNTIL", "REASON"],
              lines[0])
        check(lines[1].startswith("1   acme    *") and lines[1].endswith("shop migration"),
              r.stdout)
        check(lines[2].startswith("2   globex  Vols été  roi_low") and
              lines[2].endswith("client on holiday"), r.stdout)
        # Aligned: every column starts at the same place on every line.
        check(lines[0].index("UNTIL") == lines[1].index(lines[1].split()[4]), r.stdout)
        check(lines[0].index("REASON") == lines[2].index("client"), r.stdout)
        r = cli(d, "list", "globex")
        check(len(r.stdout.splitlines()) == 2 and "globex" in r.stdout, r.stdout)
        # Remove: ended now, kept as removed; list --all shows it.
        r = cli(d, "remove", "1")
        check(r.stdout.startswith("silence 1 of acme removed (it was to last until "), r.stdout)
        r = cli(d, "list")
        check(len(r.stdout.splitlines()) == 2 and "acme" not in r.stdout, r.stdout)
        r = cli(d, "list", "--all")
        check("STATE" in r.stdout and "removed" in r.stdout and "active" in r.stdout, r.stdout)
        r = cli(d, "remove", "1", rc=1)
        check("silence 1 ended already (removed " in r.stderr, r.stderr)
        r = cli(d, "remove", "42", rc=1)
        check("no silence 42" in r.stderr, r.stderr)
        r = cli(d, "remove", "1x", rc=2)
        check('"1x" is not a silence id' in r.stderr, r.stderr)
        got = rows(d)
        check(len(got) == 2 and got[0][5] is not None and got[1][5] is None, repr(got))
        check(got[1][2:5] == ("Vols été", "roi_low", "client on holiday"), repr(got))
    finally:
        d.cleanup()


def test_refusals():
    d = Daemon([client("acme")])
    try:
        cases = [
            # (arguments, exit code, what stderr says)
            (["nope", "--until", "2h", "--reason", "x"], 1,
             "no client 'nope' in the configuration"),
            (["acme", "--until", "2020-01-01", "--reason", "x"], 2,
             'until "2020-01-01" ends 2020-01-02 00:00 +01:00, in the past'),
            (["acme", "--until", "91d", "--reason", "x"], 2,
             "more than 90 days ahead (the limit: "),
            (["acme", "--until", "3x", "--reason", "x"], 2, 'until "3x": not a duration'),
            (["acme", "--until", "2h", "--reason", ""], 2, "reason: empty"),
            (["acme", "--until", "2h", "--reason", "r" * 501], 2,
             "reason: 501 bytes, at most 500"),
            (["acme", "--until", "2h", "--reason", "a\x1b[2Jb"], 2,
             "reason: control character 0x1b at byte 2"),
            (["acme", "--until", "2h", "--reason", "x", "--campaign", "a\x07"], 2,
             "campaign: control character 0x07"),
            (["acme", "--until", "2h", "--reason", "x", "--rule", "ROI low"], 2,
             'rule "ROI low": not a rule name'),
            (["acme", "--until", "2h", "--reason", "x", "--rule", "r" * 65], 2,
             "1 to 64 characters"),
            (["acme", "--reason", "x"], 2, "usage:"),
            (["acme", "--until", "2h"], 2, "usage:"),
            (["--until", "2h", "--reason", "x"], 2, "usage:"),
        ]
        for args, rc, says in cases:
            r = cli(d, "add", *args, rc=rc)
            check(says in r.stderr, "%r: %r lacks %r" % (args, r.stderr, says))
            check(r.stdout == "", "%r printed %r" % (args, r.stdout))
        # The bound itself is accepted; nothing refused was stored.
        cli(d, "add", "acme", "--until", "90d", "--reason", "longest")
        got = rows(d)
        check(len(got) == 1 and got[0][4] == "longest", repr(got))
        # An unknown rule is kept (a later version may have it), with a note.
        r = cli(d, "add", "acme", "--until", "1h", "--rule", "roi_lo", "--reason", "typo?")
        check('no rule "roi_lo"' in r.stderr, r.stderr)
    finally:
        d.cleanup()


def test_list_escapes():
    d = Daemon([client("acme")])
    try:
        cli(d, "list")      # creates the database
        # Texts the command line refuses, written into the file directly
        # (another program, an edit): printed escaped, never raw.
        con = sqlite3.connect(os.path.join(d.state, "roiwatch.db"))
        with con:
            con.execute("insert into silence (client, campaign, rule, reason, created, until)"
                        " values ('acme', ?, '', ?, 0, strftime('%s', 'now') + 3600)",
                        ("Camp\x1b]0;pwned\x07", "red \x1b[31malert\x1b[0m\nfake line"))
        con.close()
        r = cli(d, "list")
        check("\x1b" not in r.stdout and "\x07" not in r.stdout, repr(r.stdout))
        check("red \\x1b[31malert\\x1b[0m\\nfake line" in r.stdout, r.stdout)
        check("Camp\\x1b]0;pwned\\x07" in r.stdout, r.stdout)
        check(len(r.stdout.splitlines()) == 2, r.stdout)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_round_trip, test_refusals, test_list_escapes])
