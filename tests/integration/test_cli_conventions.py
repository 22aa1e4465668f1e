"""The command lines follow the conventions: help asked for goes to stdout
with exit 0 (roiwatch --help, -h, help, COMMAND --help; roiwatchd --help),
-V/--version print the version, a wrong command line gets the usage on
stderr with exit 2, a bad number is refused naming the option and the value
(exit 2), an unknown client exits 1 with a message, the read commands print
JSON with --json (alerts as GET /v1/clients/{id}/alerts has it),
check-config warns about files clients_dir will not read, and the bash
completion completes commands, options and configured names."""
import datetime
import http.client
import json
import os
import re
import shutil
import subprocess

import harness
from harness import CSV_HEADER, Daemon, check, client, free_port, run, wait_for

VERSION = re.compile(r"^roiwatchd? \d+\.\d+\.\d+\n$")


def prog(path, *args):
    return subprocess.run([path] + list(args), capture_output=True, text=True)


def asked(r, what, want):
    check(r.returncode == 0 and r.stderr == "" and want in r.stdout,
          "%s: exit 0, %r on stdout and nothing on stderr; got %d %r %r"
          % (what, want, r.returncode, r.stdout[:300], r.stderr[:300]))


def refused(r, rc, what, *want):
    check(r.returncode == rc and r.stdout == "" and all(w in r.stderr for w in want),
          "%s: exit %d with %r on stderr and nothing on stdout; got %d %r %r"
          % (what, rc, want, r.returncode, r.stdout[:300], r.stderr[:300]))


def test_help_and_version():
    rw, rwd = harness.ARGS.roiwatch, harness.ARGS.roiwatchd
    for args in (["--help"], ["-h"], ["help"]):
        r = prog(rw, *args)
        asked(r, "roiwatch %s" % args, "usage: roiwatch")
        for cmd in ("kpis CLIENT", "outbox list", "annotations CLIENT", "default CONFIG"):
            check(cmd in r.stdout, "roiwatch %s lacks %r" % (args, cmd))
    for args in (["--help"], ["-h"]):
        asked(prog(rwd, *args), "roiwatchd %s" % args, "usage: roiwatchd")
    for p, name in ((rw, "roiwatch"), (rwd, "roiwatchd")):
        for flag in ("-V", "--version"):
            r = prog(p, flag)
            check(r.returncode == 0 and VERSION.match(r.stdout) and
                  r.stdout.startswith(name + " "),
                  "%s %s: %d %r %r" % (name, flag, r.returncode, r.stdout, r.stderr))
    # One command's usage: its lines, not the others'.
    for args, want, not_want in ((["kpis", "--help"], "kpis CLIENT", "outbox list"),
                                 (["kpis", "acme", "-h"], "--days N", "annotate"),
                                 (["help", "kpis"], "kpis CLIENT", "sample CLIENT"),
                                 (["outbox", "list", "--help"], "outbox list", "outbox show"),
                                 (["silence", "--help"], "silence remove", "outbox"),
                                 (["digest", "acme", "--preview", "--help"], "--send-now",
                                  "kpis")):
        r = prog(rw, *args)
        asked(r, "roiwatch %s" % args, want)
        check(not_want not in r.stdout, "roiwatch %s shows %r:\n%s" % (args, not_want, r.stdout))
    refused(prog(rw, "help", "frobnicate"), 2, "help of no command", "frobnicate")
    # Wrong command lines: the usage on stderr, exit 2.
    refused(prog(rw), 2, "no command", "usage: roiwatch")
    refused(prog(rw, "frobnicate"), 2, "unknown command", "no command 'frobnicate'",
            "usage: roiwatch")
    refused(prog(rw, "kpis"), 2, "kpis without a client", "usage:", "kpis CLIENT")
    refused(prog(rw, "outbox", "list", "--bogus"), 2, "outbox list --bogus", "usage:",
            "outbox list")
    refused(prog(rw, "--bogus"), 2, "roiwatch --bogus", "usage: roiwatch")
    refused(prog(rwd, "--bogus"), 2, "roiwatchd --bogus", "usage: roiwatchd")
    refused(prog(rwd, "extra"), 2, "roiwatchd extra", "usage: roiwatchd")


def test_numbers_and_unknown_clients():
    d = Daemon([client("acme")])
    try:
        bad = (("kpis", "acme", "--days", "abc"), ("kpis", "acme", "--days", "0"),
               ("kpis", "acme", "--days", "3661"), ("kpis", "acme", "--days", " 7"),
               ("kpis", "acme", "--days", "+7"), ("kpis", "acme", "--days", "7d"),
               ("kpis", "acme", "--days", "99999999999999999999"),
               ("outbox", "list", "--limit", "ten"), ("outbox", "list", "--limit", "-1"),
               ("sample", "acme", "X", "2026-11-20", "24"),
               ("sample", "acme", "X", "2026-11-20", "1h"))
        for args in bad:
            opt = args[-2] if args[-2].startswith("--") else "HOUR"
            refused(d.cli(*args, check_rc=False), 2, " ".join(args), opt,
                    '"%s"' % args[-1])
        for args, opt in ((("backtest", "acme", "--from", "2026-1-1", "--to", "2026-02-01"),
                           "--from"),
                          (("backtest", "acme", "--from", "2026-01-01", "--to", "soon"), "--to"),
                          (("ingest", "--date", "20261120", "x.csv"), "--date"),
                          (("sample", "acme", "X", "20/11/2026"), "DATE")):
            refused(d.cli(*args, check_rc=False), 2, " ".join(args), opt)
        # Ids: digits, 1 and up, the whole word.
        for args in (("outbox", "show", "0"), ("outbox", "show", "1x"),
                     ("outbox", "drop", "3x"), ("silence", "remove", "+1"),
                     ("annotate", "acme", "--remove", "2.0")):
            refused(d.cli(*args, check_rc=False), 2, " ".join(args), '"%s"' % args[-1])
        r = d.cli("kpis", "acme", "--days", "7")
        check("Acme Ltd (acme)" in r.stdout, r.stdout)
        # A note's text after "--" may be "--help": it is no request for help.
        r = d.cli("annotate", "acme", "--date", "today", "--", "--help")
        check(r.stdout.startswith("note "), r.stdout)

        # Every command that takes a client refuses one that is not configured.
        for args in (("kpis", "nobody"), ("alerts", "nobody"), ("alerts", "nobody", "--json"),
                     ("sample", "nobody", "X", "2026-11-20"), ("test-notify", "nobody"),
                     ("backtest", "nobody", "--from", "2026-01-01", "--to", "2026-01-02"),
                     ("silence", "add", "nobody", "--until", "2h", "--reason", "x"),
                     ("silence", "list", "nobody"), ("digest", "nobody", "--preview"),
                     ("annotate", "nobody", "--date", "today", "note"),
                     ("annotate", "nobody", "--remove", "1"), ("annotations", "nobody"),
                     ("outbox", "list", "--client", "nobody"),
                     ("outbox", "retry", "--dead", "--client", "nobody")):
            refused(d.cli(*args, check_rc=False), 1, " ".join(args), "nobody")
    finally:
        d.cleanup()


def get(port, path, token):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", path, headers={"Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, json.loads(r.read())
    finally:
        c.close()


def test_json():
    acme = client("acme")
    d = Daemon([acme, client("globex")], sources=[
        {"name": "acme-files", "type": "files", "pattern": "acme-*.csv", "client": "acme"},
        {"name": "acme-pull", "type": "pull", "client": "acme", "interval_secs": "1h",
         "url": "http://127.0.0.1:%d/x.csv" % free_port(), "timeout_secs": 2}])
    try:
        # Spending without return: acme's campaign falls below its minimum ROI.
        path = os.path.join(d.dir, "acme-loss.csv")
        today = datetime.date.today()
        with open(path, "w") as f:
            f.write(CSV_HEADER)
            for k in range(1, 4):
                f.write("acme,Loss,email,%s,1000,100,1000,10,1\n"
                        % (today - datetime.timedelta(days=k)).isoformat())
        d.cli("ingest", path)
        d.start()

        k = json.loads(d.cli("kpis", "acme", "--json").stdout)
        check(k.get("client") == "acme", k)

        one = json.loads(d.cli("alerts", "acme", "--json").stdout)
        check(one["client"] == "acme" and one["alerts"], one)
        # The same document as the HTTP endpoint's: same fields, same values.
        wait_for(lambda: get(d.port, "/v1/clients/acme/alerts", acme["token"]) ==
                 (200, json.loads(d.cli("alerts", "acme", "--json").stdout)),
                 what="alerts --json to equal GET /v1/clients/acme/alerts")
        st, http_doc = get(d.port, "/v1/clients/acme/alerts?all=1", acme["token"])
        cli_doc = json.loads(d.cli("alerts", "acme", "--all", "--json").stdout)
        check(st == 200 and [sorted(a) for a in http_doc["alerts"]] ==
              [sorted(a) for a in cli_doc["alerts"]], (http_doc, cli_doc))
        every = json.loads(d.cli("alerts", "--json").stdout)["alerts"]
        check(every and all(a["client"] == "acme" and list(a)[0] == "client" and
                            set(a) - {"client"} == set(one["alerts"][0]) for a in every),
              every)
        check(json.loads(d.cli("alerts", "globex", "--json").stdout) ==
              {"client": "globex", "alerts": []}, "globex has no alerts")

        wait_for(lambda: [s for s in json.loads(d.cli("sources", "--json").stdout)["sources"]
                          if s["name"] == "acme-pull" and s["failures"] >= 1],
                 what="the pull's failure in sources --json")
        src = {s["name"]: s for s in json.loads(d.cli("sources", "--json").stdout)["sources"]}
        check(src["acme-files"] == {"name": "acme-files", "type": "files", "client": "acme",
                                    "pattern": "acme-*.csv"}, src)
        p = src["acme-pull"]
        check(p["type"] == "pull" and p["interval_secs"] == 3600 and
              p["last_success"] is None and p["last_error"] and
              re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", p["next_at"]) and
              "url" not in p, p)

        items = json.loads(d.cli("outbox", "list", "--status", "all", "--json").stdout)
        check(isinstance(items, list) and items, items)
        one_item = json.loads(d.cli("outbox", "show", str(items[0]["id"]), "--json").stdout)
        check(one_item["id"] == items[0]["id"], one_item)
        d.stop()
    finally:
        d.cleanup()


def test_check_config_unread_files():
    d = Daemon([client("acme")])
    try:
        r = d.cli("check-config")
        check("not read" not in r.stderr, "a warning without a stray file: %r" % r.stderr)
        cdir = os.path.join(d.conf, "clients.d")
        shutil.copy(os.path.join(cdir, "acme.conf"), os.path.join(cdir, "acme.json"))
        for name in ("acme.conf~", ".acme.conf.swp", "README"):
            with open(os.path.join(cdir, name), "w") as f:
                f.write("x\n")
        r = d.cli("check-config")
        check(r.returncode == 0 and "configuration OK" in r.stdout, r.stdout + r.stderr)
        for want in ("clients.d/acme.json: not read: client files end in .conf",
                     "clients.d/acme.conf~: not read: client files end in .conf",
                     "clients.d/README: not read: client files end in .conf",
                     "clients.d/.acme.conf.swp: not read: hidden files"):
            check(want in r.stderr, "%r not in %r" % (want, r.stderr))
        check("acme.conf:" not in r.stderr, r.stderr)
    finally:
        d.cleanup()


def complete(words, conf=None):
    """COMPREPLY of _roiwatch for the words typed, the last being completed."""
    script = os.path.join(harness.ARGS.source_dir, "completion", "roiwatch.bash")
    pre = [harness.ARGS.roiwatch] + (["-c", conf] if conf else [])
    line = ("source %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_roiwatch\n"
            "printf '%%s\\n' \"${COMPREPLY[@]}\"\n"
            % (sh(script), " ".join(sh(w) for w in pre + words), len(pre) + len(words) - 1))
    r = subprocess.run(["bash", "--norc", "--noprofile"], input=line, capture_output=True,
                       text=True)
    check(r.returncode == 0 and r.stderr == "", "bash: %d %r" % (r.returncode, r.stderr))
    return sorted(w for w in r.stdout.split("\n") if w)


def sh(s):
    return "'" + s.replace("'", "'\\''") + "'"


def test_completion():
    d = Daemon([client("acme", receivers=[
        {"name": "mailbox", "type": "file", "dir": "mail/acme"},
        {"name": "ops-hook", "type": "webhook", "url": "http://127.0.0.1:9/h"}]),
        client("globex")], sources=[{"name": "fr-export", "type": "files",
                                    "pattern": "fr-*.csv"}])
    conf = os.path.join(d.conf, "roiwatchd.conf")
    try:
        check(complete(["kp"]) == ["kpis"], complete(["kp"]))
        check(complete(["a"]) == ["alerts", "annotate", "annotations"], complete(["a"]))
        # Every command the usage lists is completed.
        usage = subprocess.run([harness.ARGS.roiwatch, "--help"], capture_output=True,
                               text=True).stdout
        listed = set(re.findall(r"^  ([a-z][a-z-]+)", usage, re.M))
        check(listed and listed <= set(complete([""])), (listed, complete([""])))
        check(complete(["kpis", ""], conf) == ["acme", "globex"], complete(["kpis", ""], conf))
        check(complete(["kpis", "acme", "--j"], conf) == ["--json"], "kpis --json")
        check(complete(["kpis", "acme", "--by", ""], conf) == ["campaign", "channel", "client"],
              "--by")
        check(complete(["digest", "acme", "--receiver", ""], conf) == ["mailbox", "ops-hook"],
              complete(["digest", "acme", "--receiver", ""], conf))
        check(complete(["digest", "globex", "--receiver", ""], conf) == ["mailbox"],
              "globex's receivers")
        check(complete(["test-notify", "acme", "o"], conf) == ["ops-hook"], "test-notify")
        fmts = complete(["digest", "acme", "--format", ""], conf)
        check({"text", "html", "json", "slack", "teams"} <= set(fmts), fmts)
        check(complete(["outbox", "list", "--receiver", ""], conf) == ["mailbox", "ops-hook"],
              "every receiver once")
        check(complete(["ingest", "--source", ""], conf) == ["fr-export"], "sources")
        check(complete(["outbox", ""], conf) == ["drop", "list", "retry", "show"], "outbox")
        check(complete(["silence", "add", ""], conf) == ["acme", "globex"], "silence add")
        # No configuration readable: no names, no error in the prompt.
        check(complete(["kpis", ""], os.path.join(d.dir, "missing.conf")) == [], "quiet")
        # The hidden command is not in the usage.
        check("__complete" not in usage, "__complete shown")
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_help_and_version, test_numbers_and_unknown_clients, test_json,
         test_check_config_unread_files, test_completion])
