# Integration: the guest's own network stack (guest/net, guest/drivers/virtio_net.c): two keel VMs
# joined by sockets ping each other; as root, a tap in a namespace made here: the host pings the
# guest, the guest pings the host, and 10 MB go each way by UDP echo with every byte checked.
# shellcheck shell=bash

# The host side: ICMP echo, a windowed UDP echo transfer with every byte checked, the quit datagram.
cat >"$TMP/netpeer.py" <<'PY'
import os, select, socket, struct, sys, time

def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ping(dst, count, wait):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    ident, got = os.getpid() & 0xffff, 0
    for seq in range(1, count + 1):
        body = struct.pack('!HH', ident, seq) + bytes(range(56))
        pkt = struct.pack('!BBH', 8, 0, 0) + body
        pkt = struct.pack('!BBH', 8, 0, csum(pkt)) + body
        s.sendto(pkt, (dst, 0))
        end = time.time() + wait
        while time.time() < end:
            r, _, _ = select.select([s], [], [], max(0, end - time.time()))
            if not r:
                break
            data, addr = s.recvfrom(2048)
            ihl = (data[0] & 15) * 4
            t, _, _, i, q = struct.unpack('!BBHHH', data[ihl:ihl + 8])
            if addr[0] == dst and t == 0 and i == ident and q == seq and csum(data[ihl:]) == 0 and data[ihl + 8:] == bytes(range(56)):
                got += 1
                break
    print('ping %s: %d of %d replies' % (dst, got, count))
    return got == count

def udp(dst, total, limit):
    size, window = 1472, 32
    n = (total + size - 1) // size
    pats = [bytes(((i * 7 + k) & 255) for i in range(size - 8)) for k in range(251)]
    def payload(seq):
        return struct.pack('!Q', seq) + pats[seq % 251]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
    s.bind(('0.0.0.0', 0))
    s.connect((dst, 7))
    sent = {}
    done, nxt, resent, bad = 0, 0, 0, 0
    seen = bytearray(n)
    start = time.time()
    end = start + limit
    while done < n and time.time() < end:
        while nxt < n and len(sent) < window:
            s.send(payload(nxt))
            sent[nxt] = time.time()
            nxt += 1
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            while True:
                try:
                    data = s.recv(2048, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    break
                seq = struct.unpack('!Q', data[:8])[0] if len(data) >= 8 else n
                if seq >= n or data != payload(seq):
                    bad += 1
                    continue
                if not seen[seq]:
                    seen[seq] = 1
                    done += 1
                    sent.pop(seq, None)
        now = time.time()
        for seq, t in list(sent.items()):
            if now - t > 1.0:
                s.send(payload(seq))
                sent[seq] = now
                resent += 1
    el = time.time() - start
    print('udp %s: %d of %d datagrams (%d bytes each way) echoed intact in %.1f s, %d resent, %d bad' %
          (dst, done, n, n * size, el, resent, bad))
    return done == n and bad == 0

def quit(dst):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(3):
        s.sendto(b'keel-net-quit', (dst, 7))
    return True

cmd = sys.argv[1]
if cmd == 'ping':
    ok = ping(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
elif cmd == 'udp':
    ok = udp(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
else:
    ok = quit(sys.argv[2])
sys.exit(0 if ok else 1)
PY

ngd="$TMP/netguest"
mkdir -p "$ngd"

# (a) Two VMs by sockets: A serves until B, having resolved, pinged and UDP-echoed it, says quit.
for t in pci mmio; do
	( exec timeout -k 5 "$LIMIT" "$KEEL" run --virtio-transport "$t" --net "socket:$ngd/a.$t,peer=$ngd/b.$t" \
		--cmdline "tests=net ip=10.0.2.15/24 net-serve=60" </dev/null >"$TMP/vm-a.out" 2>"$TMP/vm-a.err" ) &
	a=$!
	keel run --virtio-transport "$t" --net "socket:$ngd/b.$t,peer=$ngd/a.$t,mac=02:00:00:00:00:0b" \
		--cmdline "tests=net ip=10.0.2.16/24 net-peer=10.0.2.15 net-peer-udp=1 net-stop-peer=1"
	wait "$a"
	sa=$?
	expect_status "net-guest/$t/pinger-status" 0
	for c in link-up arp-peer ping-peer udp-peer stop-peer; do
		check "net-guest/$t/pinger-$c" "no 'ok N - net/$c' without SKIP" grep -qE "^ok [0-9]+ - net/$c\$" "$TMP/out"
	done
	check "net-guest/$t/server-status" "status $sa" [ "$sa" -eq 0 ]
	check "net-guest/$t/server-quit" "the server did not serve until told to quit" \
		grep -q "^# served until told to quit: [1-9][0-9]* ARP, 4 ICMP echo, [4-9][0-9]* UDP echo" "$TMP/vm-a.out"
done

# (b), (c) As root: a persistent tap with the host's end at 10.0.2.2 in a namespace made here.
ns="keel-gnet-$$"
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null && ip netns add "$ns" 2>/dev/null; then
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" ip tuntap add dev kgt0 mode tap
	ip netns exec "$ns" ip addr add 10.0.2.2/24 dev kgt0
	ip netns exec "$ns" ip link set kgt0 up
	( exec timeout -k 5 "$LIMIT" ip netns exec "$ns" "$KEEL" run --net tap:kgt0 \
		--cmdline "tests=net ip=10.0.2.15/24 net-peer=10.0.2.2 net-serve=120" </dev/null >"$TMP/out" 2>"$TMP/err" ) &
	g=$!
	# The guest pings the host first, then serves: wait (bounded) for the serve check to start.
	for _ in $(seq 1 300); do grep -q 'net/udp-peer' "$TMP/out" 2>/dev/null && break; sleep 0.1; done
	check "net-guest/tap/host-pings-guest" "no replies" \
		timeout 30 ip netns exec "$ns" python3 "$TMP/netpeer.py" ping 10.0.2.15 5 2
	check "net-guest/tap/host-ping-tool" "the host's ping(8) got no replies" \
		timeout 30 ip netns exec "$ns" ping -c 3 -W 2 10.0.2.15
	timeout 150 ip netns exec "$ns" python3 "$TMP/netpeer.py" udp 10.0.2.15 10485760 120 >"$TMP/udp.log" 2>&1
	st=$?
	cat "$TMP/udp.log" | sed 's/^/# /'
	check "net-guest/tap/udp-10mb-each-way" "status $st: $(cat "$TMP/udp.log")" [ "$st" -eq 0 ]
	ip netns exec "$ns" python3 "$TMP/netpeer.py" quit 10.0.2.15
	wait "$g"
	STATUS=$?
	expect_status "net-guest/tap/status" 0
	for c in link-up arp-peer ping-peer serve; do
		check "net-guest/tap/guest-$c" "no 'ok N - net/$c' without SKIP" grep -qE "^ok [0-9]+ - net/$c\$" "$TMP/out"
	done
	check "net-guest/tap/served-until-quit" "the guest did not serve until told to quit" \
		grep -q "^# served until told to quit" "$TMP/out"
	grep '^# served' "$TMP/out"
	ip netns del "$ns"
else
	fail "net-guest/tap/available" "the tap tests need root, iproute2's ip and network namespaces (uid $(id -u); mk/deps.sh test installs iproute2)"
fi
