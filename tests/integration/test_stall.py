"""The loop never stalls while every campaign is judged: with 40 000 stored
campaigns, READY=1 comes at once and /healthz keeps answering quickly during
the start-up sweep and the one after SIGHUP (judging runs in 20 ms slices).
Before, the whole store was judged in one go right after READY=1 (31-33 s
with 268 000 campaigns)."""
import http.client
import os
import signal
import socket
import threading
import time

from harness import Daemon, check, client, run, wait_for

N = 40000
LONGEST = 0.4           # seconds; a slice is 20 ms, a whole sweep far more


class Prober(threading.Thread):
    def __init__(self, port):
        super().__init__(daemon=True)
        self.port, self.lat, self.stop = port, [], threading.Event()

    def run(self):
        while not self.stop.is_set():
            t0 = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                c.request("GET", "/healthz")
                c.getresponse().read()
                c.close()
                self.lat.append(time.monotonic() - t0)
            except OSError:
                time.sleep(0.01)
            time.sleep(0.005)


def probe_until(d, start, what):
    pr = Prober(d.port)
    pr.start()
    try:
        wait_for(lambda: "every stored campaign judged" in d.log()[start:], timeout=240,
                 what=what)
    finally:
        pr.stop.set()
        pr.join()
    return pr.lat


def test_sweeps_in_slices():
    d = Daemon([client("acme", minimum_spend="0", minimum_roi="-100%")])
    try:
        path = os.path.join(d.dir, "many.csv")
        with open(path, "w") as f:
            f.write("client,campaign,date,cost,revenue\n")
            for i in range(N):
                f.write("acme,c%06d,2026-11-01,10,25\n" % i)
        d.cli("ingest", path)
        sock_path = os.path.join(d.dir, "notify.sock")
        ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        ns.bind(sock_path)
        ns.settimeout(30)
        t0 = time.monotonic()
        start = 0               # a new log
        d.start(env={"NOTIFY_SOCKET": sock_path})
        while "READY=1" not in ns.recv(4096).decode():
            pass
        ready = time.monotonic() - t0
        check(ready < 2.0, "READY=1 after %.2f s" % ready)
        # A backfill during the sweep gets its turn between two slices (the
        # daemon's slices come back to back otherwise, and SQLite's lock is
        # not fair: it waited for the whole sweep).
        small = os.path.join(d.dir, "small.csv")
        with open(small, "w") as f:
            f.write("client,campaign,date,cost,revenue\nacme,late,2026-11-02,10,25\n")
        swept = "every stored campaign judged" in d.log()[start:]
        t1 = time.monotonic()
        d.cli("ingest", small)
        cli_secs = time.monotonic() - t1
        check(swept or cli_secs < 1.5,
              "roiwatch ingest waited %.2f s during the sweep" % cli_secs)
        lat = probe_until(d, start, "the start-up sweep")
        check(lat, "no probe answered during the sweep")
        check(max(lat) < LONGEST, "a probe waited %.3f s during the start-up sweep" % max(lat))
        start = len(d.log())
        d.signal(signal.SIGHUP)
        lat = probe_until(d, start, "the sweep after SIGHUP")
        check(max(lat) < LONGEST, "a probe waited %.3f s during the reload sweep" % max(lat))
        ns.close()
        d.stop()
    finally:
        d.cleanup()


if __name__ == "__main__":
    run([test_sweeps_in_slices])
