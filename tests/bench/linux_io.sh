#!/usr/bin/env bash
# make bench-linux-io: Debian's kernel (the guest of tests/integration/t_linux.sh) doing block and network I/O
# through its own virtio drivers on keel's devices, beside the same work done by the host in the same run:
#   disk  keeltest bench (tests/linux/keeltest.c: O_DIRECT requests, a thread per request in flight) inside
#         Linux on /dev/vdX, and the same binary on the host on the same image file: sequential 1 MiB reads
#         and writes at depth 1, random 4 KiB reads and writes at depth 1 and 32
#   net   10^8 bytes (kvm_pvm: 4*10^6) each way over TCP between the host and Linux through a tap (the host's side in a network
#         namespace), and the same transfer over the namespace's own host-local route (the tap's host side
#         talking to itself), timed by the host (tests/linux/virtio_host.py tcp)
# Prints a table with the ratios (guest / host), writes build/bench/linux-io.json (date, KVM flavour). Never
# asserts a figure; fails (status 1) when the guest's work fails. Root (the tap and the namespace).
#   BENCH_LINUX_IO_SECONDS=S     seconds per disk pattern (default 10)
#   BENCH_LINUX_IO_TCP_BYTES=N   bytes each way (default 100000000; 4000000 on kvm_pvm hosts, where the guest's
#                                ring 0 is emulated and moves a few MB a minute)
#   BENCH_LINUX_IO_TIMEOUT=S     the VM is killed and the run failed after S seconds (default 2400)
#   KEEL=PATH (default build/keel), LINUX_DIR=DIR (default build/linux), BENCH_LINUX_IO_JSON=FILE
# Slow on kvm_pvm hosts: the boot alone takes 10-15 minutes there (the guest's ring 0 is emulated).
set -u
set -o pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
KEEL=${KEEL:-build/keel}
LINUX_DIR=${LINUX_DIR:-build/linux}
SECS=${BENCH_LINUX_IO_SECONDS:-10}
if [ -d /sys/module/kvm_pvm ]; then TCP=${BENCH_LINUX_IO_TCP_BYTES:-4000000}; else TCP=${BENCH_LINUX_IO_TCP_BYTES:-100000000}; fi
TIMEOUT=${BENCH_LINUX_IO_TIMEOUT:-2400}
JSON=${BENCH_LINUX_IO_JSON:-build/bench/linux-io.json}
dir=$(dirname "$JSON")/linux-io
ns=keel-bench-io-$$
mac=52:54:00:6b:00:02
die() { echo "bench-linux-io: $*" >&2; exit 1; }

case $SECS in '' | *[!0-9]* | 0) die "BENCH_LINUX_IO_SECONDS must be a positive number (got '$SECS')" ;; esac
case $TCP in '' | *[!0-9]* | 0) die "BENCH_LINUX_IO_TCP_BYTES must be a positive number (got '$TCP')" ;; esac
[ "$(id -u)" = 0 ] || die "needs root: the guest's network is a tap in a network namespace this makes"
bash mk/deps.sh bench test || exit 1
[ -x "$KEEL" ] || die "$KEEL is missing: run make first"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory linux-guest LINUX_DIR="$LINUX_DIR" ||
	die "make linux-guest failed: no Linux guest to boot"
dir_keep=$LINUX_DIR
# shellcheck source=tests/linux/harness.sh
. tests/linux/harness.sh # linux_host_params (it sets LINUX_DIR from KEEL_LINUX_DIR: ours stays)
LINUX_DIR=$dir_keep
mkdir -p "$dir" || die "cannot create $dir"
flavour=unknown
for m in kvm_intel kvm_amd kvm_pvm; do [ -d /sys/module/$m ] && flavour=$m; done

# the disk: 512 MiB of written data (reads of holes would never reach the disk)
img=$dir/disk.img
echo "bench-linux-io: writing the 512 MiB image $img" >&2
dd if=/dev/urandom of="$img" bs=1M count=512 conv=fsync status=none || die "cannot write $img"

cleanup() { ip netns del "$ns" 2>/dev/null; [ -n "${client:-}" ] && kill "$client" 2>/dev/null; }
trap cleanup EXIT
ip netns add "$ns" || die "ip netns add failed"
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip tuntap add dev keeltap0 mode tap vnet_hdr
ip netns exec "$ns" ip addr add 10.77.0.1/24 dev keeltap0
ip netns exec "$ns" ip link set keeltap0 up
ip netns exec "$ns" python3 tests/linux/virtio_host.py tcp 10.77.0.2 5001 "$TCP" "$dir/tcp.guest" 2>"$dir/tcp.err" &
client=$!

cmdline="console=ttyS0 panic=-1 cryptomgr.notests ipv6.disable=1 $(linux_host_params) keeltest.bench=$SECS"
cmdline="$cmdline keeltest.mac=$mac keeltest.tcp=$TCP keeltest.end"
echo "bench-linux-io: booting $(cat "$LINUX_DIR/version") under keel ($flavour; 10-15 min to /init on kvm_pvm)" >&2
timeout -k 5 "$TIMEOUT" ip netns exec "$ns" "$KEEL" run --kernel "$LINUX_DIR/vmlinuz" --initrd "$LINUX_DIR/initramfs.cpio" \
	--cpus 2 --mem 1G --disk "$img,id=keel-bench" --net "tap:keeltap0,mac=$mac" --cmdline "$cmdline" \
	</dev/null >"$dir/guest.log" 2>"$dir/guest.err"
st=$?
wait "$client"
client=""
tr -d '\r' <"$dir/guest.log" | grep -E '^(ok|not ok|keeltest: bench|keeltest: tcp)' >&2
[ "$st" = 0 ] || die "keel exited with status $st (log: $dir/guest.log)"
grep -q '^not ok' "$dir/guest.log" && die "the guest's work failed (log: $dir/guest.log)"

# the same work on the host, now that the VM is gone: the same binary on the same image, then TCP over
# the namespace's host-local route
echo "bench-linux-io: the same work on the host" >&2
: >"$dir/host.log"
for r in "read 1048576 1" "write 1048576 1" "randread 4096 1" "randread 4096 32" "randwrite 4096 1" "randwrite 4096 32"; do
	# shellcheck disable=SC2086  # the words of $r are the arguments
	set -- $r
	"$LINUX_DIR/keeltest" bench "$img" "$1" "$2" "$3" "$SECS" >>"$dir/host.log" || die "keeltest bench on the host failed"
done
ip netns exec "$ns" "$LINUX_DIR/keeltest" tcp-serve 5002 "$TCP" >/dev/null &
server=$!
ip netns exec "$ns" python3 tests/linux/virtio_host.py tcp 10.77.0.1 5002 "$TCP" "$dir/tcp.host" 2>>"$dir/tcp.err" ||
	die "the host's own TCP transfer failed"
wait "$server"

python3 - "$dir" "$JSON" "$flavour" "$SECS" "$TCP" <<'EOF'
import json, re, sys, time
d, out, flavour, secs, nbytes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
pat = re.compile(r"keeltest: bench (\S+) bs=(\d+) depth=(\d+): ([\d.]+) MB/s (\d+) IOPS")
def bench(path):
    return {(m[1], int(m[2]), int(m[3])): (float(m[4]), int(m[5])) for m in pat.finditer(open(path).read())}
def tcp(path):
    t = dict(re.findall(r"(to-peer|from-peer) ([\d.]+)", open(path).read()))
    return {k: nbytes / float(v) / 1e6 for k, v in t.items()}
g, h = bench(f"{d}/guest.log"), bench(f"{d}/host.log")
gt, ht = tcp(f"{d}/tcp.guest"), tcp(f"{d}/tcp.host")
rows = []
print(f"bench-linux-io {time.strftime('%Y-%m-%d')} on {flavour}: Linux's virtio drivers on keel vs the host, same work")
print(f"{'work':34} {'guest':>12} {'host':>12} {'guest/host':>10}")
for k in sorted(h, key=lambda k: (k[1] < 65536, k[0], k[2])):
    gv, hv = g.get(k), h[k]
    unit, gi, hi = ("MB/s", 0, 0) if k[1] >= 65536 else ("IOPS", 1, 1)
    name = f"{k[0]} {k[1] // 1024} KiB depth {k[2]} ({unit})"
    gx = gv[gi] if gv else None
    ratio = gx / hv[hi] if gx else None
    rows.append({"work": name, "unit": unit, "guest": gx, "host": hv[hi], "ratio": ratio})
    print(f"{name:34} {gx if gx is not None else '-':>12} {hv[hi]:>12} {'-' if ratio is None else format(ratio, '.3g'):>10}")
for k, name in (("to-peer", "TCP host -> guest (MB/s)"), ("from-peer", "TCP guest -> host (MB/s)")):
    gx, hx = gt.get(k), ht.get(k)
    ratio = gx / hx if gx and hx else None
    rows.append({"work": name, "unit": "MB/s", "guest": gx, "host": hx, "ratio": ratio})
    print(f"{name:34} {'-' if gx is None else format(gx, '.3g'):>12} {'-' if hx is None else format(hx, '.3g'):>12} {'-' if ratio is None else format(ratio, '.3g'):>10}")
json.dump({"date": time.strftime("%Y-%m-%d"), "kvm": flavour, "seconds_per_pattern": secs, "tcp_bytes": nbytes,
           "rows": rows}, open(out, "w"), indent=1)
print(f"(written to {out}; logs in {d})")
EOF
