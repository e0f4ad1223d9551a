#!/usr/bin/env python3
"""Seed corpora for the virtio device fuzzers (fuzz_blk, fuzz_net, fuzz_console, fuzz_vsock): small valid sessions in
the input format of tests/fuzz/fuzz_vdev.c. Usage: gen_virtio.py [DIR] (default: the directory of this script)."""
import os
import struct
import sys

CHAIN, KICK, COMPLETE, RESET, CONFIG, EXTRA, FULL = range(7)
W, END, ANY, INDIRECT = 1, 2, 4, 8


def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v)
def take(b): return bytes([len(b)]) + b


def features(lo=0xffffffff, hi=0x01):
    return u32(lo) + bytes([hi])


def chain(q, bufs):
    """bufs: (flags, length, first bytes)"""
    out = bytes([CHAIN, q, len(bufs) - 1])
    for f, n, data in bufs:
        out += bytes([f]) + u16(n) + take(data)
    return out


def kick(q): return bytes([KICK, q])
def done(i=0): return bytes([COMPLETE, i, 0])                 # full result
def short(i, n): return bytes([COMPLETE, i, 2]) + u32(n)       # a short one
def fail(i, err=0): return bytes([COMPLETE, i, 3 | err << 2])  # an error (index into fuzz_vdev's list)
def config(off, size_log2, write=False, val=0): return bytes([CONFIG, off, size_log2 | (4 if write else 0)]) + u64(val)


def blk_hdr(t, sector): return struct.pack('<IIQ', t, 0, sector)


def blk_seeds():
    pre = bytes([0]) + u64(2048 * 512) + take(b'fuzz-disk')
    rd = chain(0, [(0, 16, blk_hdr(0, 1)), (W, 512, b''), (W, 1, b'')])
    wr = chain(0, [(0, 16, blk_hdr(1, 2)), (0, 1024, b'hello'), (W, 1, b'')])
    yield 'read', pre + features() + rd + kick(0) + done()
    yield 'write-read', pre + features() + wr + kick(0) + done() + rd + kick(0) + short(0, 200) + done()
    yield 'flush-getid', pre + features() + chain(0, [(0, 16, blk_hdr(4, 0)), (W, 1, b'')]) + \
        chain(0, [(0, 16, blk_hdr(8, 0)), (W, 20, b''), (W, 1, b'')]) + kick(0) + done()
    seg = struct.pack('<QII', 8, 16, 0)
    yield 'discard-wz', pre + features() + chain(0, [(0, 16, blk_hdr(11, 0)), (0, 16, seg), (W, 1, b'')]) + \
        chain(0, [(0, 16, blk_hdr(13, 0)), (0, 16, struct.pack('<QII', 0, 8, 1)), (W, 1, b'')]) + kick(0) + \
        fail(0, 3) + done() + done()
    yield 'out-of-range', pre + features() + chain(0, [(0, 16, blk_hdr(0, 2047)), (W, 1024, b''), (W, 1, b'')]) + \
        chain(0, [(0, 16, blk_hdr(0, 0xffffffffffffffff)), (W, 512, b''), (W, 1, b'')]) + kick(0)
    yield 'readonly', bytes([1]) + u64(64 * 512) + take(b'ro') + features() + wr + kick(0) + config(0, 3) + config(20, 2)
    yield 'flush-behind-write', pre + features() + wr + chain(0, [(0, 16, blk_hdr(4, 0)), (W, 1, b'')]) + kick(0) + \
        done(0) + done(0)
    yield 'direct-refused', bytes([4]) + u64(64 * 512) + take(b'') + features() + \
        chain(0, [(0, 16, blk_hdr(0, 8)), (W | END, 4096, b''), (W, 1, b'')]) + kick(0) + fail(0, 2) + done(0)
    yield 'wz-fallbacks', pre + features() + chain(0, [(0, 16, blk_hdr(13, 0)), (0, 16, struct.pack('<QII', 0, 300, 0)),
                                                   (W, 1, b'')]) + kick(0) + fail(0, 3) + fail(0, 3) + done(0) + done(0)
    yield 'indirect-reset', bytes([4]) + u64(64 * 512) + take(b'') + features() + \
        chain(0, [(INDIRECT, 16, blk_hdr(0, 0)), (W | END, 4096, b''), (W, 1, b'')]) + kick(0) + \
        bytes([RESET]) + done() + bytes([RESET]) + features() + rd


def net_hdr(flags=0, gso=0, hdr_len=0, gso_size=0, cs=0, co=0):
    return struct.pack('<BBHHHHH', flags, gso, hdr_len, gso_size, cs, co, 0)


def frame(n=60): return bytes(range(6)) + bytes([2, 0, 0, 0, 0, 9]) + b'\x08\x00' + bytes(n - 14)


def rx_done(i, n): return bytes([COMPLETE, i]) + u16(n) + bytes([0]) + take(frame(min(n, 60))) + bytes([0])


def ctrl(cls, cmd, data):
    """one control command, kicked at once (the queue has 16 descriptors)"""
    bufs = [(0, 2, bytes([cls, cmd]))] + ([(0, len(data), data)] if data else []) + [(W, 1, b'')]
    return chain(2, bufs) + kick(2)


def net_seeds():
    pre = bytes([0]) + take(bytes([2, 0, 0, 0, 0, 7])) + features()
    tx = chain(1, [(0, 72, net_hdr() + frame())])
    yield 'tx', pre + tx + kick(1) + bytes([COMPLETE, 1, 0])
    yield 'rx', pre + chain(0, [(W, 1526, b'')]) + kick(0) + rx_done(0, 60)
    yield 'rx-merge', pre + chain(0, [(W, 40, b'')]) + chain(0, [(W, 40, b'')]) + chain(0, [(W, 40, b'')]) + \
        kick(0) + rx_done(0, 100)
    macs = u32(1) + bytes([2, 0, 0, 0, 0, 5]) + u32(2) + bytes([1, 0, 0x5e, 0, 0, 1, 1, 0, 0x5e, 0, 0, 2])
    yield 'ctrl', pre + ctrl(1, 1, bytes([2, 0, 0, 0, 0, 8])) + ctrl(0, 0, b'\x01') + ctrl(0, 1, b'\x00') + \
        ctrl(2, 0, u16(100)) + ctrl(2, 1, u16(100)) + ctrl(1, 0, macs) + ctrl(3, 0, b'') + ctrl(4, 0, u16(1))
    gso = net_hdr(1, 1, 54, 1448, 34, 16)
    yield 'tx-gso', bytes([1]) + take(b'') + features() + chain(1, [(0, 12, gso), (0, 3000, frame())]) + kick(1) + \
        bytes([COMPLETE, 1, 0]) + bytes([EXTRA, 0]) + bytes([EXTRA, 1])
    yield 'link-reset', bytes([3]) + take(b'') + features() + tx + kick(1) + bytes([EXTRA, 0]) + \
        bytes([COMPLETE, 1, 3]) + bytes([RESET]) + bytes([COMPLETE, 0, 3, RESET]) + features() + config(0, 3) + config(6, 1)


def typed(i, text): return bytes([COMPLETE, i]) + take(text) + bytes([2]) + u32(len(text))


def console_seeds():
    tx = chain(1, [(0, 6, b'hello\n')])
    yield 'tx', bytes([0]) + features() + tx + kick(1) + bytes([COMPLETE, 1, 0])
    yield 'rx', bytes([0]) + features() + chain(0, [(W, 64, b'')]) + kick(0) + typed(0, b'ls -l\n')
    yield 'escapes', bytes([8]) + features() + chain(0, [(W, 16, b'')]) + chain(0, [(W, 16, b'')]) + kick(0) + \
        typed(0, b'a\x01\x01b\x01') + typed(0, b'hc\x01zd') + typed(0, b'\x01x')
    yield 'socket-out-fail', bytes([4]) + features() + tx + tx + kick(1) + bytes([COMPLETE, 1, 2]) + u32(3) + \
        bytes([COMPLETE, 1, 3 | 5 << 2]) + tx + kick(1) + bytes([RESET, RESET]) + features() + config(0, 2)
    yield 'no-backend', bytes([3]) + features() + tx + chain(0, [(W, 8, b'')]) + kick(1) + kick(0)


def vs_hdr(op, sport, dport, n=0, flags=0, buf=65536, fwd=0, src=3, dst=2):
    return struct.pack('<QQIIIHHIII', src, dst, sport, dport, n, 1, op, flags, buf, fwd)


def vs_pkt(op, n=0, data=b'', **kw):
    bufs = [(0, 44, vs_hdr(op, 5000, 1024, n, **kw))]
    if data:
        bufs.append((0, len(data), data))
    return chain(1, bufs)


def host(op, slot=0, data=None):
    out = bytes([EXTRA, op, slot])
    if data is not None:
        out += take(data)
    return out


def vsock_seeds():
    rx = chain(0, [(W, 44, b''), (W, 4096, b'')]) + chain(0, [(W, 4140, b'')]) + kick(0)
    poll = bytes([COMPLETE, 0, 0])
    connect = vs_pkt(1) + kick(1) + bytes([COMPLETE, 1, 0])   # REQUEST; the socket comes
    yield 'guest-connect', features() + rx + connect + host(1) + poll
    yield 'guest-data', features() + rx + connect + host(1) + vs_pkt(5, 5, b'hello') + kick(1) + \
        host(2, 0, b'world') + poll + vs_pkt(6, fwd=5) + vs_pkt(7) + kick(1) + host(3) + \
        vs_pkt(4, flags=3) + kick(1) + host(5) + poll
    yield 'host-connect', features() + rx + host(0, 0, b'') + b'\x34\x12' + poll + \
        chain(1, [(0, 44, vs_hdr(2, 0x1234, 1 << 30))]) + kick(1) + poll + host(2, 0, b'abc') + poll + \
        chain(1, [(0, 44, vs_hdr(3, 0x1234, 1 << 30))]) + kick(1)
    yield 'bad-packets', features() + rx + vs_pkt(5, 100, b'x') + vs_pkt(9) + vs_pkt(1, dst=7) + \
        chain(1, [(0, 20, b'short')]) + kick(1) + vs_pkt(1, n=3) + kick(1)
    yield 'refused-reset', features() + rx + vs_pkt(1) + kick(1) + bytes([COMPLETE, 1, 1]) + \
        bytes([RESET]) + poll + bytes([RESET]) + features() + config(0, 3)


SEEDS = {'blk': blk_seeds, 'net': net_seeds, 'console': console_seeds, 'vsock': vsock_seeds}


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for name, gen in SEEDS.items():
        d = os.path.join(top, name)
        os.makedirs(d, exist_ok=True)
        for seed, data in gen():
            with open(os.path.join(d, seed), 'wb') as f:
                f.write(data)


if __name__ == '__main__':
    main()
