#!/usr/bin/env python3
"""What the tests do to a bzImage: unpack its vmlinux, read its setup header, make broken copies.

Usage: tests/linux/bzimage.py vmlinux BZIMAGE OUT    the ELF vmlinux inside (payload: lz4 through the
                                                    lz4 CLI, Debian's choice; gzip and xz with Python's own)
       tests/linux/bzimage.py info BZIMAGE           "pref_address init_size payload_format" (decimal)
       tests/linux/bzimage.py truncate BZIMAGE OUT   the first half of the file
       tests/linux/bzimage.py corrupt BZIMAGE OUT    one byte of the compressed payload changed so that
                                                    every decompressor must notice (see corrupt())
A bzImage is the setup sectors, then the protected-mode code, which holds the compressed payload at
payload_offset (setup header 0x248) for payload_length (0x24c) bytes; the payload ends with the
uncompressed size, 4 bytes little-endian. Errors: one line on stderr, status 1.
"""
import gzip
import lzma
import os
import shutil
import struct
import subprocess
import sys

FORMATS = [(b"\x02\x21\x4c\x18", "lz4"), (b"\x1f\x8b", "gzip"), (b"\xfd7zXZ\x00", "xz"),
           (b"\x28\xb5\x2f\xfd", "zstd")]


class Bad(Exception):
    pass


def parse(data, name):
    """(payload start offset in the file, payload length, format name, setup header fields)"""
    if len(data) < 0x270 or data[0x202:0x206] != b"HdrS":
        raise Bad(f"{name}: not a bzImage (no HdrS setup header)")
    version, = struct.unpack_from("<H", data, 0x206)
    if version < 0x208:
        raise Bad(f"{name}: boot protocol {version >> 8}.{version & 0xff} has no payload fields (2.08+)")
    setup_sects = data[0x1f1] or 4
    poff, plen = struct.unpack_from("<II", data, 0x248)
    start = (setup_sects + 1) * 512 + poff
    if start + plen > len(data) or plen < 8:
        raise Bad(f"{name}: payload ({plen} bytes at {start}) is outside the file ({len(data)} bytes)")
    fmt = next((f for magic, f in FORMATS if data[start:start + len(magic)] == magic), None)
    pref, = struct.unpack_from("<Q", data, 0x258)
    init_size, = struct.unpack_from("<I", data, 0x260)
    return start, plen, fmt, {"pref_address": pref, "init_size": init_size}


def vmlinux(data, name):
    start, plen, fmt, _ = parse(data, name)
    payload = data[start:start + plen]
    body, size = payload[:-4], struct.unpack("<I", payload[-4:])[0]
    if fmt == "gzip":
        out = gzip.decompress(body)
    elif fmt == "xz":
        out = lzma.decompress(body, format=lzma.FORMAT_XZ)
    elif fmt in ("lz4", "zstd"):
        if not shutil.which(fmt):
            raise Bad(f"{name}: its payload is {fmt}: install the {fmt} command (Debian package {fmt})")
        r = subprocess.run([fmt, "-dc"], input=body, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0:
            raise Bad(f"{name}: {fmt} -dc failed (status {r.returncode}) {r.stderr.decode(errors='replace').strip()}")
        out = r.stdout
    else:
        raise Bad(f"{name}: payload in an unknown format (starts {payload[:6].hex()})")
    if out[:4] != b"\x7fELF":
        raise Bad(f"{name}: the {fmt} payload does not unpack to an ELF file")
    if len(out) & 0xffffffff != size:
        raise Bad(f"{name}: the payload unpacks to {len(out)} bytes, its trailer says {size}")
    return out


def corrupt(data, name):
    """Change a payload byte that no decompressor can miss. LZ4's legacy frame (Debian's) has no
    checksum: a changed literal byte would unpack quietly to a different kernel. So for lz4 the
    top byte of the first block's size becomes 0x7f (a 2 GiB block in a 14 MB payload); for the
    checksummed formats, a byte in the middle of the payload is inverted."""
    start, plen, fmt, _ = parse(data, name)
    out = bytearray(data)
    if fmt == "lz4":
        out[start + 7] = 0x7f
    else:
        out[start + plen // 2] ^= 0xff
    return bytes(out)


def write(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def main(argv):
    if len(argv) < 3 or argv[1] not in ("vmlinux", "info", "truncate", "corrupt") or \
            len(argv) != (3 if argv[1] == "info" else 4):
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    cmd, src = argv[1], argv[2]
    try:
        with open(src, "rb") as f:
            data = f.read()
        if cmd == "info":
            _, _, fmt, h = parse(data, src)
            print(h["pref_address"], h["init_size"], fmt or "unknown")
        elif cmd == "vmlinux":
            write(argv[3], vmlinux(data, src))
        elif cmd == "truncate":
            parse(data, src)
            write(argv[3], data[:len(data) // 2])
        else:
            write(argv[3], corrupt(data, src))
    except (OSError, Bad, lzma.LZMAError, EOFError, gzip.BadGzipFile) as e:
        print(f"bzimage.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
