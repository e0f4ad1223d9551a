#!/usr/bin/env python3
"""Write the initramfs of the Linux guest the test suite boots: an uncompressed newc cpio archive.

Usage: tests/linux/mkinitramfs.py [--dir DIR] [--modules NAME,...] [--add SRC:DEST]... [-o OUT]

DIR (default build/linux, as tests/linux/fetch.sh leaves it) holds busybox, version and
modules/<version>/. The archive has /bin/busybox and symlinks for the applets /init uses,
/dev/console, /dev/null and /dev/zero as device nodes (no root needed), /init
(tests/linux/init.sh) and, with --modules, those kernel modules and everything they depend on
under /lib/modules/<version>/ with a modules.dep for them, their appended signatures stripped
(unless --keep-signatures): the kernel skips the signature's hash, which emulated ring 0 makes
cost 20-60 s a module on kvm_pvm hosts, and marks itself tainted E (unsigned module). Uncompressed, because the kernel's
decompressor runs in ring 0, which our hosts emulate slowly. Deterministic: entries sorted,
every mtime 0, uid/gid 0, inode numbers in order.
"""
import argparse
import os
import stat
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

# The applets /init runs, and a few more for a person who boots with rdinit=/bin/sh.
APPLETS = ["sh", "mount", "dmesg", "grep", "dd", "poweroff", "modprobe", "insmod", "lsmod",
           "cat", "ls", "echo", "reboot", "sleep", "ps", "mkdir", "umount", "taskset",
           # the virtio checks (tests/linux/virtio.sh)
           "mke2fs", "md5sum", "sync", "ip", "ping", "rmmod", "timeout", "head", "kill"]


class Cpio:
    """newc ("070701") writer: entries are collected, then written sorted by path."""

    def __init__(self):
        self.entries = {}  # path (no leading slash) -> (mode, data, rdev major, rdev minor)

    def add(self, path, mode, data=b"", rdev=(0, 0)):
        path = path.strip("/")
        parent = os.path.dirname(path)
        if parent and parent not in self.entries:
            self.dir(parent)
        self.entries[path] = (mode, data, rdev)

    def dir(self, path):
        self.add(path, stat.S_IFDIR | 0o755)

    def file(self, path, data, perm=0o644):
        self.add(path, stat.S_IFREG | perm, data)

    def symlink(self, path, target):
        self.add(path, stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, path, major, minor, perm=0o600):
        self.add(path, stat.S_IFCHR | perm, rdev=(major, minor))

    @staticmethod
    def _entry(ino, name, mode, data, rdev, nlink):
        name = name.encode() + b"\0"
        hdr = b"070701" + b"".join(b"%08X" % v for v in (
            ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name), 0))
        out = hdr + name
        out += b"\0" * (-len(out) % 4)
        out += data
        out += b"\0" * (-len(out) % 4)
        return out

    def bytes(self):
        chunks = []
        for ino, path in enumerate(sorted(self.entries), start=1):
            mode, data, rdev = self.entries[path]
            nlink = 2 if stat.S_ISDIR(mode) else 1
            chunks.append(self._entry(ino, path, mode, data, rdev, nlink))
        chunks.append(self._entry(0, "TRAILER!!!", 0, b"", (0, 0), 1))
        out = b"".join(chunks)
        return out + b"\0" * (-len(out) % 512)


def modinfo_depends(path):
    """The depends= field of a module's .modinfo ELF section: names of the modules it needs."""
    with open(path, "rb") as f:
        elf = f.read()
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise ValueError(f"{path}: not an ELF64 file (compressed module?)")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)

    def section(i):
        _name, _type, _flags, _addr, off, size = struct.unpack_from("<IIQQQQ", elf, shoff + i * shentsize)
        return _name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        if elf[stroff + name:elf.index(b"\0", stroff + name)] == b".modinfo":
            for field in elf[off:off + size].split(b"\0"):
                if field.startswith(b"depends="):
                    return [d for d in field[8:].decode().split(",") if d]
            return []
    return []


SIG_MAGIC = b"~Module signature appended~\n"


def strip_signature(data, path="module"):
    """A module without its appended signature: the kernel then loads it without hashing it (a
    20-60 s hash in emulated ring 0 on kvm_pvm hosts) and taints itself with E (unsigned module),
    which Debian's kernel allows unless it is locked down. Unsigned data comes back as it is.
    The tail is struct module_signature (algo, hash, id_type, signer_len, key_id_len, 3 pad
    bytes, a big-endian sig_len) after the signature, then the magic."""
    if not data.endswith(SIG_MAGIC):
        return data
    end = len(data) - len(SIG_MAGIC)
    if end < 12:
        raise ValueError(f"{path}: signature marker without a signature header")
    signer_len, key_id_len = data[end - 9], data[end - 8]
    sig_len, = struct.unpack_from(">I", data, end - 4)
    cut = end - 12 - sig_len - signer_len - key_id_len
    if cut <= 0 or data[:4] != b"\x7fELF":
        raise ValueError(f"{path}: its signature claims {sig_len} bytes, more than the file holds")
    return data[:cut]


def norm(name):
    return name.replace("-", "_")


def resolve_modules(moddir, names):
    """Paths (relative to moddir) of the named modules and their dependencies, and their modules.dep lines."""
    index = {}
    for root, _dirs, files in os.walk(os.path.join(moddir, "kernel")):
        for f in files:
            if f.endswith(".ko"):
                index[norm(f[:-3])] = os.path.relpath(os.path.join(root, f), moddir)
    builtin = set()
    try:
        with open(os.path.join(moddir, "modules.builtin")) as f:
            builtin = {norm(os.path.basename(line.strip())[:-3]) for line in f if line.strip()}
    except FileNotFoundError:
        pass
    deps = {}  # from modules.dep when depmod made one, else from each module's .modinfo
    try:
        with open(os.path.join(moddir, "modules.dep")) as f:
            for line in f:
                mod, _, rest = line.partition(":")
                deps[norm(os.path.basename(mod)[:-3])] = [norm(os.path.basename(d)[:-3]) for d in rest.split()]
    except FileNotFoundError:
        pass

    chosen = {}  # name -> list of dependency names, direct and indirect

    def visit(name, stack):
        name = norm(name)
        if name in chosen or name in builtin:
            return
        if name in stack:
            raise ValueError(f"module dependency loop: {' -> '.join(stack + [name])}")
        if name not in index:
            raise ValueError(f"no module {name} under {moddir}")
        direct = deps[name] if name in deps else modinfo_depends(os.path.join(moddir, index[name]))
        for d in direct:
            visit(d, stack + [name])
        closure = []
        for d in direct:
            for x in chosen.get(d, []) + [d]:
                if x in chosen and x not in closure:
                    closure.append(x)
        chosen[name] = closure

    for n in names:
        if norm(n) in builtin:
            print(f"mkinitramfs.py: {n} is built into the kernel", file=sys.stderr)
        visit(n, [])
    # modules.dep lists a module's dependencies so that the last one is loaded first
    lines = [f"{index[m]}: {' '.join(index[d] for d in reversed(chosen[m]))}".rstrip() for m in sorted(chosen)]
    return sorted(index[m] for m in chosen), lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", default="build/linux", help="what fetch.sh left (default build/linux)")
    ap.add_argument("--busybox", help="busybox binary (default DIR/busybox)")
    ap.add_argument("--init", default=os.path.join(HERE, "init.sh"), help="the /init script")
    ap.add_argument("--modules", default="", help="kernel modules to include, comma- or space-separated "
                    "(e.g. virtio_pci,virtio_blk); their dependencies come along")
    ap.add_argument("--add", action="append", default=[], metavar="SRC:DEST",
                    help="also put the file SRC at DEST (executable when SRC is)")
    ap.add_argument("--keep-signatures", action="store_true", help="keep the modules' appended "
                    "signatures (default: stripped, so that loading skips the hash)")
    ap.add_argument("-o", "--output", help="output file (default DIR/initramfs.cpio)")
    a = ap.parse_args()

    busybox = a.busybox or os.path.join(a.dir, "busybox")
    out = a.output or os.path.join(a.dir, "initramfs.cpio")
    try:
        cpio = Cpio()
        for d in ("bin", "dev", "proc", "sys", "tmp", "root", "etc"):
            cpio.dir(d)
        with open(busybox, "rb") as f:
            cpio.file("bin/busybox", f.read(), 0o755)
        for applet in APPLETS:
            cpio.symlink(f"bin/{applet}", "busybox")
        cpio.chardev("dev/console", 5, 1)
        cpio.chardev("dev/null", 1, 3, 0o666)
        cpio.chardev("dev/zero", 1, 5, 0o666)
        with open(a.init, "rb") as f:
            cpio.file("init", f.read(), 0o755)
        for spec in a.add:
            src, sep, dest = spec.rpartition(":")
            if not sep or not src or not dest.strip("/"):
                raise ValueError(f"--add {spec}: expected SRC:DEST")
            with open(src, "rb") as f:
                cpio.file(dest, f.read(), 0o755 if os.access(src, os.X_OK) else 0o644)
        names = a.modules.replace(",", " ").split()
        if names:
            with open(os.path.join(a.dir, "version")) as f:
                version = f.read().strip()
            moddir = os.path.join(a.dir, "modules", version)
            paths, dep_lines = resolve_modules(moddir, names)
            base = f"lib/modules/{version}"
            for p in paths:
                with open(os.path.join(moddir, p), "rb") as f:
                    data = f.read()
                cpio.file(f"{base}/{p}", data if a.keep_signatures else strip_signature(data, p))
            cpio.file(f"{base}/modules.dep", "".join(l + "\n" for l in dep_lines).encode())
            for extra in ("modules.builtin", "modules.order"):
                try:
                    with open(os.path.join(moddir, extra), "rb") as f:
                        cpio.file(f"{base}/{extra}", f.read())
                except FileNotFoundError:
                    pass
            print(f"mkinitramfs.py: modules: {' '.join(os.path.basename(p)[:-3] for p in paths)}", file=sys.stderr)
        data = cpio.bytes()
        tmp = out + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, out)
    except (OSError, ValueError) as e:
        print(f"mkinitramfs.py: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
