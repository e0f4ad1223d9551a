#!/usr/bin/env python3
"""The README's gdb transcript, from a real session: check it (--check) or rewrite it (--update).

Usage: readme_gdb.py --check|--update README KEEL GUEST_ELF

The transcript is the indented block in README.md that starts with the line
"    $ keel run --cpus 2 --cmdline exit=gdbtest --gdb tcp:1234 &". Its "(gdb) " lines are the
commands; this script boots the bundled guest under KEEL with the same arguments (on a free
port), runs those commands in Debian's gdb, and builds the block gdb really prints. --check
compares the two after masking what legitimately changes from run to run (the loop counter, and
where in the gdbtest loop the attach happened to stop the guest) and exits 1 with a diff when
they differ; --update writes the real block into README. Exit status 2: the session itself failed.
"""

import difflib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

KEEL_LINE = "    $ keel run --cpus 2 --cmdline exit=gdbtest --gdb tcp:1234 &"
GDB_LINE = "    $ gdb build/guest/keel-guest.elf"
MARK = "@@keel-readme-command@@"
LIMIT = int(os.environ.get("KEEL_GDB_TIMEOUT", "300"))


def fail(msg):
    print(f"readme_gdb: {msg}", file=sys.stderr)
    sys.exit(2)


def find_block(lines):
    """(start, end) of the transcript block in README lines: end is the first blank line after it."""
    try:
        start = lines.index(KEEL_LINE)
    except ValueError:
        fail(f"README has no line {KEEL_LINE.strip()!r}")
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return start, end


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_session(keel, elf, commands):
    """Boot the guest, run @commands in gdb; return (gdb's output per command, keel's status, keel's stdout)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="keel-readme-") as tmp:
        out_path = os.path.join(tmp, "out")
        with open(out_path, "wb") as out, open(os.path.join(tmp, "err"), "wb") as err:
            vm = subprocess.Popen([keel, "run", "--cpus", "2", "--cmdline", "exit=gdbtest", "--gdb", f"tcp:{port}"],
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + 120
            while b"gdbtest: waiting for gdbtest_poke" not in open(out_path, "rb").read():
                if vm.poll() is not None or time.monotonic() > deadline:
                    fail("the guest never waited for gdb")
                time.sleep(0.1)
            args = ["gdb", "-batch", "-nx", elf, "-ex", "set pagination off", "-ex", "set confirm off",
                    "-ex", "set width 0"]
            for c in commands:
                args += ["-ex", f"echo {MARK}\\n", "-ex", c.replace(":1234", f":{port}")]
            try:
                gdb = subprocess.run(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, timeout=LIMIT, check=False)
            except subprocess.TimeoutExpired:
                fail(f"gdb did not finish the session within {LIMIT} s")
            text = gdb.stdout.decode("utf-8", "replace")
            if "[Inferior 1 (Remote target) detached]" not in text:
                fail(f"gdb never detached from keel; what it printed:\n{text}")
            try:
                status = vm.wait(timeout=120)	# the guest finishes its loop and powers off
            except subprocess.TimeoutExpired:
                fail("keel did not exit within 120 s after gdb detached")
        finally:
            if vm.poll() is None:
                vm.kill()
                vm.wait()
        console = open(out_path, encoding="utf-8", errors="replace").read()
    text = text.replace(f":{port}", ":1234")
    parts = text.split(MARK + "\n")
    if len(parts) != len(commands) + 1:
        fail(f"gdb ran {len(parts) - 1} of {len(commands)} commands:\n{text}")
    return [p.rstrip("\n").split("\n") if p.strip() else [] for p in parts[1:]], status, console


def build_block(commands, outputs):
    block = [KEEL_LINE, GDB_LINE]
    for c, lines in zip(commands, outputs):
        block.append(f"    (gdb) {c}")
        block += [("    " + l).rstrip() for l in lines if l.strip()]	# a blank line would end the block
    return block


LOOP_FRAME = re.compile(r"(0x[0-9a-f]+ in )?gdbtest_(run|tick) \(.*\) at guest/kernel/gdbtest\.c:[0-9]+$")
SOURCE_LINE = re.compile(r"^    [0-9]+\t")


def normalise(block):
    """Mask what differs between two honest runs: the loop counter and where the attach stopped."""
    out, attached, continued = [], False, False
    for line in block:
        line = re.sub(r"turn=turn@entry=[0-9]+", "turn=turn@entry=N", line)
        line = line.replace("Hardware watchpoint", "Watchpoint")
        if line.startswith("    (gdb) "):
            attached |= line.startswith("    (gdb) target remote")
            continued |= line.startswith("    (gdb) continue")
        elif attached and not continued:	# from the attach to the first continue
            if SOURCE_LINE.match(line):
                continue
            line = re.sub(r" +" + LOOP_FRAME.pattern, " <somewhere in the gdbtest loop>", line)
            line = LOOP_FRAME.sub("<somewhere in the gdbtest loop>", line)
        out.append(line)
    return out


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("--check", "--update"):
        print(__doc__.strip().split("\n\n")[0] + "\nusage: readme_gdb.py --check|--update README KEEL GUEST_ELF",
              file=sys.stderr)
        sys.exit(2)
    mode, readme, keel, elf = sys.argv[1:]
    lines = open(readme, encoding="utf-8").read().split("\n")
    start, end = find_block(lines)
    commands = [l[len("    (gdb) "):] for l in lines[start:end] if l.startswith("    (gdb) ")]
    if not commands:
        fail("the README's transcript has no (gdb) commands")
    outputs, status, console = run_session(keel, elf, commands)
    if status != 0:
        fail(f"keel exited with status {status} after the session (want 0)\n{console[-2000:]}")
    real = build_block(commands, outputs)
    if mode == "--update":
        lines[start:end] = real
        with open(readme, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print(f"readme_gdb: wrote {len(real)} lines of transcript into {readme}")
        return 0
    want, got = normalise(lines[start:end]), normalise(real)
    if want != got:
        sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(want, got, "README.md", "live session", lineterm=""))
        print("readme_gdb: the README's gdb transcript differs from a real session ('make readme-gdb' rewrites it)")
        return 1
    print(f"readme_gdb: the README's transcript ({len(commands)} commands) matches a real session")
    return 0


if __name__ == "__main__":
    sys.exit(main())
