#!/usr/bin/env python3
"""The host's side of the Linux guest's vsock checks (tests/linux/virtio_harness.sh): keel's hybrid backend.

vsock_host.py UDS CONSOLE LPORT N HPORT BYTES [DONE [LISTENING]]
  - serves UDS_HPORT: each connection the guest makes to host port HPORT is echoed byte for byte;
  - once CONSOLE (the guest's console output) says LISTENING (by default "vsock: listening on LPORT"),
    opens N connections to UDS at once, each "CONNECT LPORT\\n" answered "OK <port>\\n", sends BYTES
    bytes of its own pattern, reads the echo back and compares.
Prints "host-initiated N of N connections echoed BYTES bytes" and "guest-initiated K connections echoed"
(once CONSOLE has DONE, by default "keeltest: vsock: guest done"), and one line per failure. Gives up
after 2400 s. (tests/integration/t_vsock.sh uses it with the bundled guest too.)
"""
import os
import socket
import sys
import threading
import time

DEADLINE = time.monotonic() + 2400


def pattern(seed, n):
    """n bytes of connection seed's pattern."""
    return bytes((seed * 131 + i * 7 + (i >> 9)) & 0xFF for i in range(n))


def echo(conn, counts, lock):
    total = 0
    with conn:
        while True:
            b = conn.recv(65536)
            if not b:
                break
            conn.sendall(b)
            total += len(b)
    with lock:
        counts.append(total)


def serve(path, counts, lock):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=echo, args=(c, counts, lock), daemon=True).start()


def wait_for(console, text):
    while time.monotonic() < DEADLINE:
        try:
            with open(console, "rb") as f:
                if text.encode() in f.read():
                    return True
        except OSError:
            pass
        time.sleep(1)
    return False


def one(uds, lport, seed, nbytes, results, lock):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(max(1.0, DEADLINE - time.monotonic()))
        s.connect(uds)
        s.sendall(b"CONNECT %d\n" % lport)
        line = b""
        while not line.endswith(b"\n"):
            b = s.recv(1)
            if not b:
                raise RuntimeError("closed before OK (the guest refused, or timed out): %r" % line)
            line += b
        if not line.startswith(b"OK ") or not line[3:-1].isdigit():
            raise RuntimeError("answer %r" % line)
        data = pattern(seed, nbytes)
        got = bytearray()

        def send():
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)

        t = threading.Thread(target=send, daemon=True)
        t.start()
        while True:
            b = s.recv(65536)
            if not b:
                break
            got += b
        t.join()
        s.close()
        if bytes(got) != data:
            bad = next((i for i in range(min(len(got), len(data))) if got[i] != data[i]), min(len(got), len(data)))
            raise RuntimeError("%d bytes back of %d, first difference at %d" % (len(got), nbytes, bad))
        with lock:
            results.append(None)
    except Exception as e:  # every failure is one line of the report
        with lock:
            results.append("connection %d: %s" % (seed, e))


def main():
    uds, console, lport, n, hport, nbytes = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5]), int(sys.argv[6])
    lock = threading.Lock()
    served = []
    path = "%s_%d" % (uds, hport)
    if os.path.exists(path):
        os.unlink(path)
    threading.Thread(target=serve, args=(path, served, lock), daemon=True).start()
    done = sys.argv[7] if len(sys.argv) > 7 else "keeltest: vsock: guest done"
    listening = sys.argv[8] if len(sys.argv) > 8 else "vsock: listening on %d" % lport
    if not wait_for(console, listening):
        print("the guest never listened on vsock port %d" % lport, flush=True)
        return 1
    results = []
    threads = [threading.Thread(target=one, args=(uds, lport, i, nbytes, results, lock)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    fails = [r for r in results if r]
    for f in fails:
        print(f, flush=True)
    print("host-initiated %d of %d connections echoed %d bytes" % (len(results) - len(fails), n, nbytes), flush=True)
    wait_for(console, done)
    with lock:
        print("guest-initiated %d connections echoed" % len([c for c in served if c > 0]), flush=True)
    return 0 if not fails else 1


if __name__ == "__main__":
    sys.exit(main())
