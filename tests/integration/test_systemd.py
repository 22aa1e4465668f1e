"""systemd integration: with $NOTIFY_SOCKET set, roiwatchd reports READY=1 once
it serves, STATUS= lines, RELOADING=1 (with MONOTONIC_USEC) then READY=1 on
SIGHUP, WATCHDOG=1 at half of $WATCHDOG_USEC, and STOPPING=1 on SIGTERM;
its log lines carry syslog priority prefixes. The unit file sets resource
limits that fit the daemon and keeps `systemd-analyze security` at or below
1.4."""
import os
import re
import shutil
import signal
import socket
import subprocess
import time

import harness
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


def unit_service_section(path):
    """The [Service] settings of a unit file: {key: [values...]}."""
    out, section = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
                continue
            if section == "[Service]" and "=" in line:
                k, v = line.split("=", 1)
                out.setdefault(k.strip(), []).append(v.strip())
    return out


def size_bytes(v):
    m = re.fullmatch(r"(\d+)([KMGT]?)", v)
    check(m, "a size in bytes (K, M, G, T): %r" % v)
    return int(m.group(1)) * 1024 ** "_KMGT".index(m.group(2) or "_")


def test_unit_limits_and_exposure():
    """MemoryMax, TasksMax and LimitNOFILE are set to values the daemon can
    live with (about 512 HTTP connections, 32 deliveries in flight, a
    threaded resolver), and systemd-analyze scores the unit at most 1.4."""
    # The unit CMake wrote from systemd/roiwatchd.service.in, beside the programs.
    unit = os.path.join(os.path.dirname(harness.ARGS.roiwatchd), "systemd", "roiwatchd.service")
    svc = unit_service_section(unit)
    for k in ("MemoryMax", "TasksMax", "LimitNOFILE"):
        check(k in svc, "%s missing from %s" % (k, unit))
    mem = size_bytes(svc["MemoryMax"][-1])
    check(64 * 1024 ** 2 <= mem <= 4 * 1024 ** 3,
          "MemoryMax %s: between 64M (peak RSS is ~26 MiB) and 4G" % svc["MemoryMax"][-1])
    if "MemoryHigh" in svc:
        check(size_bytes(svc["MemoryHigh"][-1]) < mem, "MemoryHigh under MemoryMax")
    tasks = svc["TasksMax"][-1]
    check(tasks.isdigit() and 40 <= int(tasks) <= 4096,
          "TasksMax %s: a number, room for 32 resolver threads" % tasks)
    nofile = svc["LimitNOFILE"][-1].split(":")
    check(all(n.isdigit() for n in nofile) and int(nofile[0]) >= 600,
          "LimitNOFILE %s: at least 512 HTTP connections + deliveries + files"
          % svc["LimitNOFILE"][-1])
    sa = shutil.which("systemd-analyze")
    check(sa is not None, "systemd-analyze not found (Debian package systemd)")
    r = subprocess.run([sa, "security", "--offline=true", "--no-pager", unit],
                       capture_output=True, text=True)
    out = r.stdout + r.stderr
    m = re.search(r"Overall exposure level for roiwatchd\.service: (\d+\.\d+)", out)
    check(m, "no exposure level in systemd-analyze's output:\n" + out[-2000:])
    check(float(m.group(1)) <= 1.4, "exposure %s above 1.4:\n%s" % (m.group(1), out))
    # The same bound through systemd-analyze's own --threshold (tenths).
    r = subprocess.run([sa, "security", "--offline=true", "--threshold=14", "--no-pager", unit],
                       capture_output=True, text=True)
    check(r.returncode == 0, "systemd-analyze --threshold=14 failed (%d)" % r.returncode)


if __name__ == "__main__":
    run([test_notify_protocol, test_no_systemd_is_fine, test_unit_limits_and_exposure])
