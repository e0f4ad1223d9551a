#!/usr/bin/env python3
"""Compare PNG screenshots (8-bit RGB or RGBA, non-interlaced) pixel for pixel, with zlib only.

Usage: pngcmp.py A.png B.png          identical images? (exit 0 only if so)
       pngcmp.py A.png --testcard WxH  A is the test card (firmware/testcard.h) at W x H
       pngcmp.py A.png --not-blank     A has more than one distinct colour
       pngcmp.py A.png --differs B.png A and B differ (size or any pixel)
Alpha is ignored. On a difference it prints the first differing pixel and the count.
"""
import argparse
import struct
import sys
import zlib


class PNGError(Exception):
    pass


def read_png(path):
    """Return (width, height, rows) with rows a list of bytes objects of RGB triples."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise PNGError(f"{path}: {e.strerror}") from e
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise PNGError(f"{path}: not a PNG file")
    pos, idat, ihdr = 8, [], None
    while pos + 8 <= len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if len(body) != n:
            raise PNGError(f"{path}: truncated {kind!r} chunk")
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + n
    if not ihdr:
        raise PNGError(f"{path}: no IHDR chunk")
    w, h, depth, ctype, _, _, interlace = ihdr
    if depth != 8 or ctype not in (2, 6) or interlace != 0:
        raise PNGError(f"{path}: only 8-bit RGB or RGBA, non-interlaced (depth {depth}, colour type {ctype},"
                       f" interlace {interlace})")
    bpp = 3 if ctype == 2 else 4
    try:
        raw = zlib.decompress(b"".join(idat))
    except zlib.error as e:
        raise PNGError(f"{path}: bad image data: {e}") from e
    stride = w * bpp
    if len(raw) != h * (stride + 1):
        raise PNGError(f"{path}: {len(raw)} bytes of image data for {w}x{h}")
    prev = bytearray(stride)
    rows = []
    for y in range(h):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        unfilter(ftype, line, prev, bpp, path)
        rows.append(bytes(line) if bpp == 3 else bytes(b for i, b in enumerate(line) if i % 4 != 3))
        prev = line
    return w, h, rows


def unfilter(ftype, line, prev, bpp, path):
    n = len(line)
    if ftype == 0:
        return
    if ftype == 1:
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 0xFF
    elif ftype == 2:
        for i in range(n):
            line[i] = (line[i] + prev[i]) & 0xFF
    elif ftype == 3:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 0xFF
    elif ftype == 4:
        for i in range(n):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + pred) & 0xFF
    else:
        raise PNGError(f"{path}: unknown filter type {ftype}")


def testcard_pixel(x, y, w, h):
    """The test card's pixel as 0xRRGGBB.

    The Python twin of testcard_pixel in firmware/testcard.h: change both together.
    """
    bars = (0xFFFFFF, 0xFFFF00, 0x00FFFF, 0x00FF00, 0xFF00FF, 0xFF0000, 0x0000FF, 0x000000)
    if x == 0 or y == 0 or x == w - 1 or y == h - 1:
        return 0xFFFFFF
    if y < h * 2 // 3:
        return bars[x * 8 // w]
    if y < h * 5 // 6:
        g = x * 255 // (w - 1)
        return g << 16 | g << 8 | g
    return 0xFFFFFF if ((x // 16 + y // 16) & 1) else 0x202020


def testcard_rows(w, h):
    rows = []
    for y in range(h):
        line = bytearray(w * 3)
        for x in range(w):
            p = testcard_pixel(x, y, w, h)
            line[3 * x:3 * x + 3] = bytes((p >> 16, (p >> 8) & 0xFF, p & 0xFF))
        rows.append(bytes(line))
    return rows


def compare(a, b, names):
    """Print the first difference and the count; return the number of differing pixels (or -1 on a size mismatch)."""
    (aw, ah, arows), (bw, bh, brows) = a, b
    if (aw, ah) != (bw, bh):
        print(f"pngcmp: {names[0]} is {aw}x{ah}, {names[1]} is {bw}x{bh}")
        return -1
    count, first = 0, None
    for y in range(ah):
        if arows[y] == brows[y]:
            continue
        ra, rb = arows[y], brows[y]
        for x in range(aw):
            pa, pb = ra[3 * x:3 * x + 3], rb[3 * x:3 * x + 3]
            if pa != pb:
                count += 1
                if first is None:
                    first = (x, y, pa.hex(), pb.hex())
    if first:
        print(f"pngcmp: first difference at ({first[0]}, {first[1]}): {names[0]} #{first[2]}, {names[1]} #{first[3]}")
        print(f"pngcmp: {count} of {aw * ah} pixels differ")
    return count


def main(argv):
    ap = argparse.ArgumentParser(description="Compare PNG screenshots pixel for pixel.")
    ap.add_argument("png")
    ap.add_argument("other", nargs="?", help="another PNG that must be identical")
    ap.add_argument("--testcard", metavar="WxH", help="compare to firmware/testcard.h's test card at W x H")
    ap.add_argument("--not-blank", action="store_true", help="succeed if the image has more than one colour")
    ap.add_argument("--differs", metavar="OTHER", help="succeed if the image differs from OTHER.png")
    args = ap.parse_args(argv)
    modes = sum(x is not None and x is not False for x in (args.other, args.testcard, args.not_blank, args.differs))
    if modes != 1:
        ap.error("give exactly one of OTHER.png, --testcard, --not-blank, --differs")
    try:
        img = read_png(args.png)
        if args.not_blank:
            colours = set()
            for row in img[2]:
                colours.update(row[i:i + 3] for i in range(0, len(row), 3))
                if len(colours) > 1:
                    return 0
            print(f"pngcmp: {args.png} is blank (one colour: #{next(iter(colours)).hex() if colours else 'none'})")
            return 1
        if args.testcard:
            try:
                w, h = (int(v) for v in args.testcard.lower().split("x"))
            except ValueError:
                ap.error(f"--testcard {args.testcard}: expected WxH")
            if w < 16 or h < 16:
                ap.error(f"--testcard {args.testcard}: at least 16x16")
            return 0 if compare(img, (w, h, testcard_rows(w, h)), (args.png, "the test card")) == 0 else 1
        if args.differs:
            other = read_png(args.differs)
            if compare(img, other, (args.png, args.differs)) == 0:
                print(f"pngcmp: {args.png} and {args.differs} are identical")
                return 1
            return 0
        return 0 if compare(img, read_png(args.other), (args.png, args.other)) == 0 else 1
    except PNGError as e:
        print(f"pngcmp: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
