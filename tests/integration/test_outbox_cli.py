"""roiwatch outbox list|show|retry|drop and test-notify without RECEIVER,
against a running daemon and real receivers on 127.0.0.1: one answering 404
(dead at once), one on a closed port (retrying), a file receiver (done)."""
import json
import os
import re
import time

from aiosmtpd.controller import Controller

from harness import CSV_HEADER, Daemon, Recorder, check, client, free_port, run, wait_for


def data(cid):
    return CSV_HEADER + (
        "%s,Black Friday,facebook,2026-11-20,25750,10000,50000,800,12\n"
        "%s,Flights,google_ads,2026-11-20,25750,87000,50000,800,12\n" % (cid, cid))


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# A failed attempt is retried only after an hour: the item stays "retrying".
SLOW_RETRY = {"retry_initial_secs": 3600, "retry_max_secs": 3600}


def rows(d):
    return {(c, r): (i, s, a) for i, c, r, s, a in
            d.query("select id, client, receiver, status, attempts from outbox")}


def usage_error(r, what):
    check(r.returncode == 2 and r.stdout == "" and r.stderr.strip(),
          "%s: exit 2 with a message on stderr, got %d: %r %r"
          % (what, r.returncode, r.stdout, r.stderr))


def test_list_show_retry_drop():
    gone = Recorder(status=404)                 # refuses for good, until fixed
    closed = free_port()                        # nothing listens there
    acme = client("acme", target_roi="200%", receivers=[
        {"name": "gone", "type": "webhook", "url": "http://127.0.0.1:%d/h" % gone.port},
        {"name": "down", "type": "webhook", "url": "http://127.0.0.1:%d/h" % closed}])
    beta = client("beta")                       # a file receiver: delivered
    d = Daemon([acme, beta], **SLOW_RETRY)
    try:
        d.start()
        d.drop("m.csv", data("acme") + data("beta")[len(CSV_HEADER):])
        wait_for(lambda: rows(d).get(("acme", "gone"), (0, ""))[1] == "dead" and
                 rows(d).get(("acme", "down"), (0, "", 0))[2] >= 1 and
                 rows(d).get(("beta", "mailbox"), (0, ""))[1] == "done",
                 what="a dead, a retrying and a done item: %r" % (rows(d),))
        ids = {k: v[0] for k, v in rows(d).items()}
        dead, retrying, done = ids[("acme", "gone")], ids[("acme", "down")], ids[("beta", "mailbox")]

        # list: not done by default, one line per item with a header.
        r = d.cli("outbox", "list")
        lines = r.stdout.splitlines()
        check(lines[0].split()[:4] == ["ID", "CLIENT", "RECEIVER", "STATUS"], r.stdout)
        check(len(lines) == 3, "two items not done:\n" + r.stdout)
        by_id = {int(l.split()[0]): l for l in lines[1:]}
        check(set(by_id) == {dead, retrying}, r.stdout)
        f = by_id[dead].split()
        check(f[1:5] == ["acme", "gone", "dead", "1"] and ISO.match(f[5]) and ISO.match(f[6]),
              by_id[dead])
        check("HTTP 404 Not Found (permanent failure, after 1 attempt)" in by_id[dead], by_id[dead])
        f = by_id[retrying].split()
        check(f[1:4] == ["acme", "down", "retrying"], by_id[retrying])
        check("onnect" in by_id[retrying], "the connection error: " + by_id[retrying])

        # --json: an array with every field; done items have finished, not next.
        r = d.cli("outbox", "list", "--status", "all", "--json")
        arr = json.loads(r.stdout)
        check(sorted(o["id"] for o in arr) == sorted([dead, retrying, done]), r.stdout)
        o = {x["id"]: x for x in arr}
        check(o[done]["status"] == "done" and o[done]["next_attempt"] is None and
              ISO.match(o[done]["finished"]) and o[done]["last_error"] is None, o[done])
        check(o[retrying]["status"] == "retrying" and ISO.match(o[retrying]["next_attempt"]) and
              o[retrying]["finished"] is None and o[retrying]["attempts"] >= 1, o[retrying])
        check(o[dead]["client"] == "acme" and o[dead]["receiver"] == "gone" and
              ISO.match(o[dead]["created"]), o[dead])

        # Filters.
        r = d.cli("outbox", "list", "--status", "done", "--json")
        check([x["id"] for x in json.loads(r.stdout)] == [done], r.stdout)
        r = d.cli("outbox", "list", "--status", "dead,retrying", "--client", "acme",
                  "--receiver", "down", "--json")
        check([x["id"] for x in json.loads(r.stdout)] == [retrying], r.stdout)
        r = d.cli("outbox", "list", "--client", "beta")
        check("no outbox items" in r.stdout, r.stdout)
        r = d.cli("outbox", "list", "--status", "all", "--limit", "1")
        check(len(r.stdout.splitlines()) == 3 and "left out" in r.stdout and
              r.stdout.splitlines()[1].split()[0] == str(max(dead, retrying, done)), r.stdout)

        # Command-line errors: exit 2; unknown names and ids: exit 1.
        r = d.cli("outbox", "list", "--status", "bogus", check_rc=False)
        usage_error(r, "--status bogus")
        check("bogus" in r.stderr and "retrying" in r.stderr, r.stderr)
        usage_error(d.cli("outbox", "list", "--limit", "0", check_rc=False), "--limit 0")
        usage_error(d.cli("outbox", "list", "--frobnicate", check_rc=False), "unknown option")
        usage_error(d.cli("outbox", "frob", check_rc=False), "unknown subcommand")
        usage_error(d.cli("outbox", "show", "abc", check_rc=False), "show abc")
        usage_error(d.cli("outbox", "retry", check_rc=False), "retry without an id")
        usage_error(d.cli("outbox", "retry", str(dead), "--dead", check_rc=False), "retry ID --dead")
        usage_error(d.cli("outbox", "retry", str(dead), "--client", "acme", check_rc=False),
                    "retry ID --client")
        r = d.cli("outbox", "list", "--client", "nope", check_rc=False)
        check(r.returncode == 1 and "client 'nope' is not configured" in r.stderr, r.stderr)
        for cmd in ("show", "retry", "drop"):
            r = d.cli("outbox", cmd, "9999", check_rc=False)
            check(r.returncode == 1 and "no outbox item 9999" in r.stderr, cmd + ": " + r.stderr)

        # show: everything about one item, the payload summarised.
        r = d.cli("outbox", "show", str(dead))
        out = r.stdout
        for want in ("outbox item %d" % dead, "client        acme", "receiver      gone (webhook)",
                     "status        dead", "attempts      1",
                     "reason        HTTP 404 Not Found (permanent failure, after 1 attempt)",
                     "payload       2 event(s)", '"Black Friday", "Flights"', "roi_low, roi_target",
                     "idempotency   rw-acme-%d-" % dead):
            check(want in out, "%r in:\n%s" % (want, out))
        check(re.search(r"finished +\d{4}-\d\d-\d\dT", out), out)
        r = d.cli("outbox", "show", str(dead), "--json")
        doc = json.loads(r.stdout)
        check(doc["payload"]["events"] == 2 and doc["payload"]["campaigns"] ==
              ["Black Friday", "Flights"] and doc["receiver_type"] == "webhook" and
              {e["action"] for e in doc["payload"]["detail"]} == {"fire", "good"}, doc)

        # A done item is neither retried (sent twice) nor dropped (the record).
        r = d.cli("outbox", "retry", str(done), check_rc=False)
        check(r.returncode == 1 and "delivered" in r.stderr and "twice" in r.stderr, r.stderr)
        r = d.cli("outbox", "drop", str(done), check_rc=False)
        check(r.returncode == 1 and "delivered" in r.stderr, r.stderr)
        check(rows(d)[("beta", "mailbox")][1:] == ("done", 1), "done item untouched")

        # retry the dead item once its receiver is fixed: pending, attempts
        # kept, and the running daemon sends it without being told.
        gone.ok_status = 200
        r = d.cli("outbox", "retry", str(dead))
        check("dead -> pending" in r.stdout and "attempts kept at 1" in r.stdout and
              "within 5 s" in r.stdout, r.stdout)
        check(rows(d)[("acme", "gone")][1:] == ("pending", 1), rows(d))
        t0 = time.monotonic()
        wait_for(lambda: rows(d)[("acme", "gone")][1] == "done", timeout=15,
                 what="the running daemon to deliver the retried item")
        took = time.monotonic() - t0
        check(rows(d)[("acme", "gone")][1:] == ("done", 2), "attempts counted on: %r" % rows(d))
        check(len(gone.requests) == 2, "one more POST, got %d" % len(gone.requests))
        keys = {{k.lower(): v for k, v in h.items()}["idempotency-key"] for h, _ in gone.requests}
        check(len(keys) == 1, "same idempotency key on the resend: %r" % keys)
        print("retried item delivered by the running daemon after %.1f s" % took)

        # retrying item, waiting for its next attempt: dropped.
        r = d.cli("outbox", "drop", str(retrying))
        check("dropped item %d (acme/down): retrying" % retrying in r.stdout, r.stdout)
        check(("acme", "down") not in rows(d), rows(d))
        r = d.cli("outbox", "show", str(retrying), check_rc=False)
        check(r.returncode == 1, "dropped item still shown")
        r = d.cli("outbox", "retry", "--dead", "--client", "acme")
        check("no dead items of client acme" in r.stdout, r.stdout)
        d.stop()
    finally:
        d.cleanup()
        gone.close()


def test_retry_dead_bulk_and_drop_due():
    """retry --dead [--client C] with the daemon stopped; a due item is not
    dropped without --force; retrying an item due already changes nothing."""
    port = free_port()
    rx = lambda: [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/h" % port}]
    rec = Recorder(status=404)
    rx404 = [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/h" % rec.port}]
    d = Daemon([client("acme", receivers=rx404), client("beta", receivers=rx404)], **SLOW_RETRY)
    try:
        d.start()
        d.drop("m.csv", data("acme") + data("beta")[len(CSV_HEADER):])
        wait_for(lambda: [s for _, s, _ in rows(d).values()] == ["dead", "dead"],
                 what="two dead items: %r" % (rows(d),))
        d.stop()
        r = d.cli("outbox", "retry", "--dead", "--client", "beta")
        check("1 dead item(s) put back to pending" in r.stdout and "beta/hook" in r.stdout and
              "acme/hook" not in r.stdout, r.stdout)
        check(rows(d)[("beta", "hook")][1:] == ("pending", 1) and
              rows(d)[("acme", "hook")][1] == "dead", rows(d))
        r = d.cli("outbox", "retry", "--dead")
        check("1 dead item(s) put back to pending" in r.stdout and "acme/hook" in r.stdout, r.stdout)
        r = d.cli("outbox", "retry", "--dead", "--client", "nope", check_rc=False)
        check(r.returncode == 1 and "nope" in r.stderr, r.stderr)

        # Both are due now: a running daemon could be sending them.
        bid = rows(d)[("beta", "hook")][0]
        r = d.cli("outbox", "retry", str(bid))
        check("due already" in r.stdout and "nothing changed" in r.stdout, r.stdout)
        r = d.cli("outbox", "drop", str(bid), check_rc=False)
        check(r.returncode == 1 and "due now" in r.stderr and "--force" in r.stderr, r.stderr)
        check(("beta", "hook") in rows(d), "dropped without --force")
        r = d.cli("outbox", "drop", str(bid), "--force")
        check("dropped item %d (beta/hook): retrying" % bid in r.stdout, r.stdout)
        check(list(rows(d)) == [("acme", "hook")], rows(d))
        # The dead one of acme, put back, is delivered at the next start.
        rec.ok_status = 200
        d.start()
        wait_for(lambda: rows(d)[("acme", "hook")][1:] == ("done", 2), what="delivered")
        d.stop()
    finally:
        d.cleanup()
        rec.close()


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


def test_test_notify_every_receiver():
    ok = Recorder()
    notfound = Recorder(status=404)
    slow = Recorder(delay=2.5)                  # answers after its timeout
    closed = free_port()
    smtp_port = free_port()
    ctl = Controller(Sink(), hostname="127.0.0.1", port=smtp_port)
    ctl.start()
    rx = [{"name": "ok", "type": "webhook",
           "url": "http://user:pa55word@127.0.0.1:%d/hooks/T0-secret-token?key=k3y" % ok.port},
          {"name": "notfound", "type": "webhook", "url": "http://127.0.0.1:%d/h" % notfound.port},
          {"name": "down", "type": "webhook", "url": "http://127.0.0.1:%d/h" % closed},
          {"name": "slow", "type": "webhook", "url": "http://127.0.0.1:%d/h" % slow.port,
           "timeout_secs": 1},
          {"name": "mailbox", "type": "file", "dir": "mail/acme"},
          {"name": "mail", "type": "smtp", "url": "smtp://127.0.0.1:%d" % smtp_port,
           "from": "alerts@agency.example", "to": ["cmo@acme.example"], "starttls": "no"}]
    d = Daemon([client("acme", receivers=rx)])
    try:
        r = d.cli("test-notify", "acme", check_rc=False)
        out = r.stdout
        check(r.returncode == 1, "a failure exits 1: %d\n%s" % (r.returncode, out))
        lines = {l.split(" ", 1)[0]: l for l in out.splitlines()}
        check(re.match(r"ok \(webhook\) -> http://127\.0\.0\.1:%d/\.\.\.: delivered, HTTP 200 OK "
                       r"\(\d+\.\d{3} s\)$" % ok.port, lines["ok"]), lines["ok"])
        check(re.match(r"notfound \(webhook\) -> http://127\.0\.0\.1:%d/\.\.\.: permanent failure, "
                       r"HTTP 404 Not Found \(\d+\.\d{3} s\)$" % notfound.port, lines["notfound"]),
              lines["notfound"])
        check(re.match(r"down \(webhook\) -> http://127\.0\.0\.1:%d/\.\.\.: would retry: .*onnect.* "
                       r"\(\d+\.\d{3} s\)$" % closed, lines["down"]), lines["down"])
        m = re.match(r"slow \(webhook\) -> http://127\.0\.0\.1:%d/\.\.\.: would retry: .*imed out.* "
                     r"\((\d+\.\d{3}) s\)$" % slow.port, lines["slow"])
        check(m and 0.9 < float(m.group(1)) < 2.4, "timed out after its 1 s: " + lines["slow"])
        check(re.match(r"mailbox \(file\) -> directory %s: delivered \(\d+\.\d{3} s\)$"
                       % re.escape(os.path.join(d.state, "mail/acme")), lines["mailbox"]),
              lines["mailbox"])
        check(re.match(r"mail \(smtp\) -> smtp://127\.0\.0\.1:%d: delivered, SMTP 250 "
                       r"\(\d+\.\d{3} s\)$" % smtp_port, lines["mail"]), lines["mail"])
        check("3 of 6 receiver(s) of acme took the test notice" in out, out)
        for secret in ("pa55word", "user", "secret-token", "k3y"):
            check(secret not in out + r.stderr, "%r shown:\n%s%s" % (secret, out, r.stderr))
        failed = sorted(re.findall(r"^roiwatch: test notice to acme/(\w+) failed", r.stderr, re.M))
        check(failed == ["down", "notfound", "slow"], "failures on stderr:\n" + r.stderr)
        check(len(ok.requests) == 1 and len(notfound.requests) == 1, "one POST each")
        check(len(d.messages("mail/acme")) == 1, "the file receiver wrote it")

        r = d.cli("test-notify", "acme", "ok")
        check(r.stdout.startswith("ok (webhook)") and "delivered" in r.stdout and
              len(r.stdout.splitlines()) == 1, r.stdout)
        r = d.cli("test-notify", "nope", check_rc=False)
        check(r.returncode == 1 and "client 'nope' is not configured" in r.stderr, r.stderr)
        r = d.cli("test-notify", "acme", "nope", check_rc=False)
        check(r.returncode == 1 and "receiver 'nope' is not configured" in r.stderr, r.stderr)
        usage_error(d.cli("test-notify", "acme", "--bogus", check_rc=False), "test-notify --bogus")
        usage_error(d.cli("test-notify", check_rc=False), "test-notify without a client")
        # Nothing stored: test-notify does not even open the database.
        check(not os.path.exists(os.path.join(d.state, "roiwatch.db")),
              "test-notify opened the database")
    finally:
        d.cleanup()
        ok.close()
        notfound.close()
        slow.close()
        ctl.stop()


if __name__ == "__main__":
    run([test_list_show_retry_drop, test_retry_dead_bulk_and_drop_due,
         test_test_notify_every_receiver])
