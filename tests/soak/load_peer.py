"""The host side of soak.sh's load phase: UART lines, UDP echo over keel's socket backend, a virtio-console listener."""
import argparse
import os
import socket
import struct
import threading
import time

GUEST_MAC = bytes.fromhex("020000005001")
HOST_MAC = bytes.fromhex("020000005002")
GUEST_IP = socket.inet_aton("10.0.2.15")
HOST_IP = socket.inet_aton("10.0.2.2")
UDP_MAX = 1472


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def udp_frame(sport, payload, ip_id):
    ulen = 8 + len(payload)
    pseudo = HOST_IP + GUEST_IP + struct.pack("!BBH", 0, 17, ulen)
    u = struct.pack("!HHHH", sport, 7, ulen, 0) + payload
    c = csum(pseudo + u) or 0xFFFF
    u = u[:6] + struct.pack("!H", c) + u[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, ip_id & 0xFFFF, 0, 64, 17, 0, HOST_IP, GUEST_IP)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return GUEST_MAC + HOST_MAC + b"\x08\x00" + ip + u


def udp_payload_of(frame):
    """The UDP payload and destination port of an IPv4/UDP frame from the guest to us, else None."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x00" or frame[23] != 17 or frame[30:34] != HOST_IP:
        return None
    ihl = (frame[14] & 15) * 4
    dport, ulen = struct.unpack("!2xHH", frame[14 + ihl:14 + ihl + 6])
    return dport, frame[14 + ihl + 8:14 + ihl + ulen]


class Console(threading.Thread):
    """Accepts keel's virtio-console connection and counts what arrives."""

    def __init__(self, path):
        super().__init__(daemon=True)
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        self.srv.listen(1)
        self.bytes = 0
        self.lines = 0

    def run(self):
        conn, _ = self.srv.accept()
        self.srv.close()
        with conn:
            while True:
                b = conn.recv(65536)
                if not b:
                    return
                self.bytes += len(b)
                self.lines += b.count(b"\n")


def wait_for(log, text, limit):
    end = time.time() + limit
    while time.time() < end:
        try:
            with open(log, "rb") as f:
                if text in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.2)
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--console", required=True)
    ap.add_argument("--net-self", required=True)
    ap.add_argument("--net-keel", required=True)
    ap.add_argument("--fifo", required=True)
    ap.add_argument("--log", required=True, help="keel's stdout (the guest's COM1)")
    ap.add_argument("--status", required=True)
    ap.add_argument("--seconds", type=float, required=True)
    a = ap.parse_args()

    cons = Console(a.console)
    cons.start()
    net = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    net.bind(a.net_self)
    net.settimeout(1.0)
    uart = os.open(a.fifo, os.O_WRONLY)  # blocks until keel's stdin is open
    if not wait_for(a.log, b"load: ready", 120):
        print("result=no-ready")
        return 1
    st = dict(lines_sent=0, udp_sent=0, udp_ok=0, udp_bad=0, udp_lost=0)
    t0 = time.time()
    next_status = t0
    k = 0
    while time.time() - t0 < a.seconds:
        k += 1
        size = 1 + (k * 97) % UDP_MAX
        payload = bytes((k + i) & 0xFF for i in range(size))
        sport = 40000 + k % 1000
        try:
            net.sendto(udp_frame(sport, payload, k), a.net_keel)
            st["udp_sent"] += 1
            got = None
            end = time.time() + 1.0
            while got is None and time.time() < end:
                r = udp_payload_of(net.recv(2048))
                if r and r[0] == sport:
                    got = r[1]
            if got is None:
                st["udp_lost"] += 1
            elif got == payload:
                st["udp_ok"] += 1
            else:
                st["udp_bad"] += 1
        except (socket.timeout, ConnectionRefusedError, FileNotFoundError):
            st["udp_lost"] += 1
            time.sleep(0.1)
        if k % 4 == 0:
            os.write(uart, b"soak-%d\n" % k)
            st["lines_sent"] += 1
        if time.time() >= next_status:
            with open(a.status + ".tmp", "w") as f:
                f.write(" ".join("%s=%d" % kv for kv in st.items()) + " vcons_lines=%d\n" % cons.lines)
            os.replace(a.status + ".tmp", a.status)
            next_status += 10
        time.sleep(0.02)
    os.write(uart, b"quit\n")
    quit_seen = wait_for(a.log, b"load: quit after", 60)
    with open(a.log, "rb") as f:
        echoed = sum(1 for ln in f if ln.startswith(b"echo: soak-"))
    cons.join(30)
    os.close(uart)
    for kv in st.items():
        print("%s=%d" % kv)
    print("lines_echoed=%d" % echoed)
    print("vcons_lines=%d" % cons.lines)
    print("vcons_bytes=%d" % cons.bytes)
    print("quit_seen=%d" % quit_seen)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
