#!/usr/bin/env python3
"""A small RFB 3.8 client for keel's tests (standard library only): screenshots, keys and clicks over VNC.

Usage: vncclient.py [--timeout S] HOST:PORT shot OUT.png | keys TEXT | click X Y | info
"""
import argparse
import socket
import struct
import sys
import zlib

ENC_RAW = 0
ENC_DESKTOP_SIZE = -223
KEYSYM_RETURN = 0xFF0D


class RFBError(Exception):
    """The server broke the protocol or went away."""


class Client:
    def __init__(self, host, port, timeout):
        try:
            self.sock = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise RFBError(f"cannot connect to {host}:{port}: {e}") from e
        self.sock.settimeout(timeout)
        self.width = self.height = 0
        self.name = ""
        self.pixels = bytearray()
        self._handshake()

    def recv(self, n):
        buf = bytearray()
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except socket.timeout as e:
                raise RFBError(f"timed out waiting for {n - len(buf)} more bytes") from e
            except OSError as e:
                raise RFBError(f"receive failed: {e}") from e
            if not chunk:
                raise RFBError(f"the server closed the connection ({len(buf)} of {n} bytes read)")
            buf += chunk
        return bytes(buf)

    def send(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise RFBError(f"send failed: {e}") from e

    def _handshake(self):
        version = self.recv(12)
        if not version.startswith(b"RFB "):
            raise RFBError(f"not an RFB server (greeting {version!r})")
        self.send(b"RFB 003.008\n")
        (ntypes,) = struct.unpack("B", self.recv(1))
        if ntypes == 0:
            (n,) = struct.unpack(">I", self.recv(4))
            raise RFBError("server refused: " + self.recv(n).decode(errors="replace"))
        types = self.recv(ntypes)
        if 1 not in types:
            raise RFBError(f"the server does not offer security type None (offers {list(types)})")
        self.send(b"\x01")
        (result,) = struct.unpack(">I", self.recv(4))
        if result != 0:
            raise RFBError(f"security handshake failed (result {result})")
        self.send(b"\x01")  # ClientInit: shared
        hdr = self.recv(24)
        self.width, self.height = struct.unpack(">HH", hdr[:4])
        (namelen,) = struct.unpack(">I", hdr[20:24])
        self.name = self.recv(namelen).decode(errors="replace")
        # SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, max 255, shifts 16/8/0
        self.send(struct.pack(">B3xBBBBHHHBBB3x", 0, 32, 24, 0, 1, 255, 255, 255, 16, 8, 0))
        self.send(struct.pack(">BxHii", 2, 2, ENC_RAW, ENC_DESKTOP_SIZE))
        self.pixels = bytearray(self.width * self.height * 3)

    def request(self, incremental=False, w=None, h=None):
        w = self.width if w is None else w
        h = self.height if h is None else h
        self.send(struct.pack(">BBHHHH", 3, 1 if incremental else 0, 0, 0, w, h))

    def _skip_other(self, mtype):
        if mtype == 1:  # SetColourMapEntries
            _, _, n = struct.unpack(">xHH", self.recv(5))
            self.recv(6 * n)
        elif mtype == 2:  # Bell
            pass
        elif mtype == 3:  # ServerCutText
            (n,) = struct.unpack(">3xI", self.recv(7))
            self.recv(n)
        else:
            raise RFBError(f"unexpected server message type {mtype}")

    def read_update(self):
        """Read messages until one FramebufferUpdate has been applied."""
        while True:
            (mtype,) = struct.unpack("B", self.recv(1))
            if mtype != 0:
                self._skip_other(mtype)
                continue
            (nrects,) = struct.unpack(">xH", self.recv(3))
            resized = False
            for _ in range(nrects):
                x, y, w, h, enc = struct.unpack(">HHHHi", self.recv(12))
                if enc == ENC_DESKTOP_SIZE:
                    self.width, self.height = w, h
                    self.pixels = bytearray(w * h * 3)
                    resized = True
                elif enc == ENC_RAW:
                    if x + w > self.width or y + h > self.height:
                        raise RFBError(f"rectangle {w}x{h}+{x}+{y} outside the {self.width}x{self.height} screen")
                    data = self.recv(w * h * 4)
                    for row in range(h):
                        src = data[row * w * 4:(row + 1) * w * 4]
                        off = ((y + row) * self.width + x) * 3
                        out = bytearray(w * 3)
                        out[0::3] = src[2::4]
                        out[1::3] = src[1::4]
                        out[2::3] = src[0::4]
                        self.pixels[off:off + w * 3] = out
                else:
                    raise RFBError(f"unexpected encoding {enc}")
            return resized

    def screenshot(self):
        self.request(False)
        while self.read_update():
            self.request(False)  # the size changed: ask for the whole new screen
        return self.width, self.height, bytes(self.pixels)

    def key(self, keysym, down):
        self.send(struct.pack(">BBxxI", 4, 1 if down else 0, keysym))

    def pointer(self, x, y, buttons):
        self.send(struct.pack(">BBHH", 5, buttons, x, y))

    def close(self):
        self.sock.close()


def write_png(path, w, h, rgb):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def keysym_of(ch):
    if ch == "\n":
        return KEYSYM_RETURN
    code = ord(ch)
    if 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
        return code
    return 0x01000000 | code  # Unicode keysym


def main(argv):
    ap = argparse.ArgumentParser(description="A small RFB 3.8 client for keel's tests.")
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds for each network wait (default 10)")
    ap.add_argument("address", help="HOST:PORT")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("shot", help="write the screen as a PNG")
    p.add_argument("out")
    p = sub.add_parser("keys", help="type TEXT (\\n: Return)")
    p.add_argument("text")
    p = sub.add_parser("click", help="left-click at X Y")
    p.add_argument("x", type=int)
    p.add_argument("y", type=int)
    sub.add_parser("info", help='print "WIDTHxHEIGHT NAME"')
    args = ap.parse_args(argv)

    host, sep, port = args.address.rpartition(":")
    if not sep or not port.isdigit():
        print(f"vncclient: {args.address}: expected HOST:PORT", file=sys.stderr)
        return 1
    host = host.strip("[]") or "127.0.0.1"
    try:
        c = Client(host, int(port), args.timeout)
        if args.cmd == "info":
            print(f"{c.width}x{c.height} {c.name}")
        elif args.cmd == "shot":
            w, h, rgb = c.screenshot()
            write_png(args.out, w, h, rgb)
        elif args.cmd == "keys":
            for ch in args.text:
                ks = keysym_of(ch)
                c.key(ks, True)
                c.key(ks, False)
        elif args.cmd == "click":
            c.pointer(args.x, args.y, 0)
            c.pointer(args.x, args.y, 1)
            c.pointer(args.x, args.y, 0)
        if args.cmd in ("keys", "click"):
            # a round trip (one pixel's update) so the server has read the events before we close
            c.request(False, 1, 1)
            c.read_update()
        c.close()
    except RFBError as e:
        print(f"vncclient: {args.address}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
