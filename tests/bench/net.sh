#!/usr/bin/env bash
# make bench-net: UDP echo through a tap between the host and the bundled guest (net-serve=), for keel
# and for QEMU (virtio-net-pci, vhost off) booting the same guest, measured in one run; ratios printed.
# Needs root (a tap in a network namespace made here, removed after). Every wait is bounded.
set -u
: "${KEEL:?}" "${GUEST_ELF:?}"
SECONDS_EACH=${BENCH_NET_SECONDS:-5}
WINDOW=${BENCH_NET_WINDOW:-32}
MEM_MIB=256
ns="keel-bnet-$$"
tmp=$(mktemp -d /tmp/keel-bench-net.XXXXXX)
cleanup() { ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

if [ "$(id -u)" -ne 0 ]; then echo "bench-net: needs root (a tap in a network namespace)" >&2; exit 1; fi
flavour=unknown
for m in kvm_intel kvm_amd kvm_pvm; do [ -d /sys/module/$m ] && flavour=$m; done

cat >"$tmp/load.py" <<'PY'
import select, socket, struct, sys, time
dst, size, secs, window = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.connect((dst, 7))
body = bytes((i * 7) & 255 for i in range(max(0, size - 8)))
out, seq, done, bad = {}, 0, 0, 0
start = time.time()
end = start + secs
while time.time() < end:
    while len(out) < window:
        s.send(struct.pack('!Q', seq) + body)
        out[seq] = time.time()
        seq += 1
    r, _, _ = select.select([s], [], [], 0.1)
    if r:
        while True:
            try:
                d = s.recv(4096, socket.MSG_DONTWAIT)
            except BlockingIOError:
                break
            q = struct.unpack('!Q', d[:8])[0]
            if d[8:] != body:
                bad += 1
            if out.pop(q, None) is not None:
                done += 1
    now = time.time()
    for q, t in list(out.items()):
        if now - t > 1.0:
            del out[q]		# lost: counted as not echoed, replaced by a new one
el = time.time() - start
print('%d %.1f %.3f %d' % (size, done / el, done * size / el / 1e6, bad))
PY

# run_vmm NAME CMD... : boot CMD in the namespace with the guest serving, load it at two sizes, stop it.
run_vmm() {
	local name=$1 pid i
	shift
	ip netns exec "$ns" ip tuntap add dev kbt0 mode tap
	ip netns exec "$ns" ip addr add 10.0.2.2/24 dev kbt0
	ip netns exec "$ns" ip link set kbt0 up
	timeout -k 5 120 ip netns exec "$ns" "$@" >"$tmp/$name.out" 2>&1 </dev/null &
	pid=$!
	for i in $(seq 1 600); do grep -qE '^(not )?ok 1 - net/link-up' "$tmp/$name.out" 2>/dev/null && break; sleep 0.1; done
	if ! grep -q '^ok 1 - net/link-up$' "$tmp/$name.out"; then
		echo "$name: the guest's network did not come up:" >&2; tail -n 5 "$tmp/$name.out" >&2
		kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; ip netns exec "$ns" ip link del kbt0
		return 1
	fi
	sleep 0.5
	ip netns exec "$ns" timeout 60 python3 "$tmp/load.py" 10.0.2.15 1472 "$SECONDS_EACH" "$WINDOW" >"$tmp/$name.big"
	ip netns exec "$ns" timeout 60 python3 "$tmp/load.py" 10.0.2.15 18 "$SECONDS_EACH" "$WINDOW" >"$tmp/$name.small"
	ip netns exec "$ns" python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); [s.sendto(b"keel-net-quit", ("10.0.2.15", 7)) for _ in range(3)]'
	wait "$pid"
	ip netns exec "$ns" ip link del kbt0 2>/dev/null
	return 0
}

ip netns add "$ns" || exit 1
ip netns exec "$ns" ip link set lo up
cmdline="tests=net/link-up,net/serve ip=10.0.2.15/24 net-serve=100"
echo "keel network benchmark, $(date -u +%Y-%m-%d), host KVM: $flavour, $(nproc) CPUs"
echo "the bundled guest (1 vCPU, ${MEM_MIB} MiB) answers UDP echo in ring 0, polled; the host keeps $WINDOW datagrams"
echo "in flight for ${SECONDS_EACH} s per size through a tap (host 10.0.2.2, guest 10.0.2.15) in a namespace"
run_vmm keel "$KEEL" run --mem "${MEM_MIB}M" --net tap:kbt0 --cmdline "$cmdline" || exit 1
have_qemu=0
if command -v qemu-system-x86_64 >/dev/null &&
	run_vmm qemu qemu-system-x86_64 -accel kvm -M pc -cpu host,arch-capabilities=off -smp 1 -m "${MEM_MIB}M" -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-netdev tap,id=n0,ifname=kbt0,script=no,downscript=no,vhost=off \
		-device virtio-net-pci,netdev=n0,disable-legacy=on,mac=02:00:00:00:00:0f \
		-kernel "$GUEST_ELF" -append "$cmdline"; then
	have_qemu=1
fi

read -r _ kb_pps kb_mbs kb_bad <"$tmp/keel.big"
read -r _ ks_pps _ ks_bad <"$tmp/keel.small"
printf '%-34s %12s %12s\n' "" keel QEMU
if [ "$have_qemu" -eq 1 ]; then
	read -r _ qb_pps qb_mbs qb_bad <"$tmp/qemu.big"
	read -r _ qs_pps _ qs_bad <"$tmp/qemu.small"
	printf '%-34s %12s %12s   keel/QEMU %s\n' "1472-byte echo, MB/s each way" "$kb_mbs" "$qb_mbs" \
		"$(awk -v a="$kb_mbs" -v b="$qb_mbs" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
	printf '%-34s %12s %12s   keel/QEMU %s\n' "18-byte echo, datagrams/s" "$ks_pps" "$qs_pps" \
		"$(awk -v a="$ks_pps" -v b="$qs_pps" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')"
	[ "$((kb_bad + ks_bad + qb_bad + qs_bad))" -eq 0 ] || { echo "bench-net: corrupted echoes" >&2; exit 1; }
else
	printf '%-34s %12s %12s\n' "1472-byte echo, MB/s each way" "$kb_mbs" "-"
	printf '%-34s %12s %12s\n' "18-byte echo, datagrams/s" "$ks_pps" "-"
	echo "QEMU: not measured (not installed or its guest did not come up; see above)"
	[ "$((kb_bad + ks_bad))" -eq 0 ] || { echo "bench-net: corrupted echoes" >&2; exit 1; }
fi
