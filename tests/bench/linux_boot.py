#!/usr/bin/env python3
"""The timing half of `make bench-linux` (tests/bench/linux.sh): boots one VMM and timestamps its console
lines on the host as they arrive, then turns the logs of several boots into the table and the JSON.

  linux_boot.py run --log FILE [--timeout S] [--stop-on REGEX] [--label NAME] -- COMMAND...
      Runs COMMAND (stdin /dev/null) and writes FILE, one JSON object a line: {"t", "fd", "line"} for
      each line of its stdout ("out") and stderr ("err"), t in seconds of time.monotonic() since just
      before execve, then {"t", "status", "end"} when it has exited ("end": exit, timeout, stop). At
      the timeout, or when a line matches REGEX, COMMAND is killed (SIGKILL). The milestones are
      echoed on stderr as they arrive, prefixed with NAME. Exits 0 once FILE is written.

  linux_boot.py report --meta META.json --json OUT [--vmm NAME=LOG,LOG... ]...
      Reads the logs, prints the table on stdout, writes OUT; exits 1 when a boot failed (its status
      is not 0, it timed out, the kernel did not power off, or /init reported a failure).
"""
import argparse
import json
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time

# The host-side milestones: the first console line matching each (the key, the label, the pattern).
HOST_MARKS = [
    ("first_line", 'first line ("Linux version")', re.compile(r"Linux version ")),
    ("smp", '"smp: Brought up"', re.compile(r"smp: Brought up")),
    ("freeing", '"Freeing unused kernel image"', re.compile(r"Freeing unused kernel image")),
    ("init", '/init\'s first line ("keeltest: /init started")', re.compile(r"keeltest: /init started")),
]
# The kernel-side milestones: printk timestamps of the first line matching each.
KERNEL_MARKS = [
    ("memory", '"Memory:"', re.compile(r"\] Memory: ")),
    ("smp", '"smp: Brought up"', re.compile(r"\] smp: Brought up")),
    ("freeing", '"Freeing unused kernel image"', re.compile(r"\] Freeing unused kernel image")),
]
HEARTBEAT = 120  # seconds between "still running" lines while a boot is slow
STAMP = re.compile(r"\[\s*(\d+\.\d+)\] ")
CONSOLE_LIVE = re.compile(r"printk: console \[ttyS0\] enabled")
POWER_DOWN = re.compile(r"reboot: Power down")
SUMMARY = re.compile(r"keeltest: (\d+) passed, (\d+) failed")


def cmd_run(a):
    out = open(a.log, "w", encoding="utf-8")
    stop = re.compile(a.stop_on) if a.stop_on else None
    seen = set()

    def emit(t, fd, raw):
        line = raw.decode("utf-8", "replace").rstrip("\r\n").replace("\r", "")
        out.write(json.dumps({"t": round(t, 6), "fd": fd, "line": line}) + "\n")
        if fd == "out":
            nonlocal last
            last = (t, line)
            for key, label, rx in HOST_MARKS:
                if key not in seen and rx.search(line):
                    seen.add(key)
                    print(f"# {a.label}: {t:9.2f} s  {label}", file=sys.stderr, flush=True)
        return bool(stop and stop.search(line))

    t0 = time.monotonic()  # just before execve
    p = subprocess.Popen(a.command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    fds = {p.stdout.fileno(): "out", p.stderr.fileno(): "err"}
    bufs = {fd: b"" for fd in fds}
    end = "exit"
    deadline = t0 + a.timeout
    last = (0.0, "")  # the last console line: when, what
    beat = t0 + HEARTBEAT
    while fds:
        if time.monotonic() >= beat:  # a long silence is normal on kvm_pvm hosts: say it still runs
            beat += HEARTBEAT
            print(f"# {a.label}: {time.monotonic() - t0:9.2f} s  still running; last console line at "
                  f"{last[0]:.2f} s: {last[1][:100]}", file=sys.stderr, flush=True)
        left = deadline - time.monotonic()
        if left <= 0:
            end = "timeout"
            break
        ready, _, _ = select.select(list(fds), [], [], max(0.0, min(left, beat - time.monotonic(), 1.0)))
        now = time.monotonic() - t0
        hit = False
        for fd in ready:
            data = os.read(fd, 65536)
            if not data:
                if bufs[fd]:
                    hit |= emit(now, fds[fd], bufs[fd])
                del fds[fd]
                continue
            bufs[fd] += data
            while b"\n" in bufs[fd]:
                line, bufs[fd] = bufs[fd].split(b"\n", 1)
                hit |= emit(now, fds[fd], line)
        if hit:
            end = "stop"
            break
    if end != "exit":
        p.send_signal(signal.SIGKILL)
        for fd, name in fds.items():  # what was written before the kill
            if bufs[fd]:
                emit(time.monotonic() - t0, name, bufs[fd])
    status = p.wait()
    t = time.monotonic() - t0
    if status < 0:
        status = 128 - status  # killed by signal N: 128 + N, as a shell says it
    out.write(json.dumps({"t": round(t, 6), "status": status, "end": end}) + "\n")
    out.close()
    if end == "timeout":
        print(f"# {a.label}: no exit within {a.timeout:g} s: killed", file=sys.stderr, flush=True)
    else:
        print(f"# {a.label}: {t:9.2f} s  exit, status {status}" + (" (stopped here)" if end == "stop" else ""),
              file=sys.stderr, flush=True)
    return 0


def analyse(path):
    """One boot's log -> its figures and whether it succeeded."""
    lines, status, end, t_exit = [], None, None, None
    with open(path, encoding="utf-8") as f:
        for raw in f:
            r = json.loads(raw)
            if "status" in r:
                status, end, t_exit = r["status"], r["end"], r["t"]
            else:
                lines.append(r)
    out = [r for r in lines if r["fd"] == "out"]
    host, kernel = {}, {}
    stamps = []  # (timestamp, line) of every stamped console line, in order
    for r in out:
        for key, _, rx in HOST_MARKS:
            if key not in host and rx.search(r["line"]):
                host[key] = r["t"]
        m = STAMP.search(r["line"])
        if m:
            ts = float(m.group(1))
            stamps.append((ts, r["line"][m.end():]))
            kernel["last"] = ts
            kernel["last_line"] = r["line"][m.end():]
            for key, _, rx in KERNEL_MARKS:
                if key not in kernel and rx.search(r["line"]):
                    kernel[key] = ts
    host["exit"] = t_exit if end == "exit" else None
    phases = {}
    marks = [("start", 0.0)] + [(k, kernel.get(k)) for k, _, _ in KERNEL_MARKS] + [("last", kernel.get("last"))]
    for (a, ta), (b, tb) in zip(marks, marks[1:]):
        phases[f"{a}-{b}"] = round(tb - ta, 6) if ta is not None and tb is not None else None
    phases["start-last"] = kernel.get("last")
    # A clock restart: the stamps fall back and stay below where they were (the TSC taking over as the
    # kernel's clock after its calibration, under TCG); a few lines below (an AP's own early clock) are not.
    restarts, top = [], 0.0
    for i, (ts, line) in enumerate(stamps):
        after = [t for t, _ in stamps[i:i + 4]]
        if ts < top - 0.005 and max(after) < top - 0.005:
            restarts.append({"from": top, "to": ts, "line": line})
            top = ts
        top = max(top, ts)
    # Once the console is live a line reaches the host as it is printed, so the host's clock and the kernel's
    # can be compared from there to the last line: a kernel clock that stands still (it does not run past the
    # next timer tick while interrupts are off, when sched_clock is unstable) shows here.
    clock = None
    live = next((r for r in out if CONSOLE_LIVE.search(r["line"]) and STAMP.search(r["line"])), None)
    last_r = next((r for r in reversed(out) if STAMP.search(r["line"])), None)
    if live is not None and last_r is not None and last_r is not live:
        clock = {"host": round(last_r["t"] - live["t"], 6),
                 "kernel": round(float(STAMP.search(last_r["line"]).group(1)) -
                                 float(STAMP.search(live["line"]).group(1)), 6)}
    summary = None
    for r in out:
        m = SUMMARY.search(r["line"])
        if m:
            summary = {"passed": int(m.group(1)), "failed": int(m.group(2))}
    why = []
    if end == "timeout":
        why.append("no exit before the time limit (killed)")
    elif end == "stop":
        why.append("stopped on request before power-off")
    elif status != 0:
        why.append(f"exit status {status}")
    if not any(POWER_DOWN.search(r["line"]) for r in out):
        why.append('the kernel did not power off (no "reboot: Power down")')
    if summary is None:
        why.append('/init did not finish (no "keeltest: N passed, M failed")')
    elif summary["failed"]:
        why.append(f"/init: {summary['failed']} check(s) failed: " +
                   "; ".join(r["line"] for r in out if r["line"].startswith("not ok")))
    for r in out:
        if "Kernel panic" in r["line"]:
            why.append("kernel panic: " + r["line"])
            break
    err_tail = [r["line"] for r in lines if r["fd"] == "err"][-5:]
    return {
        "log": path, "status": status, "end": end, "ok": not why, "why": why,
        "host": host, "kernel": {k: kernel.get(k) for k, _, _ in KERNEL_MARKS} | {"last": kernel.get("last")},
        "last_line": kernel.get("last_line"), "phases": phases, "init_summary": summary,
        "console_lines": len(out), "stderr_tail": err_tail, "clock_restarts": restarts,
        "console_to_last": clock,
    }


def median_of(runs, group, key):
    vals = [r[group][key] for r in runs if r[group].get(key) is not None]
    if len(vals) != len(runs) or not vals:
        return None
    return round(statistics.median(vals), 6)


ROWS = [("host", k, f"host: execve -> {label}") for k, label, _ in HOST_MARKS] + [
    ("host", "exit", "host: execve -> VMM exit after power-off"),
    ("phases", "start-memory", 'kernel: [0] -> "Memory:"'),
    ("phases", "memory-smp", 'kernel: "Memory:" -> "smp: Brought up"'),
    ("phases", "smp-freeing", 'kernel: "smp: Brought up" -> "Freeing unused kernel image"'),
    ("phases", "freeing-last", 'kernel: "Freeing unused kernel image" -> last line'),
    ("phases", "start-last", "kernel: [0] -> last line (all of the above)"),
]


def fmt_s(v):
    return "--" if v is None else f"{v:.2f} s"


def fmt_ratio(a, b):
    if a is None or b is None or b <= 0:
        return None
    return a / b


def cmd_report(a):
    meta = json.load(open(a.meta, encoding="utf-8"))
    vmms = {}
    for spec in a.vmm:
        name, _, logs = spec.partition("=")
        runs = [analyse(p) for p in logs.split(",") if p]
        med = {}
        for group, key, _ in ROWS:
            med.setdefault(group, {})[key] = median_of(runs, group, key)
        vmms[name] = {"runs": runs, "median": med, "ok": bool(runs) and all(r["ok"] for r in runs),
                      "statuses": [r["status"] for r in runs]}
    names = list(vmms)
    ratio = {}
    if "keel" in vmms and "qemu" in vmms:
        for group, key, _ in ROWS:
            r = fmt_ratio(vmms["keel"]["median"][group][key], vmms["qemu"]["median"][group][key])
            ratio.setdefault(group, {})[key] = None if r is None else round(r, 4)

    n = meta.get("runs", 1)
    print(f"Linux boot benchmark, {meta['date']}: Linux {meta['guest']['kernel']} (Debian 12 cloud bzImage), "
          f"{meta['guest']['mem']}, {meta['guest']['cpus']} vCPUs, busybox /init")
    print(f"host: KVM flavour {meta['host']['kvm']}, {meta['host']['cpus']} CPUs, load average before: "
          f"{meta['host']['loadavg']}; QEMU {meta['qemu']['version']} with accelerator {meta['qemu']['accel']} "
          f"({meta['qemu']['accel_why']})")
    print(f"command line (both): {meta['guest']['cmdline']}")
    if meta["guest"].get("host_params"):
        print(f"  of which keel's host workarounds add (and QEMU is given too): {meta['guest']['host_params']}")
    what = "one run" if n == 1 else f"medians of {n} runs"
    print(f"{what}; host: seconds from just before execve to the line's arrival on the VMM's stdout; "
          "kernel: the kernel's printk timestamps")
    heads = {"keel": "keel", "qemu": f"QEMU ({meta['qemu']['accel']})"}
    w = max(len(label) for _, _, label in ROWS) + 2
    print()
    print(f"{'':{w}}" + "".join(f"{heads.get(x, x):>14}" for x in names) + (f"{'keel/QEMU':>12}" if ratio else ""))
    for group, key, label in ROWS:
        row = f"{label:{w}}" + "".join(f"{fmt_s(vmms[x]['median'][group][key]):>14}" for x in names)
        if ratio:
            r = ratio[group][key]
            row += f"{'--' if r is None else (f'{r:.1f}' if r >= 10 else f'{r:.2f}'):>12}"
        print(row)
    print()
    for x in names:
        r = vmms[x]["runs"][0]
        if r["kernel"].get("memory") == 0.0:
            print(f"{heads.get(x, x)}: the kernel's clock was not running yet at \"Memory:\" (its stamp is 0): "
                  "the work before it shows only in the host figures")
        if r["clock_restarts"]:
            c = r["clock_restarts"][0]
            print(f"{heads.get(x, x)}: the kernel's clock restarted from {c['from']:.6f} s to {c['to']:.6f} s at "
                  f"\"{c['line']}\": kernel phases from [0] leave out the time before that")
        c = r["console_to_last"]
        if c and c["host"] > 0:
            print(f"{heads.get(x, x)}: from \"printk: console [ttyS0] enabled\" to the last line the host saw "
                  f"{c['host']:.2f} s go by and the kernel's clock {c['kernel']:.2f} s"
                  + (" (it under-counts: its printk phases are lower bounds)" if c["kernel"] < 0.9 * c["host"] else ""))
    for x in names:
        for i, r in enumerate(vmms[x]["runs"], 1):
            s = "passed" if r["ok"] else "FAILED: " + "; ".join(r["why"])
            summ = r["init_summary"]
            checks = f", /init {summ['passed']} passed, {summ['failed']} failed" if summ else ""
            print(f"{heads.get(x, x)} run {i}: exit status {r['status']}{checks}, last kernel line "
                  f"\"{r['last_line'] or '--'}\": {s}")
            if not r["ok"] and r["stderr_tail"]:
                for line in r["stderr_tail"]:
                    print(f"  | {line}")
    ok = all(v["ok"] for v in vmms.values()) and bool(vmms)
    doc = dict(meta)
    doc["rows"] = [{"group": g, "key": k, "label": label} for g, k, label in ROWS]
    doc["vmms"] = vmms
    doc["ratio_keel_qemu"] = ratio
    doc["ok"] = ok
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    with open(a.json, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print(f"JSON: {a.json}")
    if not ok:
        print("bench-linux: a boot FAILED (above)", file=sys.stderr)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--log", required=True)
    r.add_argument("--timeout", type=float, default=1800)
    r.add_argument("--stop-on")
    r.add_argument("--label", default="vm")
    r.add_argument("command", nargs="+")
    p = sub.add_parser("report")
    p.add_argument("--meta", required=True)
    p.add_argument("--json", required=True)
    p.add_argument("--vmm", action="append", default=[])
    a = ap.parse_args()
    return cmd_run(a) if a.cmd == "run" else cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
