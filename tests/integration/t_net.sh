# Integration: --net through the real binary: every bad spec (one stderr line, status 2), two keel VMs wired by sockets, a tap in a namespace (root).
# shellcheck shell=bash

# nbad NAME NEEDLE ARGS... : keel ARGS must exit 2 with exactly one stderr line containing NEEDLE
nbad() {
	local name=$1 needle=$2
	shift 2
	keel "$@"
	expect_bad "net/bad/$name" "$needle"
}

nd="$TMP/net"
mkdir -p "$nd"
long=$(printf 'p%.0s' $(seq 1 120))

nbad kind-bogus "--net bogus:x: not a network backend" run --net bogus:x
nbad needs-value "--net needs a value" run --net
nbad tap-no-name "no interface name given" run --net tap:
nbad tap-long-name "not an interface name" run --net tap:a-very-long-interface-name
nbad tap-slash "not an interface name" run --net tap:a/b
nbad tap-bad-option "unknown option 'peer=x'" run --net tap:keel0,peer=x
nbad tap-transport-twice "--net tap:keel0,transport=mmio,transport=pci: transport given twice" run --net tap:keel0,transport=mmio,transport=pci
nbad mac-bad "the mac must be six hex bytes" run --net tap:keel0,mac=02:00:00:00:00
nbad mac-multicast "is a multicast address" run --net tap:keel0,mac=01:00:00:00:00:01
nbad mac-zero "all zeros" run --net tap:keel0,mac=00:00:00:00:00:00
nbad mac-twice "mac given twice" run --net tap:keel0,mac=02:00:00:00:00:01,mac=02:00:00:00:00:02
nbad mac-duplicate "the mac is already used" run --net tap:k0,mac=02:00:00:00:00:01 --net tap:k1,mac=02:00:00:00:00:01
nbad tap-twice "tap k0 is already used" run --net tap:k0 --net tap:k0
nbad socket-no-path "no socket path given" run --net socket:
nbad socket-long-path "the socket path is too long" run --net "socket:/tmp/$long"
nbad socket-peer-empty "peer= needs a path" run --net "socket:$nd/a,peer="
nbad socket-peer-self "the peer is the socket itself" run --net "socket:$nd/a,peer=$nd/a"
nbad socket-same-path "already used by another --net" run --net "socket:$nd/a" --net "socket:$nd/a"
nbad socket-no-dir "No such file or directory" run --net "socket:$nd/no/such/dir/s"
# one more than the limits: 17 NICs; 16 disks, the rng and 16 NICs (33 virtio devices)
mapfile -t many_nics < <(for i in $(seq 0 16); do echo --net; echo "socket:n$i"; done)
mapfile -t many_disks < <(for i in $(seq 0 15); do echo --disk; echo "d$i"; done)
nbad too-many-nics "at most 16 network devices" run "${many_nics[@]}"
nbad too-many-devices "at most 32 virtio devices" run "${many_disks[@]}" --rng "${many_nics[@]:0:32}"
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$KEEL" run --net tap:keelnobody0 \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	if status_is 2 && err_lines 1 && err_has "--net tap:keelnobody0:"; then pass "net/bad/tap-not-permitted"
	else fail "net/bad/tap-not-permitted" "status $STATUS"; fi
fi

# A live socket is refused; a stale one (no server) is replaced.
python3 -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM); s.bind(sys.argv[1]); time.sleep(30)' "$nd/live" &
holder=$!
for _ in $(seq 1 50); do [ -S "$nd/live" ] && break; sleep 0.1; done
nbad socket-in-use "the socket path is in use" run --net "socket:$nd/live"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
keel run --net "socket:$nd/live"
check "net/socket/stale-replaced" "status $STATUS" [ "$STATUS" -eq 0 ]

# Two keel VMs wired by sockets boot the bundled guest (no driver yet) and exit cleanly.
for t in pci mmio; do
	( exec timeout -k 5 "$LIMIT" "$KEEL" run --virtio-transport "$t" --net "socket:$nd/a.$t,peer=$nd/b.$t" \
		</dev/null >"$TMP/vm-a.out" 2>"$TMP/vm-a.err" ) &
	a=$!
	keel run --virtio-transport "$t" --net "socket:$nd/b.$t,peer=$nd/a.$t,mac=02:00:00:00:00:0b" --cpus 2
	wait "$a"
	sa=$?
	expect_status "net/$t/two-vms/status-b" 0
	check "net/$t/two-vms/status-a" "status $sa" [ "$sa" -eq 0 ]
	check "net/$t/two-vms/report" "no 'guest: N passed, 0 failed' line" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "net/$t/two-vms/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ] && [ ! -s "$TMP/vm-a.err" ]
	check "net/$t/two-vms/sockets-removed" "socket files left behind" [ ! -e "$nd/a.$t" ] && [ ! -e "$nd/b.$t" ]
done

# As root: keel creates a tap inside a namespace this test makes, boots, and the tap goes with it.
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null && ip netns add "keel-test-$$" 2>/dev/null; then
	timeout -k 5 "$LIMIT" ip netns exec "keel-test-$$" "$KEEL" run --net tap:keeltap0,mac=02:00:00:00:00:0c \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	expect_status "net/tap/boot" 0
	check "net/tap/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
	check "net/tap/removed" "the tap outlived keel" bash -c "! ip netns exec keel-test-$$ ip link show keeltap0 >/dev/null 2>&1"
	# a persistent tap is the user's: the guest's link is up when the tap is (keel brings up only taps it made)
	ip netns exec "keel-test-$$" ip tuntap add dev keelp0 mode tap
	timeout -k 5 "$LIMIT" ip netns exec "keel-test-$$" "$KEEL" run --net tap:keelp0 </dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	expect_status "net/tap/persistent-down-is-link-down" 3
	check "net/tap/persistent-down-guest-says" "the guest did not see the link down" out_has "the device's status says the link is down"
	ip netns exec "keel-test-$$" ip link set keelp0 up
	timeout -k 5 "$LIMIT" ip netns exec "keel-test-$$" "$KEEL" run --net tap:keelp0 </dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	expect_status "net/tap/persistent-attached" 0
	check "net/tap/persistent-kept" "the persistent tap vanished" ip netns exec "keel-test-$$" ip link show keelp0 >/dev/null
	ip netns del "keel-test-$$"
else
	fail "net/tap/available" "the tap tests need root, iproute2's ip and network namespaces (uid $(id -u); mk/deps.sh test installs iproute2)"
fi
