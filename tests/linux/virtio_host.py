#!/usr/bin/env python3
"""The host's side of the Linux guest's virtio checks (tests/integration/t_linux.sh).

  blocks IMG SEED NBLOCKS     the image holds the blocks `keeltest blkrand` wrote with SEED (in
                              its first half)
  zeros IMG OFFSET LENGTH     the image's range is all zeros
  tcp HOST PORT BYTES OUT [IFACE]
                              connect (retrying for a while), send BYTES random bytes, half-close,
                              read the reply to its end; write "sent N crc32 X received M crc32 Y"
                              to OUT, then a line "seconds to-peer T1 from-peer T2" (from the start
                              to the reply's first byte, then to its end: the peer replies only
                              after it read everything); with IFACE also "frames-over-1514
                              from-peer N to-peer M": frames larger than an Ethernet frame seen on
                              IFACE (a packet socket) while the data moved, which only segmentation
                              offload makes

  console SOCK OUT WATCH MARKER LINE
                              the other end of `--console socket:SOCK`: listen there, copy what the
                              guest writes to OUT; once the file WATCH holds MARKER, send LINE and a
                              newline (input the guest asked for: Linux drops console input that
                              arrives before its port is set up)

One line on stderr and status 1 when the image or the transfer is not what it should be.
"""
import os
import socket
import struct
import sys
import threading
import time
import zlib

BLOCK = 4096
M64 = (1 << 64) - 1


def pattern(seed, blk, w):
    """Word w of block blk, as tests/linux/keeltest.c's pattern()."""
    z = seed ^ ((blk * 0x9E3779B97F4A7C15) & M64) ^ ((w * 0xBF58476D1CE4E5B9) & M64)
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def block_at(i, total):
    stride = 7919
    while total % stride == 0:
        stride += 2
    return (i * stride + 11) % total


def blocks(img, seed, n):
    seed, n = int(seed, 0), int(n, 0)
    total = os.path.getsize(img) // BLOCK // 2  # keeltest blkrand uses the first half
    with open(img, "rb") as f:
        for i in range(n):
            blk = block_at(i, total)
            f.seek(blk * BLOCK)
            want = struct.pack("<512Q", *(pattern(seed, blk, w) for w in range(BLOCK // 8)))
            if f.read(BLOCK) != want:
                print(f"virtio_host.py: {img}: block {blk} is not what the guest wrote", file=sys.stderr)
                return 1
    print(f"virtio_host.py: {img}: the {n} blocks the guest wrote are there")
    return 0


def zeros(img, off, length):
    off, length = int(off, 0), int(length, 0)
    with open(img, "rb") as f:
        f.seek(off)
        data = f.read(length)
    if len(data) != length or data.count(0) != length:
        print(f"virtio_host.py: {img}: bytes {off}+{length} are not all zeros", file=sys.stderr)
        return 1
    print(f"virtio_host.py: {img}: {length} bytes at {off} are zeros")
    return 0


def connect(host, port, deadline):
    """A connection to host:port, retried every 2 s until the deadline (the guest comes up late)."""
    tries = 0
    while True:
        tries += 1
        try:
            return socket.create_connection((host, int(port)), timeout=600)
        except OSError as e:
            if time.time() > deadline:
                raise OSError(f"cannot connect to {host}:{port} after {tries} tries: {e}") from e
            time.sleep(2)


class BigFrames(threading.Thread):
    """Counts frames over 1514 bytes on an interface, by direction, until stopped."""

    def __init__(self, iface):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
        self.sock.bind((iface, 0))
        self.sock.settimeout(0.5)
        self.counts = {"from-peer": 0, "to-peer": 0}
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                data, addr = self.sock.recvfrom(65536)
            except socket.timeout:
                continue
            if len(data) > 1514:
                self.counts["to-peer" if addr[2] == socket.PACKET_OUTGOING else "from-peer"] += 1


def tcp(host, port, nbytes, out, iface=None):
    nbytes = int(nbytes, 0)
    s = connect(host, port, time.time() + int(os.environ.get("VT_WAIT", "2400")))  # the VM's own time limit
    big = BigFrames(iface) if iface else None
    if big:
        big.start()
    tx = rx = 0
    sent = got = 0
    t0 = time.monotonic()
    t1 = None
    try:
        while sent < nbytes:
            chunk = os.urandom(min(65536, nbytes - sent))
            s.sendall(chunk)
            tx = zlib.crc32(chunk, tx)
            sent += len(chunk)
        s.shutdown(socket.SHUT_WR)
        while True:
            chunk = s.recv(65536)
            if t1 is None:
                t1 = time.monotonic()
            if not chunk:
                break
            rx = zlib.crc32(chunk, rx)
            got += len(chunk)
    except OSError as e:
        raise OSError(f"the transfer with {host}:{port} failed after {sent} bytes sent, {got} received: {e}") from e
    s.close()
    t2 = time.monotonic()
    with open(out, "w") as f:
        f.write(f"sent {sent} crc32 {tx:08x} received {got} crc32 {rx:08x}\n")
        f.write(f"seconds to-peer {t1 - t0:.3f} from-peer {t2 - t1:.3f}\n")
        if big:
            big.stop = True
            big.join()
            f.write(f"frames-over-1514 from-peer {big.counts['from-peer']} to-peer {big.counts['to-peer']}\n")
    return 0


def console(sock_path, out, watch, marker, line):
    if os.path.exists(sock_path):
        os.unlink(sock_path)
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(sock_path)
    ls.listen(1)
    conn, _ = ls.accept()
    sent = False
    with open(out, "wb", buffering=0) as f:
        conn.settimeout(1.0)
        while True:
            try:
                data = conn.recv(65536)
                if not data:
                    break
                f.write(data)
            except socket.timeout:
                pass
            if not sent:
                try:
                    with open(watch, "rb") as w:
                        ready = marker.encode() in w.read()
                except OSError:
                    ready = False
                if ready:
                    conn.sendall(line.encode() + b"\n")
                    sent = True
    return 0


def main():
    cmds = {"blocks": (blocks, 3, 3), "zeros": (zeros, 3, 3), "tcp": (tcp, 4, 5), "console": (console, 5, 5)}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds or not cmds[sys.argv[1]][1] <= len(sys.argv) - 2 <= cmds[sys.argv[1]][2]:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        return cmds[sys.argv[1]][0](*sys.argv[2:])
    except OSError as e:
        print(f"virtio_host.py: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
