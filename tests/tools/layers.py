#!/usr/bin/env python3
"""keel's layering rule, checked from the #include lines of the VMM's sources.

Usage: layers.py [ROOT]      exit 0 when the rule holds, 1 with one line per violation

A module is a .c file and the .h of the same name. Including a header depends on the header's
module and on every module that defines a function the header declares (gdb.h is implemented by
vmm/gdb/server.c), so a loop of calls shows up as a loop of these dependencies. The layers, bottom to top (docs/ARCHITECTURE.md):
  firmware   firmware/                      the VMM<->guest contracts
  platform   vmm/ services below the VM     buses, memory, interrupts, stop, resources, loops, log
  vcpu       vcpu/                          vCPU threads, exit dispatch, vCPU state
  devices    devices/                       device models and backends
  vm         vmm/ orchestration (and the configuration model), vmm/boot/, vmm/gdb/, vmm/api/, vmm/fc/
  process    vmm/main.c, vmm/cli.c, vmm/bench/, vmm/fc/{main,cli}.c   the command lines and keel bench
Rule 1: a module includes only headers of its own layer or of layers below.
Rule 2: no include loop between modules of different folders (A includes B's header and B
        includes A's, possibly through others), whatever their layers.
"""

import os
import re
import sys

LAYERS = ["firmware", "platform", "vcpu", "devices", "vm", "process"]
PLATFORM = {"log", "bus", "memory", "irq", "ioloop", "evloop", "stop", "resources",
            "platform", "term", "exit_status", "image", "sandbox", "sigfwd"}
PROCESS = {"main", "cli"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
# A function definition at the start of a line (kernel style: the brace on the next line).
DEFINITION = re.compile(r'^(?!static\b)[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{]*\)\s*\n\{', re.M)
# A prototype in a header.
PROTOTYPE = re.compile(r'^[A-Za-z_][\w \t\*]*?\b([A-Za-z_]\w*)\s*\([^;{]*\)\s*;', re.M)


def layer_of(module):
    """The layer of module path @module ("vmm/bus"), or None for files outside the VMM."""
    folder, name = os.path.split(module)
    if folder == "firmware":
        return "firmware"
    if folder == "vcpu":
        return "vcpu"
    if folder == "devices" or folder.startswith("devices/"):
        return "devices"
    if folder == "vmm/bench":
        return "process"
    if folder == "vmm":
        if name in PLATFORM:
            return "platform"
        if name in PROCESS:
            return "process"
        return "vm"
    if folder in ("vmm/boot", "vmm/gdb", "vmm/api"):
        return "vm"
    if folder == "vmm/fc":
        return "process" if name in PROCESS else "vm"
    return None


def sources(root):
    """{module: text} of every VMM .c and .h, keyed "vmm/bus.c"-style."""
    out = {}
    for top in ("firmware", "vmm", "vcpu", "devices"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h")):
                    path = os.path.join(dirpath, f)
                    with open(path, encoding="utf-8", errors="replace") as fh:
                        out[os.path.relpath(path, root)] = fh.read()
    return out


def modules(root):
    """{module: set of modules it depends on} for every VMM source."""
    files = sources(root)
    defined = {}
    for path, text in files.items():
        if path.endswith(".c"):
            for name in DEFINITION.findall(text):
                defined.setdefault(name, set()).add(path[:-2])
    implementers = {}
    for path, text in files.items():
        if path.endswith(".h"):
            impl = set()
            for name in PROTOTYPE.findall(text):
                impl |= defined.get(name, set())
            implementers[path[:-2]] = impl
    graph = {}
    for path, text in files.items():
        mod = path[:-2]
        deps = graph.setdefault(mod, set())
        for inc in INCLUDE.findall(text):
            if inc.endswith(".h") and layer_of(inc[:-2]) is not None:
                deps.add(inc[:-2])
                deps |= implementers.get(inc[:-2], set())
        deps.discard(mod)
    return graph


def loops(graph):
    """Strongly connected components (Tarjan) with more than one folder in them."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len({os.path.dirname(m) for m in comp}) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    graph = modules(root)
    bad = []
    for mod, deps in sorted(graph.items()):
        lm = LAYERS.index(layer_of(mod))
        for dep in sorted(deps):
            ld = LAYERS.index(layer_of(dep))
            if ld > lm:
                bad.append(f"{mod} ({LAYERS[lm]}) includes {dep}.h ({LAYERS[ld]}): a lower layer reaches up")
    for comp in loops(graph):
        bad.append("include loop across folders: " + " <-> ".join(comp))
    for line in bad:
        print(f"layers: {line}")
    if not bad:
        print(f"layers: {len(graph)} modules, every include goes down or sideways, no loop across folders")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
