"""A service manager that does not read its notification socket never blocks
the daemon: with the socket's queue full, READY=1, RELOADING=1 and STATUS=
are dropped (logged at debug level) and /healthz keeps answering. Before,
sendto() blocked and held the whole loop."""
import http.client
import os
import signal
import socket
import time

from harness import Daemon, check, client, run, wait_for


def healthz(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", "/healthz")
        return c.getresponse().status
    finally:
        c.close()


def test_full_notify_socket_does_not_block():
    d = Daemon([client("acme")])
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        ns.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1)   # the minimum
        path = os.path.join(d.dir, "notify.sock")
        ns.bind(path)
        d.start(env={"NOTIFY_SOCKET": path})
        # Each reload sends RELOADING=1, READY=1 and a STATUS= line; nobody
        # reads them, so the queue is full after a few.
        for i in range(30):
            d.signal(signal.SIGHUP)
            time.sleep(0.02)
        wait_for(lambda: d.log().count("configuration reloaded") >= 5,
                 what="the reloads (the loop is blocked otherwise)")
        t0 = time.monotonic()
        check(healthz(d.port) == 200, "/healthz")
        check(time.monotonic() - t0 < 2, "/healthz took %.1f s" % (time.monotonic() - t0))
        check("dropped" in d.log(), "no notification was dropped: the test "
              "did not fill the queue:\n" + d.log()[-800:])
        d.stop()
    finally:
        ns.close()
        d.cleanup()


if __name__ == "__main__":
    run([test_full_notify_socket_does_not_block])
