"""Chat receivers against a real HTTP server on 127.0.0.1: one receiver of
each type (slack, teams, discord, mattermost, googlechat) gets valid JSON of
its service's shape for a breach; a breach of 300 campaigns reaches Discord
as ordered parts marked (1/N)..(N/N), every campaign once, one attempt per
part; a server that fails part 2 once sees part 1 exactly once and part 2
again, byte for byte, after the backoff, then the rest (the retry resumes
where it stopped, as the outbox's parts_done says)."""
import http.client
import http.server
import json
import os
import re
import shutil
import threading
import time

import harness
from harness import CSV_HEADER, Daemon, check, client, run, wait_for

TYPES = ["slack", "teams", "discord", "mattermost", "googlechat"]


def breach(n):
    """n campaigns, each under its minimum ROI (cost 25 750, revenue 10 000)."""
    rows = "".join("acme,Campaign %03d,facebook,2026-11-20,25750,10000,50000,800,12\n" % i
                   for i in range(1, n + 1))
    return CSV_HEADER + rows


class ChatServer(http.server.ThreadingHTTPServer):
    """Records every POST (path, headers, body, status answered); fail(path,
    body, seen) says which status to answer (None: 204)."""

    def __init__(self, fail=None):
        self.requests = []
        self.fail = fail or (lambda path, body, seen: None)
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()

    def bodies(self, path, ok_only=True):
        with self.lock:
            return [b for p, _, b, st in self.requests if p == path and (st < 300 or not ok_only)]


class ChatHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        srv = self.server
        with srv.lock:
            status = srv.fail(self.path, body, srv.requests) or 204
            srv.requests.append((self.path, dict(self.headers), body, status))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def receivers(port, types, interval=0):
    """Chat receivers of the given types; interval: their min_interval_msecs
    (0 here, so that tests of formats and parts do not wait for the chat
    services' default pace, which test_parts_paced checks)."""
    return [{"name": t, "type": t, "url": "http://127.0.0.1:%d/%s" % (port, t),
             "min_interval_msecs": interval} for t in types]


def metrics(d):
    c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=5)
    try:
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
    finally:
        c.close()
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r'^roiwatch_delivery_attempts_total\{outcome="(\w+)"\} (\d+)$', text, re.M)}


def check_shape(kind, m):
    """The fields each service reads, with the values it requires."""
    if kind == "slack":
        check(isinstance(m["text"], str) and m["text"], "slack text: %r" % m)
        types = [b["type"] for b in m["blocks"]]
        check(types[0] == "header" and "section" in types and types[-1] == "context",
              "slack blocks %r" % types)
        fields = [f for b in m["blocks"] for f in b.get("fields", [])]
        check(fields and all(f["type"] == "mrkdwn" for f in fields), "slack fields %r" % fields)
    elif kind == "teams":
        check(m["type"] == "message", "teams %r" % m)
        a = m["attachments"][0]
        check(a["contentType"] == "application/vnd.microsoft.card.adaptive" and
              a["contentUrl"] is None, "teams attachment %r" % a)
        c = a["content"]
        check(c["type"] == "AdaptiveCard" and c["version"] == "1.4" and "$schema" in c,
              "teams card %r" % c)
        kinds = {b["type"] for b in c["body"]}
        check(kinds == {"TextBlock", "FactSet"}, "teams body %r" % kinds)
    elif kind == "discord":
        check(m["allowed_mentions"] == {"parse": []}, "discord mentions %r" % m)
        check(m["content"].startswith("**"), "discord content %r" % m["content"])
        ev = [e for e in m["embeds"] if "color" in e]
        check(ev and all(isinstance(e["color"], int) and e["fields"] for e in ev),
              "discord embeds %r" % m["embeds"])
    elif kind == "mattermost":
        check(m["text"].startswith("#### "), "mattermost text %r" % m["text"])
        check(all("fallback" in a for a in m["attachments"]), "mattermost %r" % m)
        check(any(a.get("fields") and a["color"].startswith("#") for a in m["attachments"]),
              "mattermost attachments %r" % m["attachments"])
    elif kind == "googlechat":
        check(set(m) == {"text", "cardsV2"}, "googlechat fields %r" % list(m))
        card = m["cardsV2"][0]
        check(set(card) == {"cardId", "card"} and set(card["card"]) == {"header", "sections"},
              "googlechat card %r" % card)
        widgets = [w for s in card["card"]["sections"] for w in s["widgets"]]
        check(any("decoratedText" in w for w in widgets), "googlechat widgets %r" % widgets)


def test_each_type():
    """One breach, five receivers: each gets one message of its shape;
    `roiwatch test-notify` sends one too."""
    srv = ChatServer()
    d = Daemon([client("acme", receivers=receivers(srv.port, TYPES))])
    try:
        d.start()
        d.drop("m.csv", breach(1))
        wait_for(lambda: d.query("select count(*) from outbox where status = 'done'") == [(5,)],
                 what="five notices delivered")
        for t in TYPES:
            bodies = srv.bodies("/" + t)
            check(len(bodies) == 1, "%s got %d messages" % (t, len(bodies)))
            m = json.loads(bodies[0])
            check_shape(t, m)
            check("Campaign 001" in bodies[0].decode(), "%s: the campaign is missing" % t)
        for _, h, _, _ in srv.requests:
            check(h.get("Content-Type", "").startswith("application/json"), "headers %r" % h)
        check(d.query("select sum(attempts) from outbox") == [(5,)], "attempts")
        d.stop()
        # test-notify sends each type's example notice, in its shape.
        for t in TYPES:
            r = d.cli("test-notify", "acme", t)
            check("delivered" in r.stdout, r.stdout + r.stderr)
            bodies = srv.bodies("/" + t)
            check(len(bodies) == 2, "%s: test-notify sent %d" % (t, len(bodies) - 1))
            check_shape(t, json.loads(bodies[1]))
    finally:
        d.cleanup()
        srv.close()


def marks(bodies):
    """The (i, N) marks of Discord parts, in arrival order. A notice that
    fits one message has none: (1, 1). (The evaluation may judge the
    campaigns of one file in several slices, so a small notice can follow
    a long one.)"""
    out = []
    for b in bodies:
        content = json.loads(b)["content"]
        m = re.search(r"\((\d+)/(\d+)\)\*\*", content)
        if m is None:
            check(content.startswith("**\\[roiwatch\\]"), "no mark in %r" % content[:200])
            out.append((1, 1))
            continue
        out.append((int(m.group(1)), int(m.group(2))))
    return out


def campaigns(bodies):
    names = []
    for b in bodies:
        for e in json.loads(b)["embeds"]:
            m = re.search(r"Campaign (\d{3})", e.get("title", "") + e.get("description", ""))
            if m:
                names.append(int(m.group(1)))
    return names


def runs(got):
    """Arrival marks cut into notices: each a run (1/N)..(N/N)."""
    out, i = [], 0
    while i < len(got):
        n = got[i][1]
        check(got[i:i + n] == [(k, n) for k in range(1, n + 1)], "marks %r at %d" % (got, i))
        out.append(n)
        i += n
    return out


def test_300_campaigns_in_parts():
    """300 campaigns: Discord gets each notice (the evaluation may group
    them in more than one) as N > 1 parts in order, one notice after the
    other, every campaign once; each part is one attempt, in the rows and
    in /metrics."""
    srv = ChatServer()
    d = Daemon([client("acme", receivers=receivers(srv.port, ["discord"]))])
    try:
        d.start()
        d.drop("m.csv", breach(300))
        wait_for(lambda: len(campaigns(srv.bodies("/discord"))) >= 300 and
                 d.query("select count(*) from outbox where status != 'done'") == [(0,)],
                 timeout=30, what="every notice delivered")
        bodies = srv.bodies("/discord")
        parts = runs(marks(bodies))
        check(max(parts) > 1, "one message per notice: %r" % parts)
        rows = d.query("select attempts from outbox order by id")
        check(sorted(parts) == sorted(a for a, in rows), "parts %r, rows %r" % (parts, rows))
        seen = campaigns(bodies)
        check(sorted(seen) == list(range(1, 301)), "campaigns %r" % seen)
        for b in bodies:
            m = json.loads(b)
            check(len(m["content"]) <= 2000 and len(m["embeds"]) <= 10, "limits")
        n = len(bodies)
        check(metrics(d) == {"delivered": n, "retry": 0, "dead": 0}, "/metrics %r" % metrics(d))
        check("delivered part 1/%d of notice" % parts[0] in d.log(), d.log())
        d.stop()
    finally:
        d.cleanup()
        srv.close()


def test_parts_paced():
    """A rate-limited receiver gets the parts of a long message no closer
    together than its interval, in order, each once."""
    srv = ChatServer()
    times = []
    real_fail = srv.fail

    def stamp(path, body, seen):
        times.append(time.monotonic())
        return real_fail(path, body, seen)
    srv.fail = stamp
    d = Daemon([client("acme", receivers=receivers(srv.port, ["discord"], interval=300))])
    try:
        d.start()
        d.drop("m.csv", breach(150))
        wait_for(lambda: len(srv.bodies("/discord")) >= 2 and
                 d.query("select count(*) from outbox where status != 'done'") == [(0,)],
                 timeout=30, what="every part delivered")
        bodies = srv.bodies("/discord")
        check(len(bodies) >= 3, "only %d messages" % len(bodies))
        # The daemon spaces the starts of the requests; an arrival may be
        # late by the time one request takes in flight (more under
        # sanitizers), so each gap is allowed some of it, the whole run
        # only a little.
        gaps = [b - a for a, b in zip(times, times[1:])]
        check(min(gaps) >= 0.15, "parts closer than the interval: %r" % gaps)
        check(times[-1] - times[0] >= 0.3 * (len(times) - 1) - 0.1,
              "%d parts in %.3f s: not paced at 300 ms" % (len(times), times[-1] - times[0]))
        check(sorted(campaigns(bodies)) == list(range(1, 151)), "campaigns once each")
        d.stop()
    finally:
        d.cleanup()
        srv.close()


def test_retry_resumes_at_failed_part():
    """Part 2 fails once (500): part 1 is never sent again; part 2 comes
    again, the same bytes, then the rest once each."""
    def fail(path, body, seen):
        if b"(2/" in body and not any(b"(2/" in r[2] for r in seen):
            return 500
        return None

    srv = ChatServer(fail)
    # A grouping wait keeps the 25 campaigns in one notice even when the
    # evaluation judges them in more than one slice.
    d = Daemon([client("acme", receivers=receivers(srv.port, ["discord"]),
                       group_wait_secs=2)])
    try:
        d.start()
        # 25 campaigns: one notice, 3 parts.
        d.drop("m.csv", breach(25))
        wait_for(lambda: d.query("select status from outbox") == [("done",)], timeout=30,
                 what="the notice delivered (one notice)")
        everything = srv.bodies("/discord", ok_only=False)
        got = marks(everything)
        n = got[0][1]
        check(n >= 3, "only %d parts" % n)
        want = [(1, n), (2, n), (2, n)] + [(i, n) for i in range(3, n + 1)]
        check(got == want, "arrivals %r, want %r" % (got, want))
        check(everything[1] == everything[2], "part 2 differs on its retry")
        ok = srv.bodies("/discord")
        check(campaigns(ok) == list(range(1, 26)), "campaigns %r" % campaigns(ok))
        check(d.query("select attempts, parts_done from outbox") == [(n + 1, n - 1)],
              "row %r" % d.query("select attempts, parts_done from outbox"))
        check(metrics(d) == {"delivered": n, "retry": 1, "dead": 0}, "/metrics %r" % metrics(d))
        log = d.log()
        check("resuming at part 2/%d" % n in log, log)
        d.stop()
    finally:
        d.cleanup()
        srv.close()


def test_resume_after_restart():
    """Part 2 refused (503) until the daemon is restarted: the new daemon
    sends part 2 onwards, never part 1 again (Slack: 25 campaigns take
    more than 50 blocks)."""
    state = {"down": True}

    def fail(path, body, seen):
        return 503 if state["down"] and b"(2/" in body else None

    srv = ChatServer(fail)
    d = Daemon([client("acme", receivers=receivers(srv.port, ["slack"]))])
    try:
        d.start()
        d.drop("m.csv", breach(25))
        wait_for(lambda: d.query("select parts_done, attempts >= 3 from outbox") == [(1, 1)],
                 what="part 1 delivered, part 2 refused twice")
        d.stop()
        state["down"] = False
        d.start()
        wait_for(lambda: d.query("select status from outbox") == [("done",)],
                 what="the rest delivered after the restart")
        texts = [json.loads(b)["text"] for b in srv.bodies("/slack")]
        n = len(texts)
        check(n >= 2, "one part only")
        for i, t in enumerate(texts):
            check(t.endswith("(%d/%d)" % (i + 1, n)), "arrivals %r" % texts)
        check("resuming at part 2/%d" % n in d.log(), d.log())
        d.stop()
    finally:
        d.cleanup()
        srv.close()


def test_check_config():
    """Chat receivers take url (https, or http to loopback), ca_file,
    timeout_secs, max_in_flight; http:// elsewhere is refused unless
    allow_insecure; options of other types are refused."""
    d = Daemon([client("acme")])
    try:
        for t in TYPES:
            d.clients[0]["receivers"] = [{"name": "c", "type": t,
                                          "url": "http://192.0.2.10/hook"}]
            d.write_config()
            r = d.cli("check-config", check_rc=False)
            check(r.returncode != 0 and "allow_insecure" in r.stderr and "192.0.2.10" in r.stderr,
                  "%s: %s" % (t, r.stderr))
            d.clients[0]["receivers"] = [{"name": "c", "type": t,
                                          "url": "https://hooks.example/x", "timeout_secs": 5,
                                          "max_in_flight": 2}]
            d.write_config()
            r = d.cli("check-config", check_rc=False)
            check(r.returncode == 0, "%s refused: %s" % (t, r.stderr))
            d.clients[0]["receivers"] = [{"name": "c", "type": t,
                                          "url": "https://hooks.example/x", "to": ["a@b.example"]}]
            d.write_config()
            r = d.cli("check-config", check_rc=False)
            check(r.returncode != 0 and "not used by %s receivers" % t in r.stderr, r.stderr)
            d.clients[0]["receivers"] = [{"name": "c", "type": t}]
            d.write_config()
            r = d.cli("check-config", check_rc=False)
            check(r.returncode != 0 and "required for %s receivers" % t in r.stderr, r.stderr)
        r = d.cli("check-config", "--options")
        for t in TYPES:
            check(t in r.stdout, "--options lacks %s" % t)
        # The example in conf/examples is a valid client file.
        shutil.copy(os.path.join(harness.ARGS.source_dir, "conf", "examples", "chat-receivers.conf"),
                    os.path.join(d.conf, "clients.d", "initech.conf"))
        with open(os.path.join(d.conf, "tokens", "initech.token"), "w") as f:
            f.write("initech-token-0123456789abcdef\n")
        d.clients[0]["receivers"] = [{"name": "mailbox", "type": "file", "dir": "mail/acme"}]
        d.write_config()
        r = d.cli("check-config", check_rc=False)
        check(r.returncode == 0, "the example is refused: %s" % r.stderr)
        for t in TYPES:
            check("receiver %s: %s" % (t, t) in r.stdout, r.stdout)
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_each_type, test_300_campaigns_in_parts, test_parts_paced, test_retry_resumes_at_failed_part,
         test_resume_after_restart, test_check_config])
