"""E-mail done right, end to end: one notice to SMTP peers on 127.0.0.1 in
clear, over STARTTLS and over implicit TLS (smtps://) with a test CA, to one
that answers 451 first, to a directory and to fake sendmail programs.

Every message is parsed with Python's email package, strictly (a defect
raises): From, Reply-To and To decode to the configured display names, the
subject to the client's name; the campaign names ingested cannot add a header
nor a recipient; the message is multipart/alternative with the plain text
first, which holds every figure of the HTML; the HTML escapes what it shows,
and headless Chromium renders it into a PNG that is not blank. Sendmail: exit
0 delivered, 75 retried then delivered, 1 dead with its stderr's first line,
a hung program killed (its whole process group) on its timeout and retried."""
import email
import email.policy
import email.utils
import html
import http.client
import json
import os
import re
import shutil
import signal
import ssl
import stat
import struct
import subprocess
import threading
import time
import zlib

from aiosmtpd.controller import Controller

from harness import CSV_HEADER, Daemon, check, client, free_port, run, wait_for

NAME = "Zoë Ångström"
HOSTILE = 'Spring <b>sale</b> & "Bcc: evil@example.com"'
DATA = CSV_HEADER + (
    "acme,Black Friday,facebook,2026-11-20,25750,10000,50000,800,12\n"
    "acme,Flights,google_ads,2026-11-20,25750,87000,50000,800,12\n"
    'acme,"%s",meta,2026-11-20,1000,500,1000,10,1\n' % HOSTILE.replace('"', '""')
)
STRICT = email.policy.default.clone(raise_on_defect=True)
HEADERS = {"x-roiwatch-idempotency-key", "from", "reply-to", "to", "subject", "date",
           "message-id", "mime-version", "content-type", "x-roiwatch-client"}

FAKE_SENDMAIL = r"""#!/bin/sh
# A fake sendmail: keeps its standard input in $1, then behaves as $2 says.
out=$1; mode=$2
n=$(ls "$out" | wc -l)
cat > "$out/msg-$n.eml"
case $mode in
ok) exit 0 ;;
tempfail-once)
	if [ "$n" -eq 0 ]; then echo "queue file write error, try later" >&2; exit 75; fi
	exit 0 ;;
fail) echo "cmo@acme.example... User unknown" >&2; echo "second line" >&2; exit 1 ;;
hang) sleep 30 & echo $! > "$out/sleep.pid"; wait ;;
esac
exit 3
"""


class Sink:
    """An SMTP peer's handler: records each message (raw), whether it came
    over TLS, and answers 451 to the first `refuse` ones."""

    def __init__(self, refuse=0):
        self.messages = []
        self.tries = []
        self.refuse = refuse
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.tries.append(envelope.original_content)
            if len(self.tries) <= self.refuse:
                return "451 4.3.0 Try again later"
            # STARTTLS sets session.ssl; implicit TLS is the transport's.
            tls = session.ssl is not None or \
                server.transport.get_extra_info("ssl_object") is not None
            self.messages.append((envelope, tls))
        return "250 OK"


def make_ca(d):
    """A test CA and a certificate for 127.0.0.1 signed by it."""
    p = lambda n: os.path.join(d, n)  # noqa: E731
    run_ = lambda *a: subprocess.run(list(a), check=True, capture_output=True)  # noqa: E731
    run_("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=roiwatch test CA", "-addext", "basicConstraints=critical,CA:TRUE",
         "-addext", "keyUsage=critical,keyCertSign,cRLSign",
         "-keyout", p("ca.key"), "-out", p("ca.pem"))
    run_("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
         "-keyout", p("srv.key"), "-out", p("srv.csr"))
    with open(p("srv.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
    run_("openssl", "x509", "-req", "-in", p("srv.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"),
         "-CAcreateserial", "-days", "2", "-extfile", p("srv.ext"), "-out", p("srv.pem"))
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(p("srv.pem"), p("srv.key"))
    return p("ca.pem"), ctx


def outbox(d):
    """receiver -> (status, attempts, last_error)"""
    return {r: (s, a, e or "") for r, s, a, e in
            d.query("select receiver, status, attempts, last_error from outbox")}


def parse_strict(raw):
    """The message parsed with a policy that raises on any defect; every
    header and part checked for defects too."""
    m = email.message_from_bytes(raw, policy=STRICT)
    check(m.defects == [], "defects: %r" % m.defects)
    for part in m.walk():
        check(part.defects == [], "part defects: %r" % part.defects)
    for k, v in m.items():
        check(not getattr(v, "defects", ()), "header %s defects: %r" % (k, v.defects))
    return m


def text_of_html(s):
    s = re.sub(r"<[^>]*>", " ", s)
    return " ".join(html.unescape(s).split())


def check_message(raw, key=None, lf=False):
    """The shape every e-mail of the notice must have; returns (message, text, html)."""
    if lf:
        check(b"\r" not in raw, "CR in a message for sendmail")
        raw = raw.replace(b"\n", b"\r\n")
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        check(len(line) <= 78, "header line of %d characters: %r" % (len(line), line))
        check(all(b < 0x80 for b in line), "8-bit header line %r" % line)
    m = parse_strict(raw)
    names = {k.lower() for k in m.keys()}
    check(names == HEADERS, "headers %r" % sorted(names))
    check(m["Bcc"] is None and m["Cc"] is None, "an injected header")
    frm = m["From"].addresses
    check(len(frm) == 1 and frm[0].display_name == NAME and
          frm[0].addr_spec == "zoe@agency.example", "From %r" % (frm,))
    rt = m["Reply-To"].addresses
    check(len(rt) == 1 and rt[0].display_name == "Desk, Account" and
          rt[0].addr_spec == "desk@agency.example", "Reply-To %r" % (rt,))
    to = [(a.display_name, a.addr_spec) for a in m["To"].addresses]
    check(to == [("Chloé Dupont", "cmo@acme.example"), ("", "ops@acme.example")], "To %r" % to)
    check(str(m["Subject"]).startswith("[roiwatch] %s Boutique: " % NAME), "Subject %r" % m["Subject"])
    k = m["X-Roiwatch-Idempotency-Key"]
    check(m["Message-ID"] == "<%s@agency.example>" % k, "Message-ID %r, key %r" % (m["Message-ID"], k))
    if key is not None:
        check(k == key, "key %r, want %r" % (k, key))
    check(m["X-Roiwatch-Client"] == "acme", "X-Roiwatch-Client")
    check(abs(email.utils.parsedate_to_datetime(m["Date"]).timestamp() - time.time()) < 300, "Date")
    check(m.get_content_type() == "multipart/alternative", m.get_content_type())
    parts = list(m.iter_parts())
    check([p.get_content_type() for p in parts] == ["text/plain", "text/html"],
          "parts %r" % [p.get_content_type() for p in parts])
    text, page = parts[0].get_content(), parts[1].get_content()
    # The plain text stands alone: every figure, every line of the HTML's
    # label/value rows is in it, and the other way round.
    for fig in ("237.86%", "25,750.00", "87,000.00", "Black Friday", "Flights", HOSTILE):
        check(fig in text, "%r not in the text part:\n%s" % (fig, text))
    flat = text_of_html(page)
    for line in text.splitlines():
        mm = re.match(r"^   ([^:]+):\s+(.*)$", line)
        if mm:
            check(mm.group(1) in flat and mm.group(2) in flat,
                  "text line %r not in the HTML" % line)
    check("<b>sale</b>" not in page and "&lt;b&gt;sale&lt;/b&gt;" in page, "campaign name not escaped")
    return m, text, page


def post_json(d, token, rows):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
    try:
        c.request("POST", "/v1/metrics", json.dumps(rows),
                  {"Content-Type": "application/json", "Authorization": "Bearer " + token})
        r = c.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        c.close()


def png_check(path):
    """A PNG that is not blank: its magic, a plausible size, and, once its
    image data is inflated, rows that differ (a single colour would give
    one kind of row)."""
    with open(path, "rb") as f:
        data = f.read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    check(len(data) > 10000, "PNG of %d bytes" % len(data))
    pos, idat, width, height, bpp = 8, b"", 0, 0, 4
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            bpp = {2: 3, 6: 4, 0: 1, 4: 2}.get(ctype, 4) * depth // 8
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = 1 + width * bpp
    check(width >= 500 and height >= 500 and len(raw) == stride * height,
          "PNG %dx%d" % (width, height))
    rows = {raw[i * stride:(i + 1) * stride] for i in range(0, height, 7)}
    check(len(rows) > 20, "the screenshot looks blank (%d kinds of row)" % len(rows))
    check(len(set(raw)) > 50, "too few distinct bytes: blank?")


def screenshot(htmls, workdir):
    """Every HTML page side by side in one document, rendered by one run of
    headless Chromium (its start is the slow part)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    check(browser is not None, "chromium is not installed (scripts/deps.sh lists it)")
    page = os.path.join(workdir, "all.html")
    with open(page, "w") as f:
        # Each message in its own frame, as a mail client shows it.
        f.write("<!DOCTYPE html><html><body style=\"margin:0\">")
        for i, h in enumerate(htmls):
            p = os.path.join(workdir, "m%d.html" % i)
            with open(p, "w") as g:
                g.write(h)
            f.write("<iframe src=\"m%d.html\" width=\"600\" height=\"1000\" "
                    "style=\"border:0;display:block\"></iframe>" % i)
        f.write("</body></html>")
    png = os.path.join(workdir, "shot.png")
    prof = os.path.join(workdir, "profile")
    cmd = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-extensions", "--hide-scrollbars", "--allow-file-access-from-files",
           "--user-data-dir=" + prof, "--screenshot=" + png,
           "--window-size=600,%d" % (1000 * len(htmls)), "file://" + page]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    check(r.returncode == 0 and os.path.exists(png),
          "chromium failed (%d): %s" % (r.returncode, r.stderr[-800:]))
    png_check(png)
    return png


def fake_sendmail(d, mode):
    out = os.path.join(d.dir, "sm-" + mode)
    os.makedirs(out)
    return out, {"name": "sm_" + mode.replace("-", "_"), "type": "sendmail",
                 "to": ["Chloé Dupont <cmo@acme.example>", "ops@acme.example"],
                 "command": [os.path.join(d.dir, "fake-sendmail"), out, mode]}


def test_email_everywhere():
    sinks = {n: Sink(refuse=1 if n == "flaky" else 0) for n in ("plain", "tls", "smtps", "flaky")}
    ports = {n: free_port() for n in sinks}
    to = ["Chloé Dupont <cmo@acme.example>", "ops@acme.example"]
    d = Daemon([], email_from="Agency <alerts@agency.example>",
               reply_to='"Desk, Account" <desk@agency.example>')
    ctls = []
    try:
        ca, ctx = make_ca(d.dir)
        ctls = [Controller(sinks["plain"], hostname="127.0.0.1", port=ports["plain"]),
                Controller(sinks["tls"], hostname="127.0.0.1", port=ports["tls"],
                           tls_context=ctx, require_starttls=True),
                Controller(sinks["smtps"], hostname="127.0.0.1", port=ports["smtps"],
                           ssl_context=ctx),
                Controller(sinks["flaky"], hostname="127.0.0.1", port=ports["flaky"])]
        for c in ctls:
            c.start()
        sm = os.path.join(d.dir, "fake-sendmail")
        with open(sm, "w") as f:
            f.write(FAKE_SENDMAIL)
        os.chmod(sm, stat.S_IRWXU)
        sm_out = {}
        rx = [{"name": "plain", "type": "smtp", "url": "smtp://127.0.0.1:%d" % ports["plain"],
               "starttls": "no", "to": to},
              {"name": "tls", "type": "smtp", "url": "smtp://127.0.0.1:%d" % ports["tls"],
               "starttls": "required", "ca_file": ca, "to": to},
              {"name": "smtps", "type": "smtp", "url": "smtps://127.0.0.1:%d" % ports["smtps"],
               "ca_file": ca, "to": to},
              {"name": "flaky", "type": "smtp", "url": "smtp://127.0.0.1:%d" % ports["flaky"],
               "starttls": "no", "to": to},
              {"name": "box", "type": "file", "dir": "mail/acme", "to": to}]
        for mode in ("ok", "tempfail-once", "fail"):
            sm_out[mode], r = fake_sendmail(d, mode)
            rx.append(r)
        d.clients = [client("acme", receivers=rx, name=NAME + " Boutique", target_roi="200%",
                            email_from=NAME + " <zoe@agency.example>")]
        d.write_config()
        r = d.cli("check-config")
        check("sendmail" in r.stdout and "fake-sendmail" in r.stdout, r.stdout)
        d.start()
        # A campaign name with CR/LF cannot even be stored.
        st, body = post_json(d, "acme-token-0123456789abcdef", [
            {"client": "acme", "campaign": "x\r\nBcc: evil@example.com", "channel": "meta",
             "date": "2026-11-20", "cost": 1, "revenue": 1}])
        check(st == 400 and "control character" in body, "CR/LF campaign: %d %s" % (st, body))
        d.drop("m.csv", DATA)

        wait_for(lambda: all(s.messages for s in sinks.values()), timeout=30,
                 what="a message at every SMTP peer")
        wait_for(lambda: len(outbox(d)) == len(rx) and
                 all(v[0] != "pending" for v in outbox(d).values()), timeout=30,
                 what="every outbox item done or dead: %r" % (outbox(d),))
        ob = outbox(d)
        keys = dict(d.query("select receiver, idem_key from outbox"))
        pages = []
        for n, s in sinks.items():
            env, tls = s.messages[0]
            check(len(s.messages) == 1, "%s: %d messages" % (n, len(s.messages)))
            check(env.mail_from == "zoe@agency.example", "%s: MAIL FROM %s" % (n, env.mail_from))
            check(env.rcpt_tos == ["cmo@acme.example", "ops@acme.example"],
                  "%s: RCPT TO %r" % (n, env.rcpt_tos))
            check(tls == (n in ("tls", "smtps")), "%s: TLS %r" % (n, tls))
            m, text, page = check_message(env.original_content, keys[n])
            pages.append(page)
            check(ob[n][0] == "done", "%s: %r" % (n, ob[n]))
        # 451, then accepted: the same message (Message-ID, boundary) again.
        check(ob["flaky"][1] == 2 and len(sinks["flaky"].tries) == 2, "flaky: %r" % (ob["flaky"],))
        first = email.message_from_bytes(sinks["flaky"].tries[0], policy=email.policy.default)
        check(first["Message-ID"] == email.message_from_bytes(
            sinks["flaky"].tries[1], policy=email.policy.default)["Message-ID"], "Message-ID changed")
        check(first.get_boundary() == email.message_from_bytes(
            sinks["flaky"].tries[1], policy=email.policy.default).get_boundary(), "boundary changed")
        with open(os.path.join(d.state, "mail/acme", os.listdir(os.path.join(d.state, "mail/acme"))[0]),
                  "rb") as f:
            check_message(f.read(), keys["box"])

        # sendmail: 0 delivered; 75 retried then delivered; 1 dead with its reason.
        check(ob["sm_ok"][:2] == ("done", 1), "sm_ok %r" % (ob["sm_ok"],))
        check(ob["sm_tempfail_once"][:2] == ("done", 2), "sm_tempfail_once %r" % (ob["sm_tempfail_once"],))
        check(ob["sm_fail"][:2] == ("dead", 1), "sm_fail %r" % (ob["sm_fail"],))
        check("exited with status 1: cmo@acme.example... User unknown" in ob["sm_fail"][2] and
              "second line" not in ob["sm_fail"][2] and "permanent" in ob["sm_fail"][2],
              "sm_fail reason %r" % ob["sm_fail"][2])
        check("exited with status 75: queue file write error, try later" in d.log(),
              "the 75 is logged:\n" + d.log()[-1500:])
        for mode, n in (("ok", 1), ("tempfail-once", 2), ("fail", 1)):
            got = sorted(os.listdir(sm_out[mode]))
            check(len(got) == n, "%s: %r" % (mode, got))
            with open(os.path.join(sm_out[mode], got[-1]), "rb") as f:
                check_message(f.read(), keys["sm_" + mode.replace("-", "_")], lf=True)
        d.stop()
        # roiwatch test-notify runs the program too, and says how it ended.
        r = d.cli("test-notify", "acme", "sm_ok")
        check("delivered" in r.stdout and len(os.listdir(sm_out["ok"])) == 2, r.stdout + r.stderr)
        r = d.cli("test-notify", "acme", "sm_fail", check_rc=False)
        check(r.returncode == 1 and "exited with status 1: cmo@acme.example... User unknown"
              in r.stderr, r.stdout + r.stderr)

        png = screenshot(pages[:1], d.dir)
        keep = os.environ.get("ROIWATCH_TEST_SCREENSHOT")
        if keep:
            shutil.copy(png, keep)
    finally:
        d.cleanup()
        for c in ctls:
            c.stop()


def sleep_killed(out):
    """Whether the `sleep` the fake program started (its child) is gone."""
    with open(os.path.join(out, "sleep.pid")) as f:
        pid = int(f.read())
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split()[2] == "Z"
    except FileNotFoundError:
        return True


def test_sendmail_timeout():
    """A program that hangs is killed with its process group on its timeout
    and the item retried, while the loop goes on; one still running when the
    daemon stops is killed too, and its item stays in the outbox."""
    d = Daemon([], retry_initial_secs=60, retry_max_secs=60)
    try:
        sm = os.path.join(d.dir, "fake-sendmail")
        with open(sm, "w") as f:
            f.write(FAKE_SENDMAIL)
        os.chmod(sm, stat.S_IRWXU)
        out, r = fake_sendmail(d, "hang")
        r["timeout_secs"] = 1
        out_long = os.path.join(d.dir, "sm-long")
        os.makedirs(out_long)
        long = dict(r, name="sm_long", timeout_secs=120,
                    command=[sm, out_long, "hang"])
        d.clients = [client("acme", receivers=[r, long], target_roi="200%")]
        d.write_config()
        d.start()
        d.drop("m.csv", DATA)
        t0 = time.monotonic()
        wait_for(lambda: outbox(d).get("sm_hang", ("", 0))[1] == 1, timeout=20,
                 what="a timed-out attempt")
        status, attempts, err = outbox(d)["sm_hang"]
        check(status == "pending" and "timed out after 1 s (killed)" in err, "%s %r" % (status, err))
        check(time.monotonic() - t0 < 10, "the timeout took %.1f s" % (time.monotonic() - t0))
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
        c.request("GET", "/healthz")
        check(c.getresponse().status == 200, "/healthz")
        c.close()
        wait_for(lambda: sleep_killed(out), timeout=5, what="the program's child killed with its group")
        check(os.path.exists(os.path.join(out_long, "sleep.pid")) and not sleep_killed(out_long),
              "the long one runs")
        # Stop now (a second signal): the running program is killed, its
        # item stays pending without an attempt.
        d.signal(signal.SIGTERM)
        wait_for(lambda: "stopping on signal" in d.log(), what="stopping")
        d.signal(signal.SIGTERM)
        d.stop(send=False)
        check(sleep_killed(out_long), "the long program's child survived the daemon")
        check(outbox(d)["sm_long"][:2] == ("pending", 0), "sm_long %r" % (outbox(d)["sm_long"],))
        check("interrupted by shutdown; kept in the outbox" in d.log(), d.log()[-1000:])
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_email_everywhere, test_sendmail_timeout])
