# keel's gdb helper: x/i, display/i and disassemble decode 16- and 32-bit guest code the way the vCPU executes it.
#
#   (gdb) source /usr/local/share/keel/keel-gdb.py      (or vmm/gdb/keel-gdb.py in a checkout)
#
# keel reports one x86-64 register set in every mode, so gdb's own disassembler always decodes
# 64-bit code. keel's stub also reports the register `mode` (16, 32 or 64: the code size the
# selected vCPU executes now, from CR0.PE, EFER.LMA and CS's L and D/B bits). This helper
# registers a disassembler that reads `$mode` and, in 16- or 32-bit code, decodes the bytes with
# objdump (binutils) as i8086 or i386. In 16-bit code an address below 0x10000 is taken as an
# offset in CS (as the CPU takes IP) and read at `$cs_base + address`; higher ones are linear.
# `keel-mode` prints the mode; `keel-mode 16|32|64|auto` forces one for decoding.

import os
import re
import subprocess
import tempfile

import gdb
import gdb.disassembler

_LINE = re.compile(r"^\s*([0-9a-f]+):\s+((?:[0-9a-f]{2} )+)\s*(.*)$")


class _State:
    forced = None       # 16, 32 or 64 from `keel-mode N`; None: follow $mode
    cache = {}          # (mode, address) -> (length, text)


def _vcpu_mode():
    if _State.forced is not None:
        return _State.forced
    try:
        return int(gdb.parse_and_eval("$mode"))
    except gdb.error:
        return 64       # not keel's stub (no such register): leave gdb alone


def _flavor():
    try:
        return gdb.parameter("disassembly-flavor")
    except (gdb.error, RuntimeError):
        return "att"


def _objdump(code, address, mode):
    """The first instruction of @code as (length, text), decoded as @mode-bit code, or None."""
    machine = "i8086" if mode == 16 else "i386"
    with tempfile.NamedTemporaryFile(prefix="keel-gdb-", suffix=".bin", delete=False) as f:
        f.write(code)
        path = f.name
    try:
        cmd = ["objdump", "-D", "-b", "binary", "-m", machine, "--insn-width=16",
               "--adjust-vma=0x%x" % address, "-M", _flavor(), path]
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    finally:
        os.unlink(path)
    for line in out.splitlines():
        m = _LINE.match(line)
        if m and int(m.group(1), 16) == address:
            return len(m.group(2).split()), " ".join(m.group(3).split())
    return None


def _read_code(info, address, mode):
    """Up to 15 bytes (the longest x86 instruction) at @address as the vCPU fetches them."""
    linear = None
    if mode == 16 and address < 0x10000:
        try:
            linear = (int(gdb.parse_and_eval("$cs_base")) + address) & 0xffffffffffffffff
        except gdb.error:
            linear = None
    for n in range(15, 0, -1):
        try:
            if linear is not None:
                return bytes(gdb.selected_inferior().read_memory(linear, n))
            return bytes(info.read_memory(n, 0))
        except gdb.MemoryError:
            continue
    return b""


class KeelModeDisassembler(gdb.disassembler.Disassembler):
    """Decodes with gdb's own disassembler in 64-bit code, with objdump in 16- and 32-bit code."""

    def __init__(self):
        super().__init__("keel-vcpu-mode")

    def __call__(self, info):
        mode = _vcpu_mode()
        if mode not in (16, 32):
            return gdb.disassembler.builtin_disassemble(info)
        key = (mode, info.address)
        hit = _State.cache.get(key)
        if hit is None:
            code = _read_code(info, info.address, mode)
            hit = _objdump(code, info.address, mode) if code else None
            if hit is None:
                return gdb.disassembler.builtin_disassemble(info)
            _State.cache[key] = hit
        return gdb.disassembler.DisassemblerResult(length=hit[0], string=hit[1])


def _forget(_event=None):
    _State.cache.clear()


class KeelModeCommand(gdb.Command):
    """keel-mode [16|32|64|auto]: show the code size x/i decodes the selected vCPU's code as, or force one."""

    def __init__(self):
        super().__init__("keel-mode", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        arg = arg.strip()
        if arg:
            if arg == "auto":
                _State.forced = None
            elif arg in ("16", "32", "64"):
                _State.forced = int(arg)
            else:
                raise gdb.GdbError("keel-mode: want 16, 32, 64 or auto, not '%s'" % arg)
            _forget()
        how = "forced" if _State.forced is not None else "from the vCPU's $mode"
        gdb.write("x/i decodes %d-bit code (%s)\n" % (_vcpu_mode(), how))


gdb.disassembler.register_disassembler(KeelModeDisassembler(), None)
gdb.events.stop.connect(_forget)
gdb.events.memory_changed.connect(_forget)
KeelModeCommand()
