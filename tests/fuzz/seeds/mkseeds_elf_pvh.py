#!/usr/bin/env python3
"""Writes the seeds of fuzz-elf-pvh: minimal ELF64 kernels with a PVH note (and variants), in its input format."""
import gzip
import lzma
import os
import struct
import sys

# fuzz_elf_pvh.c's input: control byte (bits 0-1 vCPUs - 1, bits 2-3 modules, bit 4 the 16 MiB guest),
# the kernel's length (4 bytes, little-endian), the kernel, then the modules' bytes split evenly.
PT_LOAD, PT_NOTE = 1, 4
PF_X, PF_W, PF_R = 1, 2, 4
PADDR = 0x100000
VADDR = 0xFFFFFFFF81000000
CODE = bytes([0xF4, 0xEB, 0xFD]) + bytes(61)  # hlt; jmp back; padding


def note(owner, ntype, desc, align):
    name = owner.encode() + b"\0"
    pad = lambda b: b + bytes(-len(b) % align)
    return struct.pack("<III", len(name), len(desc), ntype) + pad(name) + pad(desc)


def elf(segments, notes, note_align=4, entry=PADDR):
    """segments: (paddr, flags, data, memsz); notes: bytes of the PT_NOTE segment (or None)."""
    nph = len(segments) + (1 if notes else 0)
    off = 64 + 56 * nph
    phdrs, body = [], b""
    if notes:
        phdrs.append(struct.pack("<IIQQQQQQ", PT_NOTE, PF_R, off, 0, 0, len(notes), len(notes), note_align))
        body += notes
        off += len(notes)
    for paddr, flags, data, memsz in segments:
        pad = -off % 16
        body += bytes(pad)
        off += pad
        phdrs.append(struct.pack("<IIQQQQQQ", PT_LOAD, flags, off, VADDR + paddr - PADDR, paddr, len(data), memsz,
                                 0x1000))
        body += data
        off += len(data)
    ident = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, 64, 0, 0, 64, 56, nph, 64, 0, 0)
    return eh + b"".join(phdrs) + body


def bzimage(vmlinux, compress):
    """A bzImage (boot protocol 2.15, one setup sector) whose payload is @vmlinux compressed by @compress."""
    payload = compress(vmlinux) + struct.pack("<I", len(vmlinux))  # the size the kernel build appends
    hdr = bytearray(1024)
    hdr[0x1F1] = 1  # setup_sects: the payload's sector follows at 1024
    hdr[0x1FE:0x200] = b"\x55\xaa"
    hdr[0x201] = 0x268 - 0x202  # the jump: the header runs to 0x268
    hdr[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", hdr, 0x206, 0x020F)
    struct.pack_into("<H", hdr, 0x236, 1)  # XLF_KERNEL_64
    struct.pack_into("<I", hdr, 0x238, 2047)  # cmdline_size
    struct.pack_into("<II", hdr, 0x248, 0, len(payload))  # payload_offset, payload_length
    return bytes(hdr) + payload


def seed(ctrl, kernel, modules=b""):
    return bytes([ctrl]) + struct.pack("<I", len(kernel)) + kernel + modules


def main(outdir):
    xen4 = note("Xen", 18, struct.pack("<I", PADDR), 4)
    xen8 = note("Xen", 18, struct.pack("<Q", PADDR + 1), 8)
    linux = note("Linux", 6, b"salt", 4)
    text = [(PADDR, PF_R | PF_X, CODE, 0x1000)]
    two = text + [(PADDR + 0x2000, PF_R | PF_W, b"data" * 8, 0x3000)]
    seeds = {
        "pvh-min": seed(0x00, elf(text, xen4)),
        "pvh-2cpu-initrd": seed(0x05, elf(text, xen4), b"070701" + bytes(58)),
        "pvh-large-3mods": seed(0x1F, elf(two, xen4), b"module-one" b"module-two" b"module-333"),
        "pvh-note8": seed(0x10, elf(two, xen8, note_align=8)),
        "pvh-and-linux-note": seed(0x04, elf(text, linux + xen4), b"initrd"),
        "vmlinux-linux-note": seed(0x00, elf(text, linux)),
        "elf-no-note": seed(0x01, elf(two, None)),
        "bzimage-gzip": seed(0x04, bzimage(elf(text, linux), lambda b: gzip.compress(b, mtime=0)), b"initrd"),
        "bzimage-xz-pvh": seed(0x10, bzimage(elf(two, linux + xen4), lambda b: lzma.compress(b, lzma.FORMAT_XZ))),
    }
    os.makedirs(outdir, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "elf-pvh"))
