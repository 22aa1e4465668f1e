"""Digests end to end: a schedule sends each period once, recorded in the
database -- across a restart and a SIGKILL, and after downtime only the
latest missed period, marked late; `roiwatch digest` previews every format
and sends by hand through the outbox to e-mail, webhook and chat receivers;
the report page and report.json answer each client's own token (another's
403, none 401) and the operator's token for every client, and headless
Chromium renders the page at phone and desktop widths without overflow."""
import base64
import datetime
import http.client
import json
import os
import shutil
import signal
import struct
import subprocess
import time
import zlib

from harness import CSV_HEADER, Daemon, Recorder, check, client, run, wait_for

OPERATOR = "operator-token-0123456789abcdef"


def csv_rows(cid, days=20):
    """Two channels, three campaigns, `days` days up to yesterday (UTC)."""
    today = datetime.datetime.now(datetime.timezone.utc).date()
    lines = [CSV_HEADER]
    for k in range(days, 0, -1):
        day = (today - datetime.timedelta(days=k)).isoformat()
        lines.append("%s,wa-promo,whatsapp,%s,100,%d,1000,50,5\n" % (cid, day, 300 + k))
        lines.append("%s,search,google,%s,80,200,1000,40,4\n" % (cid, day))
        lines.append("%s,video,meta,%s,60,40,1000,30,1\n" % (cid, day))
    return "".join(lines)


def hhmm(delta_minutes):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=delta_minutes)
    return t.strftime("%H:%M")


def digest_client(cid, at, **kw):
    c = client(cid, timezone="UTC", **kw)
    c["digests"] = [{"name": "daily", "every": "daily", "at": at, "receivers": ["mailbox"]}]
    return c


def digest_mail(d, cid):
    return [m for m in d.messages("mail/" + cid) if m["X-Roiwatch-Kind"] == "digest"]


def digest_items(d, cid):
    return [r for r in d.query("SELECT id, payload FROM outbox WHERE client = ?", cid)
            if json.loads(r[1]).get("kind") == "digest"]


def sql(d, q):
    """A write to the daemon's database (stopped), committed."""
    con = d.db()
    try:
        con.execute(q)
        con.commit()
    finally:
        con.close()


def ingest(d, cid):
    d.drop(cid + ".csv", csv_rows(cid))
    wait_for(lambda: d.done(cid + ".csv"), what="the export to be ingested")


def test_late_once_after_downtime():
    """A new schedule does not send for a period due before it was first
    seen; after ten days of downtime only the latest period goes, once,
    late; a restart sends nothing more."""
    d = Daemon([digest_client("acme", hhmm(-120))])
    try:
        d.start()
        ingest(d, "acme")
        wait_for(lambda: d.query("SELECT armed_at FROM digest_state WHERE client='acme'"),
                 what="the schedule to be armed")
        time.sleep(1.5)
        check(digest_items(d, "acme") == [], "a new schedule sent a past period")
        d.stop()
        sql(d, "UPDATE digest_state SET armed_at = armed_at - 10 * 86400")
        d.start()
        wait_for(lambda: len(digest_mail(d, "acme")) == 1, what="the late digest")
        items = digest_items(d, "acme")
        check(len(items) == 1, "%d digest items" % len(items))
        p = json.loads(items[0][1])
        check(p["late"] == 1, "the digest after downtime is not marked late")
        yesterday = (datetime.datetime.now(datetime.timezone.utc).date() -
                     datetime.date(1970, 1, 1)).days - 1
        check(p["from_day"] == yesterday and p["to_day"] == yesterday,
              "period %s..%s, not yesterday" % (p["from_day"], p["to_day"]))
        m = digest_mail(d, "acme")[0]
        kinds = [part.get_content_type() for part in m.walk()]
        check("text/plain" in kinds and "text/html" in kinds, "parts: %s" % kinds)
        row = d.query("SELECT late, sent_from FROM digest_state WHERE client='acme'")[0]
        check(row == (1, yesterday), "digest_state %s" % (row,))
        metrics = get(d.port, "/metrics")[2].decode()
        check("roiwatch_digests_sent_total 1\n" in metrics, "digests sent not counted")
        d.stop()
        d.start()
        time.sleep(2)
        check(len(digest_items(d, "acme")) == 1, "sent again after a restart")
        check(len(digest_mail(d, "acme")) == 1, "a second message after a restart")
        d.stop()
    finally:
        d.cleanup()


def test_sigkill_once():
    """Killed with SIGKILL at any moment around a sending, the daemon sends
    that period exactly once over its restarts."""
    d = Daemon([digest_client("acme", hhmm(-5))])
    try:
        d.start()
        ingest(d, "acme")
        wait_for(lambda: d.query("SELECT armed_at FROM digest_state WHERE client='acme'"),
                 what="the schedule to be armed")
        d.stop()
        for delay in (0.0, 0.02, 0.05, 0.1, 0.2, 0.4):
            before = len(digest_items(d, "acme"))
            sql(d, "UPDATE digest_state SET armed_at = armed_at - 86400, sent_from = NULL,"
                " sent_to = NULL")
            d.start()
            time.sleep(delay)
            d.proc.send_signal(signal.SIGKILL)
            d.proc.wait()
            d.proc = None
            d.log_file.close()
            d.start()
            wait_for(lambda: len(digest_items(d, "acme")) > before,
                     what="the digest after SIGKILL at %.2fs" % delay)
            time.sleep(1.0)
            n = len(digest_items(d, "acme")) - before
            check(n == 1, "%d digests for one period (SIGKILL at %.2fs)" % (n, delay))
            d.stop()
        d.start()
        wait_for(lambda: len(digest_mail(d, "acme")) == 6, what="six messages")
        time.sleep(1)
        check(len(digest_mail(d, "acme")) == 6, "more than one message per period")
        d.stop()
    finally:
        d.cleanup()


def test_preview_and_send_now():
    hook, slack = Recorder(), Recorder()
    c = client("acme", receivers=[
        {"name": "mailbox", "type": "file", "dir": "mail/acme"},
        {"name": "hook", "type": "webhook", "url": "http://127.0.0.1:%d/h" % hook.port},
        {"name": "chat", "type": "slack", "url": "http://127.0.0.1:%d/s" % slack.port},
    ], language="fr")
    d = Daemon([c])
    try:
        d.start()
        ingest(d, "acme")
        r = d.cli("digest", "acme", "--preview", "--period", "last-7-days")
        check("Acme Ltd" in r.stdout and "ROI" in r.stdout, "text preview:\n" + r.stdout)
        for fmt in ("html", "page", "email", "payload", "slack", "teams", "discord",
                    "mattermost", "googlechat"):
            r = d.cli("digest", "acme", "--preview", "--format", fmt)
            check(len(r.stdout) > 100, "empty %s preview" % fmt)
        j = json.loads(d.cli("digest", "acme", "--preview", "--format", "json").stdout)
        check(j, "json preview")
        for args, rc in ((("--preview", "--format", "pdf"), 2),
                         (("--preview", "--period", "2026-13"), 2),
                         (("--preview", "--send-now"), 2),
                         (("--send-now", "--receiver", "nope"), 1)):
            r = d.cli("digest", "acme", *args, check_rc=False)
            check(r.returncode == rc and r.stderr.startswith(("roiwatch", "usage")),
                  "%s: exit %d, stderr %r" % (args, r.returncode, r.stderr))
        r = d.cli("digest", "nobody", "--preview", check_rc=False)
        check(r.returncode == 1, "unknown client: exit %d" % r.returncode)
        # The alerts the export raised go first; the digest comes after.
        wait_for(lambda: d.query("SELECT count(*) FROM outbox WHERE status = 'pending'")[0][0] == 0,
                 what="the alerts to be delivered")
        nslack = len(slack.requests)
        r = d.cli("digest", "acme", "--send-now", "--period", "last-7-days")
        check("3 receiver(s)" in r.stdout, r.stdout)

        def hooked():
            return [json.loads(b) for _, b in hook.requests if json.loads(b).get("kind") == "digest"]
        wait_for(lambda: len(digest_mail(d, "acme")) == 1 and hooked() and len(slack.requests) > nslack,
                 what="the digest at every receiver")
        body = hooked()[0]
        check(body["client"]["id"] == "acme", "webhook body")
        check(body["report"]["story"] and body["subject"], "webhook lacks the report")
        s = json.loads(slack.requests[nslack][1])
        check("blocks" in s or "text" in s, "slack body %r" % s)
        check("ROI" in json.dumps(s, ensure_ascii=False), "the slack digest has no ROI")
        check(len(digest_mail(d, "acme")) == 1, "e-mail digest")
        iid = digest_items(d, "acme")[0][0]
        r = d.cli("outbox", "show", str(iid))
        check("a digest" in r.stdout and "sent by hand" in r.stdout, r.stdout)
        j = json.loads(d.cli("outbox", "show", str(iid), "--json").stdout)
        check(j["digest"]["schedule"] == "" and ".." in j["digest"]["period"], "outbox show --json %r" % j)
        # sent by hand: no schedule recorded
        check(d.query("SELECT count(*) FROM digest_state")[0][0] == 0, "send-now recorded")
        d.stop()
    finally:
        hook.close()
        slack.close()
        d.cleanup()


def get(port, path, token=None, basic=None, headers=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        h = {"Authorization": "Bearer " + token} if token else {}
        if basic is not None:
            h = {"Authorization": "Basic " + base64.b64encode(basic.encode()).decode()}
        c.request("GET", path, headers=h)
        r = c.getresponse()
        if headers is not None:
            headers.extend(r.getheaders())
        return r.status, r.getheader("Content-Type") or "", r.read()
    finally:
        c.close()


def chromium_page(html, workdir, width):
    """The page in a frame `width` px wide (desktop Chromium will not make a
    window narrower than 500 px, a frame can be): a screenshot, and the
    page's scrollWidth, read by a script appended to a copy (the page itself
    has none) and handed to the frame's parent."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    check(browser is not None, "chromium is not installed (scripts/deps.sh lists it)")
    win = max(width, 500)

    def framed(name, src):
        p = os.path.join(workdir, name)
        with open(p, "w") as f:
            f.write("<!DOCTYPE html><html><body style=\"margin:0\"><iframe src=\"%s\" "
                    "width=\"%d\" height=\"1600\" style=\"border:0;display:block\">"
                    "</iframe></body></html>" % (src, width))
        return p
    with open(os.path.join(workdir, "page-%d.html" % width), "w") as f:
        f.write(html)
    with open(os.path.join(workdir, "probe-%d.html" % width), "w") as f:
        f.write(html.replace("</body>", "<script>parent.document.title='W='+"
                             "document.documentElement.scrollWidth+' V='+innerWidth;"
                             "</script></body>"))
    png = os.path.join(workdir, "report-%d.png" % width)
    base = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--hide-scrollbars", "--allow-file-access-from-files",
            "--user-data-dir=" + os.path.join(workdir, "profile-%d" % width),
            "--window-size=%d,1600" % win]
    r = subprocess.run(base + ["--screenshot=" + png,
                               "file://" + framed("shot-%d.html" % width, "page-%d.html" % width)],
                       capture_output=True, text=True, timeout=90)
    check(r.returncode == 0 and os.path.exists(png), "chromium failed: " + r.stderr[-600:])
    with open(png, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10000, "screenshot %d bytes" % len(data))
    w, h = struct.unpack(">II", data[16:24])
    check(w == win and h == 1600, "screenshot %dx%d" % (w, h))
    r = subprocess.run(base + ["--virtual-time-budget=5000", "--dump-dom",
                               "file://" + framed("probed-%d.html" % width,
                                                  "probe-%d.html" % width)],
                       capture_output=True, text=True, timeout=90)
    dom = r.stdout
    i = dom.find("<title>W=")
    check(i >= 0, "probe did not run: " + r.stderr[-300:])
    sw, vw = (int(x[2:]) for x in dom[i + 7:dom.index("<", i + 7)].split())
    check(vw == width, "the frame is %d px wide, not %d" % (vw, width))
    check(sw <= width, "page %d px wide in a %d px frame" % (sw, width))
    out = os.environ.get("ROIWATCH_TEST_ARTIFACTS")
    if out:
        os.makedirs(out, exist_ok=True)
        shutil.copy(png, out)
    return png


def test_report_page():
    a = client("acme", token="acme-token-0123456789abcdef")
    b = client("beta", token="beta-token-0123456789abcdef")
    d = Daemon([a, b], operator_token_file="tokens/operator.token")
    with open(os.path.join(d.conf, "tokens", "operator.token"), "w") as f:
        f.write(OPERATOR + "\n")
    os.chmod(os.path.join(d.conf, "tokens", "operator.token"), 0o600)
    try:
        d.start()
        ingest(d, "acme")
        d.cli("annotate", "acme", "--channel", "meta", "--date", "yesterday",
              "Meta budget moved to WhatsApp")
        p = d.port
        st, ct, body = get(p, "/clients/acme/report?period=last-7-days", a["token"])
        check(st == 200 and ct.startswith("text/html"), "report %d %s" % (st, ct))
        html = body.decode()
        check("<script" not in html.lower(), "the page has a script")
        check("Meta budget moved to WhatsApp" in html, "the note is not on the page")
        check("wa-promo" in html and "video" in html, "campaigns missing")
        st, ct, body = get(p, "/clients/acme/report.json?period=last-7-days", a["token"])
        check(st == 200 and ct.startswith("application/json"), "json %d %s" % (st, ct))
        j = json.loads(body)
        check(j.get("story"), "report.json has no story")
        for path in ("/clients/acme/report", "/clients/acme/report.json"):
            check(get(p, path)[0] == 401, "no token: not 401")
            check(get(p, path, "wrong-token-0123456789abcdef")[0] == 401, "bad token: not 401")
            check(get(p, path, b["token"])[0] == 403, "another client's token: not 403")
            check(get(p, path, OPERATOR)[0] == 200, "operator token refused")
        # A browser: its own prompt, the token as the password.
        hdrs = []
        check(get(p, "/clients/acme/report", headers=hdrs)[0] == 401, "no token")
        check(any(k.lower() == "www-authenticate" and v.startswith("Basic") for k, v in hdrs),
              "the page does not ask a browser for the token: %s" % hdrs)
        check(get(p, "/clients/acme/report", basic="anyone:" + a["token"])[0] == 200,
              "Basic with the client's token refused")
        check(get(p, "/clients/acme/report", basic="x:" + b["token"])[0] == 403,
              "Basic with another client's token: not 403")
        check(get(p, "/clients/acme/report", basic="x:nope")[0] == 401, "Basic bad token")
        check(get(p, "/v1/clients/acme/kpis", basic="x:" + a["token"])[0] == 401,
              "Basic accepted beyond the report page")
        check(get(p, "/clients/beta/report", OPERATOR)[0] == 200, "operator on beta")
        check(get(p, "/clients/beta/report", a["token"])[0] == 403, "acme reads beta")
        check(get(p, "/clients/acme/report?period=2026-13", a["token"])[0] == 400,
              "bad period: not 400")
        check(get(p, "/clients/nobody/report", OPERATOR)[0] == 404, "unknown client: not 404")
        for width in (390, 1280):
            chromium_page(html, d.dir, width)
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_late_once_after_downtime, test_sigkill_once, test_preview_and_send_now,
         test_report_page])
