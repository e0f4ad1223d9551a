#!/usr/bin/env python3
"""The report half of `make profile-linux` (tests/bench/linux_profile.sh): where a Linux boot under keel
spent its emulated instructions and its exits to keel.

  linux_profile.py --map SYSTEM.MAP --trace BPFTRACE.TXT --boot BOOT.LOG [--top N] [--json OUT]

SYSTEM.MAP is the guest kernel's symbol table (Debian ships it in the -dbg package). BPFTRACE.TXT holds
the maps the profile script's bpftrace printed at exit: @insn[rip]: count (kvm:kvm_emulate_insn, one per
instruction KVM's emulator ran for a keel vCPU) and @exit[reason]: count (kvm:kvm_userspace_exit, one per
KVM_RUN that returned to keel). BOOT.LOG is tests/bench/linux_boot.py's log of the same boot. Prints the
share of each function and of a few groups of functions, the exits by reason, and the milestones.
"""
import argparse
import bisect
import collections
import json
import re
import sys

# Groups of kernel functions, by name, that the report adds up (a function counts in the first group
# whose pattern matches it). A heuristic to read a profile by, not a measurement of its own.
GROUPS = [
    ("clock, timer tick, scheduler accounting",
     re.compile(r"pvclock|kvm_clock|kvm_sched_clock|sched_clock|ktime_get|timekeeping|tick_|hrtimer|"
                r"update_process_times|update_wall_time|calc_global_load|scheduler_tick|rcu_sched_clock_irq|"
                r"account_|run_local_timers|run_timer|load_balance|rebalance|update_blocked_averages|"
                r"update_load_avg|__update_load|update_curr|irqtime|jiffies|read_tsc|clockevents|lapic_next|"
                r"timer_interrupt|sysvec_apic_timer")),
    ("return thunks (SRSO/retbleed mitigations)", re.compile(r"srso_|return_thunk|retbleed|zen_untrain")),
    ("boot-time code patching", re.compile(r"text_poke|apply_alternatives|apply_retpolines|apply_returns|"
                                           r"apply_paravirt|optimize_nops|jump_label|static_call|ftrace_")),
    ("tracing set-up", re.compile(r"trace_event|trace_|tracing_|event_")),
    ("BTF and kallsyms", re.compile(r"btf_|kallsyms")),
    ("memory copy, clear, compare", re.compile(r"^(mem|str)[a-z]*$|^__mem|^copy_|^clear_page|^__clear|_copy_"
                                               r"|^rep_movs|^csum")),
    ("decompression (initramfs, firmware)", re.compile(r"unlzma|unxz|inflate|gunzip|zlib|lz4|zstd|xz_dec")),
    ("locks", re.compile(r"spin_|_raw_spin|mutex|rwsem|queued_|lock_")),
]

# KVM_EXIT_* of <linux/kvm.h> that keel may see
EXIT_NAMES = {
    0: "UNKNOWN", 2: "IO", 3: "HYPERCALL", 4: "DEBUG", 5: "HLT", 6: "MMIO", 7: "IRQ_WINDOW_OPEN",
    8: "SHUTDOWN", 9: "FAIL_ENTRY", 10: "INTR", 17: "INTERNAL_ERROR", 24: "SYSTEM_EVENT",
    29: "X86_RDMSR", 30: "X86_WRMSR",
}

USER_TOP = 0x0000800000000000      # below: user space
MODULES = 0xffffffffc0000000       # from here: modules (the map has no symbols for them)


def load_map(path):
    syms = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) == 3 and p[1] in "tTwW":
                syms.append((int(p[0], 16), p[2]))
    if not syms:
        sys.exit("linux_profile.py: %s has no text symbols" % path)
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def load_trace(path):
    rx = re.compile(r"^@(insn|exit)\[(-?\d+)\]: (\d+)$")
    insn, exits = collections.Counter(), collections.Counter()
    with open(path) as f:
        for line in f:
            m = rx.match(line.strip())
            if not m:
                continue
            key = int(m.group(2)) & (2 ** 64 - 1)
            (insn if m.group(1) == "insn" else exits)[key] += int(m.group(3))
    return insn, exits


def load_boot(path):
    lines, status, end, last = [], None, None, 0.0
    with open(path) as f:
        for raw in f:
            o = json.loads(raw)
            last = o.get("t", last)
            if "end" in o:
                status, end = o.get("status"), o["end"]
            elif o.get("fd") == "out":
                lines.append((o["t"], o["line"]))
    return lines, status, end, last


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--map", required=True)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--boot", required=True)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--json")
    a = ap.parse_args()

    addrs, names = load_map(a.map)
    insn, exits = load_trace(a.trace)
    lines, status, end, seconds = load_boot(a.boot)
    total = sum(insn.values())
    if total == 0:
        sys.exit("linux_profile.py: no emulated instruction was traced (kvm:kvm_emulate_insn never fired "
                 "for keel's vCPUs: this host runs the guest's ring 0 natively)")

    by_fn = collections.Counter()
    for rip, n in insn.items():
        if rip < USER_TOP:
            by_fn["[user space]"] += n
        elif rip >= MODULES:
            by_fn["[modules]"] += n
        else:
            i = bisect.bisect_right(addrs, rip) - 1
            by_fn[names[i] if i >= 0 else "[before the kernel's text]"] += n
    by_group = collections.Counter()
    for fn, n in by_fn.items():
        for label, rx in GROUPS:
            if rx.search(fn):
                by_group[label] += n
                break
        else:
            by_group["everything else"] += n

    marks = {}
    for t, line in lines:
        for key, pat in (("first line", "Linux version "), ("smp: Brought up", "smp: Brought up"),
                         ("Freeing unused kernel image", "Freeing unused kernel image"),
                         ("/init", "keeltest: /init started"), ("power down", "reboot: Power down")):
            if key not in marks and pat in line:
                marks[key] = t

    out = sys.stdout
    print("# profile-linux: %d emulated instructions over %.1f s of host time (%.2f us each on average, "
          "both vCPUs together); the boot ended by %s, status %s" %
          (total, seconds, seconds * 1e6 / total, end, status), file=out)
    print("# milestones (host s): " + ", ".join("%s %.1f" % (k, v) for k, v in marks.items()), file=out)
    print("\n## groups of functions (by name; see GROUPS in tests/bench/linux_profile.py)", file=out)
    for label, n in by_group.most_common():
        print("%6.2f%%  %13d  %s" % (100.0 * n / total, n, label), file=out)
    print("\n## the %d functions that ran the most emulated instructions" % a.top, file=out)
    for fn, n in by_fn.most_common(a.top):
        print("%6.2f%%  %13d  %s" % (100.0 * n / total, n, fn), file=out)
    nexits = sum(exits.values())
    print("\n## exits to keel (KVM_RUN returning to user space): %d" % nexits, file=out)
    for reason, n in exits.most_common():
        print("%13d  KVM_EXIT_%s" % (n, EXIT_NAMES.get(reason, str(reason))), file=out)

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"instructions": total, "host_seconds": seconds, "end": end, "status": status,
                       "milestones": marks,
                       "groups": {k: v for k, v in by_group.most_common()},
                       "functions": {k: v for k, v in by_fn.most_common(a.top)},
                       "exits": {EXIT_NAMES.get(r, str(r)): n for r, n in exits.most_common()}}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
