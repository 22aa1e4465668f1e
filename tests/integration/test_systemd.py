"""systemd integration: with $NOTIFY_SOCKET set, roiwatchd reports READY=1 once
it serves, STATUS= lines, RELOADING=1 (with MONOTONIC_USEC) then READY=1 on
SIGHUP, WATCHDOG=1 at half of $WATCHDOG_USEC, and STOPPING=1 on SIGTERM;
its log lines carry syslog priority prefixes."""
import os
import re
import signal
import socket
import time

from harness import Daemon, check, client, run, wait_for


class NotifySocket:
    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.settimeout(0.05)
        self.messages = []

    def drain(self):
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                return self.messages

    def seen(self, prefix):
        return [m for m in self.drain() if m.startswith(prefix)]

    def close(self):
        self.sock.close()


def test_notify_protocol():
    d = Daemon([client("acme")])
    ns = NotifySocket(os.path.join(d.dir, "notify.sock"))
    try:
        d.start(env={"NOTIFY_SOCKET": ns.path, "WATCHDOG_USEC": "400000"})
        wait_for(lambda: ns.seen("READY=1"), what="READY=1")
        # READY only once the HTTP listener answers.
        import urllib.request
        urllib.request.urlopen("http://127.0.0.1:%d/healthz" % d.port, timeout=5).read()
        check(any(m.startswith("STATUS=") for m in ns.drain()), "a STATUS= line: %r" % ns.messages)
        wait_for(lambda: len(ns.seen("WATCHDOG=1")) >= 3, timeout=5, what="watchdog pings")
        t0 = time.monotonic()
        n0 = len(ns.seen("WATCHDOG=1"))
        time.sleep(1.0)
        pings = len(ns.seen("WATCHDOG=1")) - n0
        check(3 <= pings <= 8, "about 5 pings per second at WATCHDOG_USEC=400000, got %d" % pings)

        before = len(ns.seen("READY=1"))
        d.signal(signal.SIGHUP)
        wait_for(lambda: ns.seen("RELOADING=1"), what="RELOADING=1")
        check(re.search(r"MONOTONIC_USEC=\d+", ns.seen("RELOADING=1")[0]),
              "RELOADING carries MONOTONIC_USEC: %r" % ns.seen("RELOADING=1"))
        wait_for(lambda: len(ns.seen("READY=1")) > before, what="READY=1 after reload")
        d.stop()
        check(ns.seen("STOPPING=1"), "STOPPING=1 on SIGTERM: %r" % ns.messages)
        log = d.log()
        check(re.search(r"^<6>roiwatchd: started", log, re.M), "priority prefix on info:\n" + log)
        check(re.search(r"^<7>", log, re.M), "debug lines with -d carry <7>:\n" + log)
    finally:
        ns.close()
        d.cleanup()


def test_no_systemd_is_fine():
    """Outside systemd (no $NOTIFY_SOCKET) the daemon runs and stops as usual."""
    d = Daemon([client("acme")])
    try:
        env = {"NOTIFY_SOCKET": "", "WATCHDOG_USEC": ""}
        d.start(env=env)
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_notify_protocol, test_no_systemd_is_fine])
