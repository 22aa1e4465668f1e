"""A 2xx means the rows are on disk, not only in the page cache: every
acknowledged webhook was preceded by an fsync of the database's write-ahead
log (synchronous=FULL), seen from outside with strace. Before, with
synchronous=NORMAL, 50 acknowledged commits made no fsync at all."""
import http.client
import json
import os
import re
import shutil
import signal
import stat

import harness
from harness import Daemon, check, client, run

N = 20


def test_ack_after_fsync():
    strace = shutil.which("strace")
    check(strace is not None, "strace is missing (scripts/deps.sh installs it)")
    d = Daemon([client("acme")])
    trace = os.path.join(d.dir, "trace.txt")
    wrapper = os.path.join(d.dir, "roiwatchd-traced")
    with open(wrapper, "w") as f:
        # -y names each descriptor's file; the writes to the peer show when
        # each answer left (after the fsync of its commit).
        # LeakSanitizer cannot run under a tracer: leaks are the other
        # tests' business (the sanitizer build runs them all).
        f.write("#!/bin/sh\nASAN_OPTIONS=\"${ASAN_OPTIONS:-}:detect_leaks=0\"\n"
                "export ASAN_OPTIONS\nexec %s -f -y -o %s -e trace=fsync,fdatasync,writev,write,sendmsg,sendto -s 64 "
                "%s \"$@\"\n" % (strace, trace, harness.ARGS.roiwatchd))
    os.chmod(wrapper, stat.S_IRWXU)
    real = harness.ARGS.roiwatchd
    harness.ARGS.roiwatchd = wrapper
    try:
        d.start()
        token = d.clients[0]["token"]
        for i in range(N):
            c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=10)
            body = json.dumps([{"client": "acme", "campaign": "c%d" % i, "date": "2026-11-01",
                                "cost": "10", "revenue": "30"}])
            c.request("POST", "/v1/metrics", body, {"Authorization": "Bearer " + token,
                                                    "Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            check(r.status == 202, "POST %d: %d" % (i, r.status))
            c.close()
        # The daemon is strace's child: stop it, then strace ends.
        tid = d.proc.pid
        with open("/proc/%d/task/%d/children" % (tid, tid)) as f:
            os.kill(int(f.read().split()[0]), signal.SIGTERM)
        check(d.proc.wait(timeout=30) == 0, "roiwatchd exited badly:\n" + d.log())
        d.proc = None
        with open(trace) as f:
            lines = f.read().splitlines()
        # Each 202 (written to a TCP socket) must come after a WAL sync that
        # came after the previous 202: one fsync per acknowledged commit.
        acked = synced = 0
        pending_sync = False
        for l in lines:
            if re.search(r"(fsync|fdatasync)\(\d+<[^>]*roiwatch\.db-wal>", l):
                pending_sync = True
                synced += 1
            elif re.search(r"(write|writev|sendmsg|sendto)\(\d+<(TCP|socket):", l) and "202 Accepted" in l:
                check(pending_sync, "a 202 left before its commit was synced:\n" + l)
                pending_sync = False
                acked += 1
        check(acked == N, "saw %d of %d answers in the trace" % (acked, N))
        check(synced >= N, "%d WAL syncs for %d acknowledged commits" % (synced, N))
    finally:
        harness.ARGS.roiwatchd = real
        d.cleanup()


if __name__ == "__main__":
    run([test_ack_after_fsync])
