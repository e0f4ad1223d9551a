#!/usr/bin/env python3
"""make bench-api: how fast `keel firecracker` answers its API socket and boots on InstanceStart.

Measured here, in one run, medians of RUNS runs (default 9):
  A. execve to the API socket answering GET / with 200 (`keel firecracker --api-sock S`);
  B. InstanceStart (the PUT /actions request sent) to the first KVM_RUN, the guest's first instruction,
     read from strace -ttt timestamps (strace traces only execve and ioctl, through --seccomp-bpf);
  C. the same first KVM_RUN from execve for `keel run` and for `keel firecracker --no-api
     --config-file` (no API round trips), for comparison.
Firecracker cannot run on this host's kvm_pvm; its own published figures are quoted beside.
Usage: KEEL=build/keel GUEST_ELF=... python3 tests/bench/api.py
"""

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

KEEL = os.environ["KEEL"]
RUNS = int(os.environ.get("RUNS", "9"))
BOOT_ARGS = "exit=debug"  # the bundled guest runs its checks and leaves through debug-exit


def http(sock_path, method, path, body=None, timeout=30.0):
    """One request on a fresh connection; (status, body)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(sock_path)
    data = json.dumps(body).encode() if body is not None else b""
    req = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n"
    if body is not None:
        req += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    s.sendall(req.encode() + b"\r\n" + data)
    resp = b""
    while b"\r\n\r\n" not in resp:
        chunk = s.recv(4096)
        if not chunk:
            break
        resp += chunk
    head, _, rest = resp.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(rest) < length:
        chunk = s.recv(4096)
        if not chunk:
            break
        rest += chunk
    s.close()
    return status, rest


def api_ready_ms(tmp):
    """A: execve to GET / answering, in ms (a tight poll of the socket)."""
    sock = os.path.join(tmp, "api.sock")
    t0 = time.monotonic()
    p = subprocess.Popen([KEEL, "firecracker", "--api-sock", sock], stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t1 = None
    while t1 is None and time.monotonic() - t0 < 10:
        try:
            if http(sock, "GET", "/", timeout=2)[0] == 200:
                t1 = time.monotonic()
        except OSError:
            time.sleep(0.0002)
    p.terminate()
    p.wait()
    return None if t1 is None else (t1 - t0) * 1000


def first_kvm_run(trace):
    """The wall-clock time of the first KVM_RUN in strace output @trace, and of the first execve."""
    t_exec = t_run = None
    with open(trace) as f:
        for line in f:
            parts = line.split(None, 2)
            if len(parts) < 3:
                continue
            if t_exec is None and parts[2].startswith("execve("):
                t_exec = float(parts[1])
            if "KVM_RUN" in parts[2]:
                t_run = float(parts[1])
                break
    return t_exec, t_run


def strace_cmd(trace, argv):
    return ["strace", "-f", "-qq", "--seccomp-bpf", "-ttt", "-e", "trace=execve,ioctl", "-o", trace] + argv


def instance_start_ms(tmp):
    """B: PUT /actions InstanceStart sent to the first KVM_RUN, in ms (wall clock, as strace's)."""
    sock = os.path.join(tmp, "api.sock")
    trace = os.path.join(tmp, "trace")
    p = subprocess.Popen(strace_cmd(trace, [KEEL, "firecracker", "--api-sock", sock]), stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t_end = time.monotonic() + 20
    while time.monotonic() < t_end:
        try:
            if http(sock, "GET", "/", timeout=2)[0] == 200:
                break
        except OSError:
            time.sleep(0.001)
    http(sock, "PUT", "/machine-config", {"vcpu_count": 1, "mem_size_mib": 256})
    http(sock, "PUT", "/boot-source", {"boot_args": BOOT_ARGS})
    t_start = time.time()
    status, body = http(sock, "PUT", "/actions", {"action_type": "InstanceStart"})
    try:
        p.wait(timeout=120)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    if status != 204:
        print(f"InstanceStart answered {status}: {body[:200]!r}", file=sys.stderr)
        return None
    _, t_run = first_kvm_run(trace)
    return None if t_run is None else (t_run - t_start) * 1000


def exec_to_run_ms(tmp, argv):
    """C: execve to the first KVM_RUN for @argv, in ms."""
    trace = os.path.join(tmp, "trace")
    subprocess.run(strace_cmd(trace, argv), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=120, check=False)
    t_exec, t_run = first_kvm_run(trace)
    return None if t_exec is None or t_run is None else (t_run - t_exec) * 1000


def median(f, *args):
    vals = [v for v in (f(*args) for _ in range(RUNS)) if v is not None]
    return (statistics.median(vals), len(vals)) if vals else (None, 0)


def main():
    flavour = "unknown"
    for m in ("kvm_intel", "kvm_amd", "kvm_pvm"):
        if os.path.isdir(f"/sys/module/{m}"):
            flavour = m
    with tempfile.TemporaryDirectory(prefix="keel-bench-api.") as tmp:
        cfg = os.path.join(tmp, "vm.json")
        with open(cfg, "w") as f:
            json.dump({"boot-source": {"boot_args": BOOT_ARGS}, "machine-config": {"vcpu_count": 1, "mem_size_mib": 256}}, f)
        a, na = median(api_ready_ms, tmp)
        b, nb = median(instance_start_ms, tmp)
        c_run, nc1 = median(exec_to_run_ms, tmp, [KEEL, "run", "--mem", "256M", "--cmdline", BOOT_ARGS])
        c_fc, nc2 = median(exec_to_run_ms, tmp, [KEEL, "firecracker", "--no-api", "--config-file", cfg])
    if None in (a, b, c_run, c_fc):
        print("bench-api: a measurement failed (see above)", file=sys.stderr)
        return 1
    print(f"keel API benchmark, {time.strftime('%Y-%m-%d', time.gmtime())}, host KVM: {flavour}, {os.cpu_count()} CPUs")
    print(f"guest: the bundled guest, 256 MiB, 1 vCPU; medians of {RUNS} runs; measured here unless marked quoted")
    rows = [
        ("execve -> API socket answers GET /", f"{a:.2f} ms", "~12 ms wall, <= 8 CPU ms (quoted)"),
        ("InstanceStart -> guest's first instruction", f"{b:.2f} ms", "n/a (quoted: <= 125 ms to guest /sbin/init)"),
        ("keel run: execve -> first instruction", f"{c_run:.2f} ms", ""),
        ("keel firecracker --no-api --config-file: same", f"{c_fc:.2f} ms", ""),
    ]
    print(f"{'':48s} {'keel':>12s}   Firecracker (SPECIFICATION.md)")
    for name, k, f_ in rows:
        print(f"{name:48s} {k:>12s}   {f_}")
    print("first instruction = the first KVM_RUN, from strace -ttt (execve and ioctl traced: the same overhead for each row B-C)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
