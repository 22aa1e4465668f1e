"""Integration test harness: the real roiwatchd and real peers on 127.0.0.1.

Each test script builds a private directory with a configuration, starts the
daemon on it, talks to it through its inbox, HTTP listener and receivers, and
stops it. Peers: an SMTP server (aiosmtpd, Debian's python3-aiosmtpd) and HTTP
receivers that record what they got and can be told to fail first.
"""
import argparse
import email
import email.policy
import http.server
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

ARGS = None


def parse_args():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--roiwatchd", required=True)
    p.add_argument("--roiwatch", required=True)
    p.add_argument("--source-dir", required=True)
    ARGS = p.parse_args()
    return ARGS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=15.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


class Daemon:
    """A roiwatchd with its own configuration and state in a temporary directory."""

    def __init__(self, clients, **main_opts):
        self.dir = tempfile.mkdtemp(prefix="roiwatch-it-")
        self.state = os.path.join(self.dir, "state")
        self.inbox = os.path.join(self.dir, "inbox")
        self.conf = os.path.join(self.dir, "conf")
        self.port = free_port()
        os.makedirs(os.path.join(self.conf, "clients.d"))
        os.makedirs(os.path.join(self.conf, "tokens"))
        self.main = {
            "state_dir": self.state,
            "inbox_dir": self.inbox,
            "clients_dir": "clients.d",
            "listen_addr": "127.0.0.1",
            "listen_port": self.port,
            "inbox_rescan_secs": 1,
            "evaluate_secs": 1,
            "retry_initial_secs": 1,
            "retry_max_secs": 2,
            "delivery_timeout_secs": 5,
        }
        self.main.update(main_opts)
        self.clients = clients
        self.write_config()
        self.proc = None
        self.log_path = os.path.join(self.dir, "roiwatchd.log")
        self.log_file = None

    def write_config(self):
        with open(os.path.join(self.conf, "roiwatchd.conf"), "w") as f:
            f.write("// written by the integration test\n")
            json.dump(self.main, f, indent=2)
        for c in self.clients:
            c = dict(c)
            token = c.pop("token", None)
            if token is not None:
                tf = os.path.join(self.conf, "tokens", c["id"] + ".token")
                with open(tf, "w") as f:
                    f.write(token + "\n")
                c["token_file"] = tf
            with open(os.path.join(self.conf, "clients.d", c["id"] + ".conf"), "w") as f:
                json.dump(c, f, indent=2)

    def start(self, env=None):
        self.log_file = open(self.log_path, "a")
        start_offset = os.path.getsize(self.log_path)
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [ARGS.roiwatchd, "-d", "-c", os.path.join(self.conf, "roiwatchd.conf")],
            stderr=self.log_file, stdout=self.log_file, env=full_env)
        wait_for(lambda: "started:" in self.log()[start_offset:] or self.proc.poll() is not None,
                 what="roiwatchd to start")
        check(self.proc.poll() is None, "roiwatchd exited at start:\n" + self.log())

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, send=True):
        """SIGTERM (unless send is False: a signal was sent already), then wait
        for a clean exit."""
        if self.proc is None:
            return 0
        if send:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
            raise AssertionError("roiwatchd did not stop on SIGTERM")
        self.proc = None
        self.log_file.close()
        check(rc == 0, "roiwatchd exited with %d:\n%s" % (rc, self.log()))
        return rc

    def drop(self, name, content):
        """Write a file into the inbox the safe way: temporary name, then rename."""
        tmp = os.path.join(self.inbox, "." + name + ".tmp")
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(tmp, mode) as f:
            f.write(content)
        os.rename(tmp, os.path.join(self.inbox, name))

    def done(self, name):
        return os.path.exists(os.path.join(self.inbox, "done", name))

    def failed(self, name):
        return os.path.exists(os.path.join(self.inbox, "failed", name))

    def db(self):
        con = sqlite3.connect(os.path.join(self.state, "roiwatch.db"), timeout=10)
        return con

    def query(self, sql, *params):
        con = self.db()
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def messages(self, subdir):
        """Messages a file receiver wrote, parsed, sorted by file name."""
        d = os.path.join(self.state, subdir)
        if not os.path.isdir(d):
            return []
        out = []
        for n in sorted(os.listdir(d)):
            if n.endswith(".eml"):
                with open(os.path.join(d, n), "rb") as f:
                    out.append(email.message_from_bytes(f.read(), policy=email.policy.default))
        return out

    def cli(self, *args, check_rc=True):
        r = subprocess.run([ARGS.roiwatch, "-c", os.path.join(self.conf, "roiwatchd.conf")] + list(args),
                           capture_output=True, text=True)
        if check_rc and r.returncode != 0:
            raise AssertionError("roiwatch %s failed (%d): %s%s" % (args, r.returncode, r.stdout, r.stderr))
        return r

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def client(cid="acme", receivers=None, **kw):
    c = {
        "id": cid,
        "name": cid.capitalize() + " Ltd",
        "currency": "EUR",
        "timezone": "Europe/Paris",
        "language": "en",
        "minimum_roi": "2.5:1",
        "target_roi": "300%",
        "minimum_spend": "100",
        "token": cid + "-token-0123456789abcdef",
        "receivers": receivers or [{"name": "mailbox", "type": "file", "dir": "mail/" + cid}],
    }
    c.update(kw)
    return c


CSV_HEADER = "client,campaign,channel,date,cost,revenue,impressions,clicks,conversions\n"


class Recorder(http.server.ThreadingHTTPServer):
    """HTTP receiver on 127.0.0.1 that records requests and fails the first `fail_first`."""

    def __init__(self, fail_first=0, status=200, delay=0.0):
        self.requests = []
        self.delay = delay
        self.fail_first = fail_first
        self.ok_status = status
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), RecorderHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.server_address[1]

    def close(self):
        self.shutdown()
        self.server_close()


class RecorderHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        srv = self.server
        with srv.lock:
            srv.requests.append((dict(self.headers), body))
            fail = len(srv.requests) <= srv.fail_first
        if srv.delay:
            time.sleep(srv.delay)
        self.send_response(500 if fail else srv.ok_status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def run(tests):
    """Run test functions, print a result line each and a closing summary."""
    parse_args()
    failed = 0
    for t in tests:
        t0 = time.monotonic()
        try:
            t()
            print("PASS %s (%.1fs)" % (t.__name__, time.monotonic() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s: %s" % (t.__name__, e), flush=True)
            import traceback
            traceback.print_exc()
    print("%d/%d passed" % (len(tests) - failed, len(tests)))
    sys.exit(1 if failed else 0)
