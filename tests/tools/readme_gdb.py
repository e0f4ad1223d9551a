#!/usr/bin/env python3
"""The README's gdb transcripts, from real sessions: check them (--check) or rewrite them (--update).

Usage: readme_gdb.py --check|--update README KEEL GUEST_ELF

A transcript is an indented block in README.md made of a line "    $ keel run ARGS... --gdb tcp:1234 &"
(ARGS from the BLOCKS table below), a line "    $ gdb ... build/guest/keel-guest.elf" and "(gdb) "
lines, the commands. For each, this script boots the bundled guest under KEEL with those arguments
(on a free port), runs the commands in Debian's gdb (with the gdb line's -x script, if any), and
builds the block gdb really prints. --check compares the two after masking what legitimately
changes from run to run (the loop counter, and where in the gdbtest loop the attach happened to
stop the guest) and exits 1 with a diff when they differ; --update writes the real blocks into
README. Exit status 2: a session itself failed.
"""

import difflib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

# (the keel line, the gdb line, keel's arguments, whether keel holds the guest until gdb attaches)
BLOCKS = [
    ("    $ keel run --cpus 2 --cmdline exit=gdbtest --gdb tcp:1234 &", "    $ gdb build/guest/keel-guest.elf",
     ["--cpus", "2", "--cmdline", "exit=gdbtest"], False),
    ("    $ keel run --cpus 2 --gdb tcp:1234 --gdb-wait &", "    $ gdb -x vmm/gdb/keel-gdb.py build/guest/keel-guest.elf",
     ["--cpus", "2", "--gdb-wait"], True),
]
MARK = "@@keel-readme-command@@"
LIMIT = int(os.environ.get("KEEL_GDB_TIMEOUT", "300"))


def fail(msg):
    print(f"readme_gdb: {msg}", file=sys.stderr)
    sys.exit(2)


def find_block(lines, keel_line):
    """(start, end) of the transcript block in README lines: end is the first blank line after it."""
    try:
        start = lines.index(keel_line)
    except ValueError:
        fail(f"README has no line {keel_line.strip()!r}")
    end = start
    while end < len(lines) and lines[end].strip():
        end += 1
    return start, end


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_session(keel, elf, keel_args, held, script, commands):
    """Boot the guest, run @commands in gdb; return (gdb's output per command, keel's status, keel's stdout)."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="keel-readme-") as tmp:
        out_path = os.path.join(tmp, "out")
        err_path = os.path.join(tmp, "err")
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            # -v: keel says when it listens (a probe connection would be a debugger attaching)
            vm = subprocess.Popen([keel, "run", "-v", *keel_args, "--gdb", f"tcp:{port}"],
                                  stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            deadline = time.monotonic() + 120
            while not (b"gdb: listening on" in open(err_path, "rb").read() if held else
                       b"gdbtest: waiting for gdbtest_poke" in open(out_path, "rb").read()):
                if vm.poll() is not None or time.monotonic() > deadline:
                    fail("the guest never waited for gdb")
                time.sleep(0.1)
            args = ["gdb", "-batch", "-nx"] + (["-x", script] if script else []) + [
                elf, "-ex", "set pagination off", "-ex", "set confirm off", "-ex", "set width 0"]
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


def build_block(keel_line, gdb_line, commands, outputs):
    block = [keel_line, gdb_line]
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
    top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    lines = open(readme, encoding="utf-8").read().split("\n")
    bad = 0
    for keel_line, gdb_line, keel_args, held in BLOCKS:
        start, end = find_block(lines, keel_line)
        if start + 1 >= len(lines) or lines[start + 1] != gdb_line:
            fail(f"the line after {keel_line.strip()!r} is not {gdb_line.strip()!r}")
        m = re.search(r" -x (\S+)", gdb_line)
        script = os.path.join(top, m.group(1)) if m else None
        commands = [l[len("    (gdb) "):] for l in lines[start:end] if l.startswith("    (gdb) ")]
        if not commands:
            fail(f"the README's transcript after {keel_line.strip()!r} has no (gdb) commands")
        outputs, status, console = run_session(keel, elf, keel_args, held, script, commands)
        if status != 0:
            fail(f"keel exited with status {status} after the session (want 0)\n{console[-2000:]}")
        real = build_block(keel_line, gdb_line, commands, outputs)
        if mode == "--update":
            lines[start:end] = real
            print(f"readme_gdb: {len(real)} lines of transcript for {keel_line.strip()!r}")
            continue
        want, got = normalise(lines[start:end]), normalise(real)
        if want != got:
            sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(want, got, "README.md", "live session",
                                                                          lineterm=""))
            print(f"readme_gdb: the README's transcript after {keel_line.strip()!r} differs from a real session "
                  "('make readme-gdb' rewrites it)")
            bad += 1
        else:
            print(f"readme_gdb: the README's transcript ({len(commands)} commands) after {keel_line.strip()!r} "
                  "matches a real session")
    if mode == "--update":
        with open(readme, "w", encoding="utf-8") as f:
            f.write("\n".join(lines))
        print(f"readme_gdb: wrote the transcripts into {readme}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
