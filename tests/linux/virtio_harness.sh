# The host's side of the Linux guest's virtio checks (tests/linux/virtio.sh), for tests/integration/t_linux.sh:
# the disk images, the console's files, the network namespace with its tap, the devices' options and the
# kernel's parameters, and the checks of what the guest left behind. Sourced after tests/linux/harness.sh.
# shellcheck shell=bash
#
# The machine: every device type on a transport of its own, so that one boot drives both transports and
# both ways of raising interrupts:
#   keel-data  virtio-blk, PCI with MSI-X   32 MiB, ext2 with files the host reads back (debugfs)
#   keel-raw   virtio-blk, MMIO              32 MiB, scattered blocks at depths 1-32, discard, write-zeroes
#   keel-ro    virtio-blk, PCI INTx only     8 GiB sparse, read-only, a text in its last sector
#   keel-kill  virtio-blk, PCI INTx only     16 MiB: the guest's last writes, synced, then keel is killed
#                                            with SIGKILL (so this boot ends without a power-off)
#   console    virtio-console, MMIO          hvc0 on a Unix socket the host serves: Linux's console
#                                            (console=hvc0) and a line each way
#   rng        virtio-rng, PCI INTx only     /dev/hwrng
#   peer NIC   virtio-net, MMIO              the socket backend to a second keel VM (the bundled guest,
#                                            started when Linux asks): Linux pings it
#   eth0       virtio-net, PCI with MSI-X    a tap in a network namespace (root only; else left out):
#                                            ping both ways, 10 MB each way over TCP, the
#                                            tap set down and up (the guest's carrier follows)
#   fw_cfg     ports 0x510-0x51b (ACPI QEMU0002) Linux's qemu_fw_cfg lists opt/keel/linux (--fw-cfg string=)
#   vsock      virtio-vsock, PCI with MSI-X  keel's hybrid backend on vsock.sock: 16 host connections at
#                                            once echoed by the guest, the guest's own echoed by the host
#                                            (tests/linux/vsock_host.py)

# How much I/O: the issue's amounts on ordinary KVM; on kvm_pvm hosts, where the guest's ring 0 is
# emulated and Linux manages a few block requests and a few dozen 64-byte rng requests a second (the
# timer tick alone takes most of the emulated instructions), enough to drive every path in minutes.
if [ -d /sys/module/kvm_pvm ]; then
	VT_TCP_BYTES=1048576 VT_BLOCKS=64 VT_RNG=16384 VT_VSOCK_BYTES=65536
else
	VT_TCP_BYTES=10485760 VT_BLOCKS=2048 VT_RNG=1048576 VT_VSOCK_BYTES=1048576
fi
VT_VSOCK_CONNS=16
VT_MAC=52:54:00:6b:00:01
VT_PEER_MAC=52:54:00:6b:00:03

# vt_prepare DIR TOKEN: make the images and files in DIR, and the namespace when root can; sets VT_ARGS
# (keel's options), VT_PARAMS (the kernel's parameters) and VT_NS (the namespace, "" without one)
vt_prepare() {
	VT_DIR=$1
	local token=$2 ndev=8 # 4 disks, console, rng, the peer NIC, vsock
	rm -rf "$VT_DIR"
	mkdir -p "$VT_DIR"
	truncate -s 32M "$VT_DIR/data.img"
	truncate -s 32M "$VT_DIR/raw.img"
	truncate -s 8G "$VT_DIR/ro.img"
	truncate -s 16M "$VT_DIR/kill.img"
	printf 'keel-last-%s\n' "$token" | dd of="$VT_DIR/ro.img" bs=512 seek=$((8 * 2097152 - 1)) conv=notrunc,sync status=none
	vt_ro_state >"$VT_DIR/ro.before"
	# the console's other end: what the guest writes goes to hvc.out; our line goes in once the guest
	# has hvc0 open (virtio.sh says so first)
	python3 "$LINUX_ROOT/tests/linux/virtio_host.py" console "$VT_DIR/hvc.sock" "$VT_DIR/hvc.out" "$TMP/out" \
		"keeltest: hvc0: reading" "keeltest hvc0 in $token" 2>"$VT_DIR/hvc.err" &
	VT_CON_PID=$!
	for _ in $(seq 1 100); do [ -S "$VT_DIR/hvc.sock" ] && break; sleep 0.1; done
	VT_ARGS=(--disk "$VT_DIR/data.img,id=keel-data" --disk "$VT_DIR/raw.img,id=keel-raw,transport=mmio"
		--disk "$VT_DIR/ro.img,id=keel-ro,readonly,msix=off" --disk "$VT_DIR/kill.img,id=keel-kill,msix=off"
		--console "socket:$VT_DIR/hvc.sock,transport=mmio" --rng=msix=off
		--net "socket:$VT_DIR/linux.sock,peer=$VT_DIR/peer.sock,mac=$VT_PEER_MAC,transport=mmio"
		--fw-cfg "name=opt/keel/linux,string=keel-fwcfg-$token" --vsock "cid=3,uds=$VT_DIR/vsock.sock")
	VT_PARAMS="console=hvc0 keeltest.hvc=$token keeltest.last=keel-last-$token keeltest.peer=$VT_PEER_MAC keeltest.kill=1"
	VT_PARAMS="$VT_PARAMS keeltest.blocks=$VT_BLOCKS keeltest.rng=$VT_RNG keeltest.fwcfg=keel-fwcfg-$token"
	VT_PARAMS="$VT_PARAMS keeltest.vsock=5000:$VT_VSOCK_CONNS:6000:$VT_VSOCK_BYTES"
	# vsock's host side: the guest's connections to host port 6000 echoed, VT_VSOCK_CONNS to guest port 5000
	python3 "$LINUX_ROOT/tests/linux/vsock_host.py" "$VT_DIR/vsock.sock" "$TMP/out" 5000 "$VT_VSOCK_CONNS" 6000 \
		"$VT_VSOCK_BYTES" "keeltest: vsock: guest done ($token)" "keeltest: vsock: listening on 5000 ($token)" \
		>"$VT_DIR/vsock.host" 2>"$VT_DIR/vsock.err" &
	VT_VSOCK_PID=$!
	# the second VM: the bundled guest, serving ARP and ping on the other end of the socket pair once
	# Linux asks (it polls in ring 0, so it only runs while it is needed)
	(until grep -q "keeltest: peer: start" "$TMP/out" 2>/dev/null; do sleep 1; done
		exec timeout -k 5 600 "$KEEL" run --net "socket:$VT_DIR/peer.sock,peer=$VT_DIR/linux.sock" \
			--cmdline "tests=net ip=10.0.3.2/24 net-serve=240" </dev/null >"$VT_DIR/peer.out" 2>&1) &
	VT_PEER_PID=$!
	VT_NS="" VT_PING_PID="" VT_TCP_PID="" VT_LINK_PID=""
	if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && ip netns add "keel-linux-$$" 2>/dev/null; then
		VT_NS=keel-linux-$$
		ip netns exec "$VT_NS" ip link set lo up
		ip netns exec "$VT_NS" ip tuntap add dev keeltap0 mode tap vnet_hdr
		ip netns exec "$VT_NS" ip addr add 10.77.0.1/24 dev keeltap0
		ip netns exec "$VT_NS" ip link set keeltap0 up
		VT_ARGS+=(--net "tap:keeltap0,mac=$VT_MAC")
		VT_PARAMS="$VT_PARAMS keeltest.mac=$VT_MAC keeltest.tcp=$VT_TCP_BYTES"
		ndev=$((ndev + 1))
		# the host's side runs beside the VM: it pings the guest once eth0 answers, then connects
		# to the guest's TCP server (both retry until the guest is there, as long as keel may run)
		(ip netns exec "$VT_NS" timeout "${KEEL_LINUX_TIMEOUT:-2400}" sh -c 'until ping -c 1 -W 2 10.77.0.2 >/dev/null 2>&1; do sleep 3; done; ping -c 3 -W 5 10.77.0.2' \
			>"$VT_DIR/ping.host" 2>&1) &
		VT_PING_PID=$!
		(ip netns exec "$VT_NS" env VT_WAIT="${KEEL_LINUX_TIMEOUT:-2400}" python3 "$LINUX_ROOT/tests/linux/virtio_host.py" tcp 10.77.0.2 5001 $VT_TCP_BYTES \
			"$VT_DIR/tcp.host" keeltap0 2>"$VT_DIR/tcp.err") &
		VT_TCP_PID=$!
		# the link: down and up again when the guest asks (vt_link)
		(for s in down up; do
			until grep -q "keeltest: link: set the tap $s" "$TMP/out" 2>/dev/null; do sleep 1; done
			ip netns exec "$VT_NS" ip link set keeltap0 "$s"
		done) &
		VT_LINK_PID=$!
	fi
	VT_PARAMS="$VT_PARAMS keeltest.virtio=$ndev"
}

# vt_kill_when_synced PID: SIGKILL to keel (the child of PID, timeout(1)) once the guest says its last
# writes are synced; run in the background beside the VM
vt_kill_when_synced() {
	until grep -q "keeltest: kill: synced" "$TMP/out" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || return
		sleep 0.2
	done
	pkill -KILL -P "$1"
}

# vt_ro_state: what must not change in the read-only image: size, mtime, the first and last MiB
vt_ro_state() {
	stat -c '%s %Y' "$VT_DIR/ro.img"
	head -c 1M "$VT_DIR/ro.img" | md5sum
	tail -c 1M "$VT_DIR/ro.img" | md5sum
}

# vt_cleanup: the namespace and the host's helpers
vt_cleanup() {
	[ -n "${VT_PEER_PID:-}" ] && kill "$VT_PEER_PID" 2>/dev/null
	[ -n "${VT_CON_PID:-}" ] && kill "$VT_CON_PID" 2>/dev/null
	[ -n "${VT_VSOCK_PID:-}" ] && kill "$VT_VSOCK_PID" 2>/dev/null
	[ -n "${VT_PING_PID:-}" ] && kill "$VT_PING_PID" 2>/dev/null
	[ -n "${VT_TCP_PID:-}" ] && kill "$VT_TCP_PID" 2>/dev/null
	[ -n "${VT_LINK_PID:-}" ] && kill "$VT_LINK_PID" 2>/dev/null
	wait 2>/dev/null
	[ -n "$VT_NS" ] && ip netns del "$VT_NS" 2>/dev/null
}

# vt_guest_line REGEX: the last line of the guest's output that matches (CR stripped)
vt_guest_line() { grep -E "$1" "$TMP/out" | tr -d '\r' | tail -n 1; }

# vt_tcp_ok: both ends moved VT_TCP_BYTES each way and agree on both checksums (the guest prints
# "received N bytes crc32 X, sent M bytes crc32 Y", the host wrote "sent N crc32 X received M crc32 Y")
vt_tcp_ok() {
	local g h
	g=$(vt_guest_line '^keeltest: tcp received ' |
		sed -E 's/^keeltest: tcp received ([0-9]+) bytes crc32 ([0-9a-f]+), sent ([0-9]+) bytes crc32 ([0-9a-f]+)$/sent \1 crc32 \2 received \3 crc32 \4/')
	h=$(head -n 1 "$VT_DIR/tcp.host" 2>/dev/null)
	[ -n "$g" ] && [ "$g" = "$h" ] && [[ $h == "sent $VT_TCP_BYTES crc32 "*" received $VT_TCP_BYTES crc32 "* ]]
}

# vt_check: after the VM is gone, what the host sees of what the guest did
vt_check() {
	local f want got line
	# what the guest saw: each device type over its transport (virtio.sh's discovery lines)
	for want in "blk over pci \(msix\)" "blk over mmio \(ioapic\)" "blk over pci \(intx\)" "console over mmio \(ioapic\)" \
		"rng over pci \(intx\)" "net over mmio \(ioapic\)" "vsock over pci \(msix\)"; do
		check "linux/virtio/found: ${want//\\/}" "the guest did not list a $want device bound to its driver" \
			grep -qE "keeltest: virtio[0-9]+ $want driver (virtio_|vmw_vsock_virtio)" "$TMP/out"
	done
	# the data disk's files, read by the host from the image (e2fsprogs' debugfs)
	if command -v debugfs >/dev/null; then
		for f in a b c; do
			line=$(vt_guest_line "^keeltest: file $f md5 ")
			want=${line##* }
			got=$(debugfs -R "cat /$f" "$VT_DIR/data.img" 2>/dev/null | md5sum | cut -d' ' -f1)
			check "linux/virtio/blk/host-reads-file-$f" "the image's /$f has md5 $got, the guest wrote ${want:-nothing}" \
				test -n "$want" -a "$want" = "$got"
		done
	else
		fail "linux/virtio/blk/host-reads-files" "debugfs (e2fsprogs) is missing: make deps"
	fi
	check "linux/virtio/blk/sigkill-after-sync-lost-nothing" "the guest's synced blocks are not all in the image after SIGKILL" \
		python3 "$LINUX_ROOT/tests/linux/virtio_host.py" blocks "$VT_DIR/kill.img" 777 "$VT_BLOCKS"
	check "linux/virtio/blk/host-reads-blocks" "the raw image lacks the blocks the guest wrote" \
		python3 "$LINUX_ROOT/tests/linux/virtio_host.py" blocks "$VT_DIR/raw.img" 4242 "$VT_BLOCKS"
	check "linux/virtio/blk/host-sees-discard" "the discarded range is not zeros in the image" \
		python3 "$LINUX_ROOT/tests/linux/virtio_host.py" zeros "$VT_DIR/raw.img" 20971520 1048576
	check "linux/virtio/blk/host-sees-write-zeroes" "the write-zeroes range is not zeros in the image" \
		python3 "$LINUX_ROOT/tests/linux/virtio_host.py" zeros "$VT_DIR/raw.img" 25165824 1048576
	vt_ro_state >"$VT_DIR/ro.after"
	check "linux/virtio/blk/readonly-image-unchanged" "the read-only image changed" cmp -s "$VT_DIR/ro.before" "$VT_DIR/ro.after"
	# the console: Linux's console (a kernel message printed there), and the guest's own line
	check "linux/virtio/console/linux-console" "no kernel message on hvc0 (console=hvc0)" \
		grep -qE '\] keeltest: the kernel.s console reaches hvc0' "$VT_DIR/hvc.out"
	check "linux/virtio/console/guest-line" "hvc0's output lacks the guest's line" \
		grep -qF "keeltest hvc0 out" "$VT_DIR/hvc.out"
	# vsock: both ways through keel's hybrid backend (tests/linux/vsock_host.py's report)
	check "linux/virtio/vsock/host-to-guest-$VT_VSOCK_CONNS-at-once" "$(cat "$VT_DIR/vsock.host" "$VT_DIR/vsock.err" 2>/dev/null | tr '\n' ' ')" \
		grep -qx "host-initiated $VT_VSOCK_CONNS of $VT_VSOCK_CONNS connections echoed $VT_VSOCK_BYTES bytes" "$VT_DIR/vsock.host"
	check "linux/virtio/vsock/guest-to-host" "the host's listener echoed no connection of the guest: $(tail -n 1 "$VT_DIR/vsock.host" 2>/dev/null)" \
		grep -qx "guest-initiated 1 connections echoed" "$VT_DIR/vsock.host"
	# fw_cfg: Linux's qemu_fw_cfg bound keel's QEMU0002 and read back the --fw-cfg file and etc/e820
	check "linux/fw_cfg/qemu_fw_cfg" "the guest's qemu_fw_cfg check did not pass: $(vt_guest_line 'fw_cfg')" \
		grep -qE "ok [0-9]+ - fw_cfg: qemu_fw_cfg \(rev [0-9]+\) lists opt/keel/linux" "$TMP/out"
	if [ -n "$VT_NS" ]; then
		check "linux/virtio/found: net over pci (msix)" "the guest did not list its NIC" \
			grep -qE "keeltest: virtio[0-9]+ net over pci \(msix\) driver virtio_net" "$TMP/out"
		check "linux/virtio/net/host-pings-guest" "the host's ping of the guest failed: $(tail -n 2 "$VT_DIR/ping.host" 2>/dev/null | tr '\n' ' ')" \
			grep -qE ' 0% packet loss' "$VT_DIR/ping.host"
		# segmentation offload used: frames larger than Ethernet's on the tap, both ways
		check "linux/virtio/net/offloads-used" "no frame over 1514 bytes on the tap both ways: $(grep frames-over "$VT_DIR/tcp.host" 2>/dev/null)" \
			grep -qE '^frames-over-1514 from-peer [1-9][0-9]* to-peer [1-9]' "$VT_DIR/tcp.host"
		check "linux/virtio/net/tcp-$VT_TCP_BYTES-bytes-each-way" "guest '$(vt_guest_line '^keeltest: tcp ')', host '$(cat "$VT_DIR/tcp.host" "$VT_DIR/tcp.err" 2>/dev/null | tr '\n' ' ')'" vt_tcp_ok
	else
		echo "ok - linux/virtio/net # SKIP not root (or no ip netns): the network device is left out"
	fi
}
