"""HTTP limits against the running daemon: a trickling client closed by the
request deadline, the connection caps answering 503 at once (never a hang),
large bodies with a wrong token refused from their head with the memory held
bounded, and a signed request's replay refused after a restart."""
import hashlib
import hmac
import http.client
import json
import os
import resource
import socket
import threading
import time

from harness import Daemon, check, client, run, wait_for

SECRET = "globex-signing-secret-0123456789"


def post(port, body, token, extra=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        h = {"Content-Type": "application/json", "Authorization": "Bearer " + token}
        h.update(extra or {})
        c.request("POST", "/v1/metrics", body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return r.status, data, dict(r.getheaders())
    finally:
        c.close()


def metrics(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
    finally:
        c.close()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            out[k] = float(v)
    return out


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def row(cid, revenue):
    return json.dumps({"client": cid, "campaign": "Search", "channel": "google_ads",
                       "date": "2026-11-20", "cost": "100.00", "revenue": revenue}).encode()


def test_trickle_closed_by_deadline():
    acme = client("acme")
    d = Daemon([acme], http_request_timeout_secs=2, http_idle_timeout_secs=30)
    try:
        d.start()
        s = socket.create_connection(("127.0.0.1", d.port))
        s.settimeout(0.2)
        head = b"POST /v1/metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10\r\n\r\n"
        t0 = time.monotonic()
        got = b""
        i = 0
        while time.monotonic() - t0 < 8:
            try:
                if i < len(head):
                    s.send(head[i:i + 1])
                    i += 1
            except OSError:
                break
            try:
                chunk = s.recv(4096)
                if not chunk:
                    break
                got += chunk
            except socket.timeout:
                pass
            except OSError:
                break
        elapsed = time.monotonic() - t0
        s.close()
        check(1.5 < elapsed < 4.5, "trickling connection closed after %.1fs" % elapsed)
        check(got.startswith(b"HTTP/1.1 408"), "answer %r" % got[:40])
        m = metrics(d.port)
        check(m["roiwatch_http_deadline_closes_total"] == 1, "deadline closes %r" % m)
        d.stop()
    finally:
        d.cleanup()


def test_connection_cap_answers_at_once():
    """Hundreds of connections from one address, each with half a head: with
    the default caps (32 per peer) the daemon's descriptors stay few (it runs
    with 256 here, which uncapped slow clients exhaust: the inbox and the
    database then fail too) and a legitimate POST is answered at once, 503 +
    Retry-After while the slow ones hold their 32, 202 once they left."""
    acme = client("acme")
    d = Daemon([acme])
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))
        try:
            d.start()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
        slow = []
        for _ in range(400):
            s = socket.create_connection(("127.0.0.1", d.port))
            try:
                s.send(b"POST /v1/metrics HTTP/1.1\r\n")
            except OSError:
                pass
            slow.append(s)
        time.sleep(0.3)
        fds = len(os.listdir("/proc/%d/fd" % d.proc.pid))
        print("  %d descriptors open in the daemon with 400 slow clients" % fds)
        check(fds < 150, "%d descriptors open with 400 slow clients" % fds)
        check("Too many open files" not in d.log(), "descriptors ran out:\n" + d.log()[-500:])
        t0 = time.monotonic()
        st, data, hdrs = post(d.port, row("acme", "500.00"), acme["token"])
        elapsed = time.monotonic() - t0
        print("  legit POST: %d in %.3fs" % (st, elapsed))
        check(st == 202 or (st == 503 and hdrs.get("Retry-After") == "1"),
              "legit POST: %r %r" % (st, data))
        check(elapsed < 2.0, "legit POST answered after %.1fs" % elapsed)
        for s in slow:
            s.close()
        wait_for(lambda: metrics(d.port)["roiwatch_http_connections"] == 1,
                 what="the slow connections to be closed")
        t0 = time.monotonic()
        st, data, _ = post(d.port, row("acme", "500.00"), acme["token"])
        check(st == 202, "legit POST after: %r %r" % (st, data))
        check(time.monotonic() - t0 < 2.0, "legit POST slow")
        m = metrics(d.port)
        refused = m['roiwatch_http_refused_total{limit="max_connections_per_peer"}']
        check(refused >= 300, "refused connections counted: %r" % refused)
        d.stop()
    finally:
        d.cleanup()


def test_wrong_token_bodies_not_buffered():
    acme = client("acme")
    d = Daemon([acme], http_max_body_bytes="8MiB", http_max_connections_per_peer=64)
    try:
        # A sanitizer build keeps freed memory in quarantine (256 MiB by
        # default): keep it small, so that RSS shows the memory held.
        asan = os.environ.get("ASAN_OPTIONS", "")
        d.start(env={"ASAN_OPTIONS": (asan + ":" if asan else "") + "quarantine_size_mb=4"})
        pid = d.proc.pid
        before = rss_kib(pid)
        body = b"x" * (8 * 1024 * 1024)
        results = []
        lock = threading.Lock()

        def attack():
            s = socket.create_connection(("127.0.0.1", d.port))
            s.settimeout(10)
            try:
                s.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\n"
                          b"Authorization: Bearer not-the-token-0123456789\r\n"
                          b"Content-Type: text/csv\r\nContent-Length: %d\r\n\r\n" % len(body))
                try:
                    s.sendall(body)
                except OSError:
                    pass
                got = b""
                while True:
                    try:
                        chunk = s.recv(4096)
                    except OSError:
                        break
                    if not chunk:
                        break
                    got += chunk
            finally:
                s.close()
            with lock:
                results.append(got[:12])

        threads = [threading.Thread(target=attack) for _ in range(40)]
        peak = [before]

        def watch():
            while any(t.is_alive() for t in threads):
                peak[0] = max(peak[0], rss_kib(pid))
                time.sleep(0.01)

        for t in threads:
            t.start()
        w = threading.Thread(target=watch)
        w.start()
        for t in threads:
            t.join(30)
        w.join(30)
        grown = (peak[0] - before) / 1024.0
        print("  RSS %d KiB before, peak %d KiB (+%.1f MiB) for 40 x 8 MiB bodies"
              % (before, peak[0], grown))
        check(len(results) == 40 and all(r.startswith(b"HTTP/1.1 401") for r in results),
              "answers %r" % results)
        check(grown < 32, "RSS grew by %.1f MiB" % grown)
        st, _, _ = post(d.port, row("acme", "500.00"), acme["token"])
        check(st == 202, "legit POST after: %r" % st)
        d.stop()
    finally:
        d.cleanup()


def test_replay_refused_after_restart():
    globex = client("globex")
    d = Daemon([globex])
    path = os.path.join(d.conf, "tokens", "globex.hmac")
    with open(path, "w") as f:
        f.write(SECRET + "\n")
    d.clients[0]["hmac_secret_file"] = path
    d.write_config()
    try:
        d.start()

        def signed(body):
            ts = str(int(time.time()))
            mac = hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            return {"X-Roiwatch-Timestamp": ts, "X-Roiwatch-Signature": "sha256=" + mac}

        old = row("globex", "500.00")
        old_sig = signed(old)
        st, data, _ = post(d.port, old, globex["token"], old_sig)
        check(st == 202, "first: %r %r" % (st, data))
        new = row("globex", "900.00")
        st, data, _ = post(d.port, new, globex["token"], signed(new))
        check(st == 202, "second: %r %r" % (st, data))
        d.stop()
        d.start()
        st, data, _ = post(d.port, old, globex["token"], old_sig)
        check(st == 409 and b"replayed" in data, "replay after restart: %r %r" % (st, data))
        rev = d.query("SELECT revenue FROM metrics WHERE client = 'globex'")
        check(rev == [(900000000,)], "revenue after the replay: %r" % rev)
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_trickle_closed_by_deadline, test_connection_cap_answers_at_once,
         test_wrong_token_bodies_not_buffered, test_replay_refused_after_restart])
