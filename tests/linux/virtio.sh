# The virtio checks of the Linux guest's /init (sourced by tests/linux/init.sh when the command line has
# keeltest.virtio=N): Linux's own drivers against every keel device tests/integration/t_linux.sh gives the VM.
# It finds its disks by their serials (keel-data, keel-raw, keel-ro), prints what it saw for the host to
# compare ("keeltest: ..." lines) and reports TAP through init.sh's ok/notok/skip. Parameters:
#   keeltest.virtio=N      N virtio devices must be found, each bound to its driver
#   keeltest.mac=MAC       a NIC with this MAC is there; the network checks run on it (10.77.0.2/24,
#                          the host's tap at .1)
#   keeltest.tcp=BYTES     with keeltest.mac: serve one TCP connection on port 5001 (keeltest tcp-serve)
#   keeltest.peer=MAC      the NIC with this MAC reaches another keel VM (the bundled guest, 10.0.3.2,
#                          which the host starts when asked) through keel's socket backend
#   keeltest.hvc=TOKEN     hvc0 echoes "keeltest hvc0 out TOKEN" and must read "keeltest hvc0 in TOKEN"
#   keeltest.last=TEXT     the read-only disk's last sector starts with TEXT
#   keeltest.blocks=N      scattered blocks at depth 32 (N/8 at depth 1, N/2 at depth 8; default 2048)
#   keeltest.rng=BYTES     bytes read from /dev/hwrng (default 1048576)
#   keeltest.fwcfg=TEXT    modprobe qemu_fw_cfg (it binds keel's ACPI QEMU0002): the file opt/keel/linux
#                          the host gave with --fw-cfg holds TEXT, and etc/e820 is there
#   keeltest.vsock=LPORT:N:HPORT:BYTES   virtio-vsock (vt_vsock): N host connections to guest port LPORT
#                          echoed (tests/linux/vsock_host.py checks them), and BYTES echoed by host port HPORT
# (On kvm_pvm hosts Linux manages a few block requests a second, and virtio-rng's requests are 64 bytes
# each: the harness asks for less there.)
#   keeltest.bench=SECS    instead of the checks, make bench-linux-io's work (vt_bench)
#   keeltest.kill=1        after the summary, instead of powering off: blocks written to the keel-kill
#                          disk, fdatasync and sync, "keeltest: kill: synced", then wait to be killed
# Block devices: keel-data (ext2 with files), keel-raw (keeltest blkrand in its first half, discard and
# write-zeroes at 20 and 24 MiB), keel-ro (read-only), keel-kill (written just before the host's SIGKILL). The modules are loaded by init.sh (vt_modprobe),
# before it quiets the console, so that a kernel message can still reach hvc0 as Linux's console.
# shellcheck shell=sh disable=SC3043,SC2086,SC2154,SC2034,SC2116

# vt_modprobe: load the virtio transports and drivers (one modprobe)
vt_modprobe() {
	vt_modout=$(modprobe -a virtio_pci virtio_mmio virtio_blk virtio_net virtio_console virtio_rng \
		${vt_vsock:+vmw_vsock_virtio_transport} 2>&1)
	vt_modst=$?
	# a kernel message for every console, hvc0 (console=hvc0) among them; the host looks for it there.
	# (Linux 6.1 loses the replay of its earlier log to hvc0: virtio_console's hvc_alloc registers the
	# console before the port is on its list, so put_chars answers -EPIPE and hvc drops those lines.)
	[ -n "$vt_hvc" ] && echo "keeltest: the kernel's console reaches hvc0 ($vt_hvc)" >/dev/kmsg
}

# vt_discover: one line per virtio device: its type, transport, interrupts (msix or intx) and driver
vt_discover() {
	local d id t p tr irq drv x count=0 bound=0
	vt_devs=""
	for d in /sys/bus/virtio/devices/virtio*; do
		[ -e "$d/device" ] || continue
		read -r id <"$d/device"
		case $id in
		0x0001) t=net ;; 0x0002) t=blk ;; 0x0003) t=console ;; 0x0004) t=rng ;; 0x0013) t=vsock ;; *) t=$id ;;
		esac
		cd -P "$d/.." && p=$PWD
		cd /
		case $p in
		*/pci*/0000:*)
			# MSI-X vectors in use are files in msi_irqs/ (the directory may exist empty)
			tr=pci irq=intx
			for x in "$p"/msi_irqs/*; do [ -e "$x" ] && irq=msix; done
			;;
		*) tr=mmio; irq=ioapic ;;
		esac
		drv=none
		if [ -e "$d/driver" ]; then cd -P "$d/driver" && drv=${PWD##*/}; cd /; bound=$((bound + 1)); fi
		count=$((count + 1))
		echo "keeltest: ${d##*/} $t over $tr ($irq) driver $drv at ${p##*/}"
		vt_devs="$vt_devs ${d##*/}"
	done
	if [ "$count" = "$vt_want" ] && [ "$bound" = "$count" ]; then
		ok "virtio: $count devices found, each bound to its driver"
	else
		notok "virtio: devices found" "$count found ($bound bound to a driver), keeltest.virtio=$vt_want"
	fi
}

# vt_interrupts: every device's interrupts counted in /proc/interrupts (MSI-X vectors summed per device)
vt_interrupts() {
	local l x cnt dev v quiet="" sums=""
	while read -r l; do
		case $l in *virtio*) ;; *) continue ;; esac
		set -- $l
		shift
		cnt=0
		for x; do
			case $x in
			*[!0-9]*) ;;
			*) cnt=$((cnt + x)); continue ;;
			esac
			case $x in
			virtio[0-9]*) dev=${x%%-*}; dev=${dev%,}; eval "v=\${irqs_$dev:-0}"; eval "irqs_$dev=$((v + cnt))" ;;
			esac
		done
	done </proc/interrupts
	for dev in $vt_devs; do
		eval "v=\${irqs_$dev:-0}"
		sums="$sums $dev=$v"
		[ "$v" -gt 0 ] || quiet="$quiet $dev"
	done
	if [ -z "$quiet" ]; then ok "virtio: every device's interrupts counted in /proc/interrupts:$sums"
	else notok "virtio: every device's interrupts counted" "none for$quiet (/proc/interrupts:$sums)"; fi
}

# vt_find_disks: the serials (id=) name the disks: $vdata, $vraw, $vro
vt_find_disks() {
	local b s
	vdata="" vraw="" vro="" vkill=""
	for b in /sys/block/vd*; do
		read -r s <"$b/serial"
		echo "keeltest: /dev/${b##*/} serial '$s'"
		case $s in
		keel-data) vdata=/dev/${b##*/} ;; keel-raw) vraw=/dev/${b##*/} ;; keel-ro) vro=/dev/${b##*/} ;;
		keel-kill) vkill=/dev/${b##*/} ;;
		esac
	done
}

vt_disks() {
	vt_find_disks
	if [ -n "$vdata" ] && [ -n "$vraw" ] && [ -n "$vro" ]; then
		ok "virtio-blk: the serials name the disks (data $vdata, raw $vraw, read-only $vro)"
	else
		notok "virtio-blk: the serials name the disks" "data '$vdata', raw '$vraw', read-only '$vro'"
	fi
}

# vt_fs: ext2 on the data disk, files of random data, sync, remount, compare; the host reads them too
vt_fs() {
	local r
	[ -n "$vdata" ] || { notok "virtio-blk: a file system" "no keel-data disk"; return; }
	mkdir -p /mnt
	if ! r=$(mke2fs -q "$vdata" 2>&1) || ! mount -t ext4 "$vdata" /mnt; then
		notok "virtio-blk: a file system" "$(echo $r)"
		return
	fi
	# pseudo-random data made in user space (the kernel's generator runs in ring 0, slow on kvm_pvm)
	keeltest randfile /mnt/a 262144 1
	keeltest randfile /mnt/b 1048576 2
	keeltest randfile /mnt/c 28693 3
	md5sum /mnt/a /mnt/b /mnt/c >/tmp/sums
	sync
	umount /mnt && mount -t ext4 -o ro "$vdata" /mnt
	if r=$(md5sum -c /tmp/sums 2>&1); then
		ok "virtio-blk: ext2 made, three files of random data written, synced, remounted, checksums equal"
	else
		notok "virtio-blk: files read back after a remount" "$(echo $r)"
	fi
	while read -r s f; do echo "keeltest: file ${f#/mnt/} md5 $s"; done </tmp/sums
	umount /mnt
}

# vt_raw: scattered blocks in the first half at depth 1, 8 and 32 (the same sequence from the same
# seed: the host checks the 512 blocks of the last run), then discard and write-zeroes in the second
vt_raw() {
	local d nb r bad="" # not n: local is dynamic in ash, and ok() counts with $n
	[ -n "$vraw" ] || { notok "virtio-blk: random I/O" "no keel-raw disk"; return; }
	for d in 1:$((vt_blocks / 8)) 8:$((vt_blocks / 2)) 32:$vt_blocks; do
		nb=${d#*:}
		if ! r=$(keeltest blkrand "$vraw" "${d%:*}" "$nb" 4242 2>&1); then bad="$bad depth ${d%:*}: $(echo $r);"; fi
	done
	if [ -z "$bad" ]; then
		ok "virtio-blk: random 4 KiB writes and reads at depth 1, 8 and 32, every block verified"
		echo "keeltest: blkrand seed 4242 blocks $vt_blocks"
	else
		notok "virtio-blk: random 4 KiB writes and reads" "$bad"
	fi
	keeltest randfile "$vraw" 1048576 4 20971520 # what the discard and the write-zeroes below must clear
	keeltest randfile "$vraw" 1048576 5 25165824
	for r in "20971520 discard" "25165824 zeroout"; do
		set -- $r
		if r=$(keeltest zero "$vraw" "$1" 1048576 "$2" 2>&1); then ok "virtio-blk: $2 of 1 MiB reads back as zeros"
		else notok "virtio-blk: $2" "$(echo $r)"; fi
	done
}

# vt_ro: the read-only disk (8 GiB, sparse): read-only in Linux, its last sector holds the host's text
vt_ro() {
	local b ro size last r
	[ -n "$vro" ] || { notok "virtio-blk: read-only disk" "no keel-ro disk"; return; }
	b=/sys/block/${vro#/dev/}
	read -r ro <"$b/ro"
	read -r size <"$b/size"
	dd if="$vro" of=/tmp/last bs=512 skip=$((size - 1)) count=1 2>/dev/null
	read -r last </tmp/last
	if [ "$ro" = 1 ] && ! r=$(dd if=/dev/zero of="$vro" bs=512 count=1 conv=fsync 2>&1); then
		ok "virtio-blk: the read-only disk is read-only (ro=1, a write fails: $(echo $r | head -c 80))"
	else
		notok "virtio-blk: the read-only disk is read-only" "ro=$ro, write: $(echo $r)"
	fi
	case $last in
	"$vt_last"*) ok "virtio-blk: the read-only disk's last sector read ($size sectors)" ;;
	*) notok "virtio-blk: the last sector" "sector $((size - 1)) of $size holds '$last', not '$vt_last'" ;;
	esac
}

# vt_rng: /dev/hwrng is keel's virtio-rng and gives $vt_rngbytes bytes
vt_rng() {
	local cur r
	read -r cur </sys/class/misc/hw_random/rng_current
	r=$(dd if=/dev/hwrng of=/dev/null bs=4096 count=$((vt_rngbytes / 4096)) iflag=fullblock 2>&1)
	case "$cur $r" in
	virtio_rng*"$((vt_rngbytes / 4096))+0 records out"*) ok "virtio-rng: rng_current is $cur, $vt_rngbytes bytes read from /dev/hwrng" ;;
	*) notok "virtio-rng: $vt_rngbytes bytes from /dev/hwrng" "rng_current '$cur': $(echo $r)" ;;
	esac
}

# vt_hvc: hvc0 both ways
vt_hvc() {
	local line
	echo "keeltest hvc0 out $vt_hvc" >/dev/hvc0
	# the host sends its line once it sees this (input that comes before the port is set up is
	# dropped by Linux's virtio_console; a tty not yet open keeps it until head opens it)
	echo "keeltest: hvc0: reading"
	line=$(timeout 120 head -n 1 /dev/hvc0)
	case $line in
	"keeltest hvc0 in $vt_hvc"*) ok "virtio-console: hvc0 wrote a line and read the host's" ;;
	*) notok "virtio-console: hvc0 read the host's line" "read '$line'" ;;
	esac
}

# vt_iface MAC: the network interface with this MAC, in $vt_if ("" when none)
vt_iface() {
	local f a
	vt_if=""
	for f in /sys/class/net/*/address; do
		read -r a <"$f"
		[ "$a" = "$1" ] && vt_if=${f%/address} && vt_if=${vt_if##*/}
	done
}

# vt_peer: the NIC over MMIO on the socket backend pings another VM (the host starts it on our word)
vt_peer() {
	local r i=0
	vt_iface "$vt_peer"
	[ -n "$vt_if" ] || { notok "virtio-net: the NIC with MAC $vt_peer" "no such interface"; return; }
	ip link set "$vt_if" up
	ip addr add 10.0.3.1/24 dev "$vt_if"
	echo "keeltest: peer: start"
	while [ $i -lt 60 ] && ! ping -c 1 -W 2 10.0.3.2 >/dev/null 2>&1; do i=$((i + 1)); done
	if r=$(ping -c 3 -W 5 10.0.3.2 2>&1); then ok "virtio-net: $vt_if pings another keel VM through the socket backend"
	else notok "virtio-net: $vt_if pings another keel VM" "$(echo $r | tail -c 200)"; fi
	echo "keeltest: peer: done"
}

# vt_net: the NIC with the MAC given with mac= (Linux's virtio_net), a ping to the host, the offloads,
# 10 MB each way over TCP, the carrier following the tap
vt_net() {
	local drv=none r
	vt_iface "$vt_mac"
	vt_eth=$vt_if
	if [ -n "$vt_eth" ] && [ -e "/sys/class/net/$vt_eth/device/driver" ]; then
		cd -P "/sys/class/net/$vt_eth/device/driver" && drv=${PWD##*/}
		cd /
	fi
	if [ "$drv" = virtio_net ]; then ok "virtio-net: $vt_eth has the MAC given with mac= ($vt_mac)"
	else notok "virtio-net: a NIC with the MAC given with mac=" "none with $vt_mac (interface '$vt_eth', driver $drv)"; return; fi
	ip link set "$vt_eth" up
	ip addr add 10.77.0.2/24 dev "$vt_eth"
	if r=$(ping -c 3 -W 10 10.77.0.1 2>&1); then ok "virtio-net: the guest pings the host"
	else notok "virtio-net: the guest pings the host" "$(echo $r | tail -c 200)"; fi
	if r=$(keeltest offloads "$vt_eth" 2>&1); then
		echo "$r"
		case $r in
		*rx-checksum=on*tx-checksum=on*sg=on*tso=on*) ok "virtio-net: checksum and segmentation offloads on" ;;
		*) notok "virtio-net: offloads" "$r" ;;
		esac
	else
		notok "virtio-net: offloads" "$(echo $r)"
	fi
	if [ -n "$vt_tcp" ]; then
		if r=$(keeltest tcp-serve 5001 "$vt_tcp" 2>&1); then echo "$r"; ok "virtio-net: TCP both ways (the host compares)"
		else notok "virtio-net: TCP" "$(echo $r)"; fi
	fi
	vt_link
}

# vt_link: the host sets the tap down, then up again (virtio_harness.sh waits for these lines); the NIC's
# carrier follows within two minutes each time
vt_link() {
	local c="" down="" i
	for want in 0 1; do
		if [ $want = 0 ]; then echo "keeltest: link: set the tap down"; else echo "keeltest: link: set the tap up"; fi
		i=0
		while [ $i -lt 120 ]; do
			read -r c </sys/class/net/$vt_eth/carrier
			[ "$c" = $want ] && break
			sleep 1
			i=$((i + 1))
		done
		[ $want = 0 ] && down=$c
	done
	if [ "$down" = 0 ] && [ "$c" = 1 ]; then ok "virtio-net: $vt_eth's carrier follows the tap (down, then up)"
	else notok "virtio-net: $vt_eth's carrier follows the tap" "carrier $down after the tap went down, $c after it came up"; fi
}

# vt_vsock: keel's virtio-vsock with Linux's vsock: a listener on LPORT echoing N connections the host
# makes at once (each bounded by keeltest's own deadline), then one connection to the host's HPORT
vt_vsock() {
	local lport nconn hport bytes l="" i=0 pid out st # not n: ok() counts with init.sh's n
	IFS=:
	set -- $vt_vsock
	unset IFS
	lport=$1 nconn=$2 hport=$3 bytes=$4
	: >/tmp/vsock.listen
	keeltest vsock-listen "$lport" "$nconn" >/tmp/vsock.listen 2>&1 &
	pid=$!
	while [ $i -lt 300 ]; do
		read -r l </tmp/vsock.listen
		case $l in *listening* | *vsock\ listen*) break ;; esac
		sleep 1
		i=$((i + 1))
	done
	echo "keeltest: vsock: listening on $lport ($token)" # the token: this boot's line, not a stale one
	out=$(keeltest vsock-connect 2 "$hport" "$bytes" 2>&1)
	st=$?
	echo "$out"
	if [ $st = 0 ]; then ok "vsock: guest to host port $hport: $bytes bytes echoed byte for byte"
	else notok "vsock: guest to host port $hport" "status $st: $(echo $out)"; fi
	echo "keeltest: vsock: guest done ($token)"
	wait $pid
	st=$?
	out=$(cat /tmp/vsock.listen)
	echo "$out"
	if [ $st = 0 ]; then ok "vsock: $nconn host connections to guest port $lport served"
	else notok "vsock: $nconn host connections to guest port $lport" "status $st: $(echo $out)"; fi
}

# vt_reload: each driver removed and loaded again, with I/O in flight where Linux allows it (a block
# driver with an open disk cannot be removed, so the disks are idle), then each PCI function reset
# through sysfs; the devices work again.
vt_reload() {
	local r bad="" bg d a nreset
	if [ -n "$vt_mac" ]; then
		ping -i 1 -W 1 10.77.0.1 >/dev/null 2>&1 &
		bg=$!
	fi
	dd if=/dev/hwrng of=/dev/null bs=64 count=64 2>/dev/null &
	for m in virtio_net virtio_rng virtio_blk virtio_console; do
		r=$(rmmod $m 2>&1) || bad="$bad rmmod $m: $(echo $r);"
		r=$(modprobe $m 2>&1) || bad="$bad modprobe $m: $(echo $r);"
	done
	[ -n "$bg" ] && kill "$bg" 2>/dev/null # ping may have ended when its interface went away
	wait
	# every virtio PCI function: unbound (virtio_pci has no reset hooks), reset through sysfs (keel's
	# D3hot -> D0 power-management reset), bound again
	nreset=0
	for d in /sys/bus/pci/drivers/virtio-pci/0000:*; do
		[ -e "$d" ] || continue
		a=${d##*/}
		if [ ! -e "/sys/bus/pci/devices/$a/reset" ]; then
			bad="$bad $a has no reset method;"
			continue
		fi
		echo "$a" >/sys/bus/pci/drivers/virtio-pci/unbind || bad="$bad unbind $a failed;"
		echo 1 >"/sys/bus/pci/devices/$a/reset" || bad="$bad reset $a failed;"
		echo "$a" >/sys/bus/pci/drivers/virtio-pci/bind || bad="$bad bind $a failed;"
		nreset=$((nreset + 1))
	done
	if [ -n "$vt_mac" ]; then
		vt_iface "$vt_mac" # the driver made the interfaces anew
		vt_eth=$vt_if
		ip link set "$vt_eth" up
		ip addr add 10.77.0.2/24 dev "$vt_eth"
		r=$(ping -c 2 -W 10 10.77.0.1 2>&1) || bad="$bad ping after reload: $(echo $r | tail -c 120);"
	fi
	r=$(dd if=/dev/hwrng of=/dev/null bs=64 count=16 iflag=fullblock 2>&1)
	case $r in *"16+0 records out"*) ;; *) bad="$bad hwrng after reload: $(echo $r);" ;; esac
	vt_find_disks >/dev/null
	# the same blocks again (the host checks them after power-off)
	r=$(keeltest blkrand "$vraw" 32 "$vt_blocks" 4242 2>&1) || bad="$bad blkrand after reload: $(echo $r);"
	if [ -z "$bad" ] && [ "$nreset" -gt 0 ]; then
		ok "virtio: virtio_net, virtio_rng, virtio_blk, virtio_console removed and loaded again, $nreset PCI functions reset, devices work"
	else
		notok "virtio: drivers removed and loaded again, PCI functions reset" "$nreset reset;$bad"
	fi
}

# vt_fw_cfg: Linux's qemu_fw_cfg driver on keel's fw_cfg: by_name/ lists the host's --fw-cfg file with its
# bytes (string=, no NUL) and keel's etc/e820 (20-byte entries); "keeltest: fw_cfg ..." for the host
vt_fw_cfg() {
	local r fw=/sys/firmware/qemu_fw_cfg got size rev k nm names=""
	if ! r=$(modprobe qemu_fw_cfg 2>&1); then
		notok "fw_cfg: modprobe qemu_fw_cfg" "$(echo $r)"
		return
	fi
	read -r rev 2>/dev/null <"$fw/rev"
	for k in "$fw"/by_key/*; do
		read -r nm 2>/dev/null <"$k/name" && names="$names $nm"
	done
	echo "keeltest: fw_cfg rev ${rev:-none}, files:$names"
	got=$(cat "$fw/by_name/opt/keel/linux/raw" 2>/dev/null)
	read -r size 2>/dev/null <"$fw/by_name/etc/e820/size"
	if [ "$got" != "$vt_fwcfg" ]; then
		notok "fw_cfg: qemu_fw_cfg lists opt/keel/linux with the host's bytes" "raw '$got', want '$vt_fwcfg'"
	elif [ -z "$size" ] || [ "$size" -eq 0 ] || [ $((size % 20)) -ne 0 ]; then
		notok "fw_cfg: etc/e820 is there, in 20-byte entries" "size '$size'"
	else
		ok "fw_cfg: qemu_fw_cfg (rev $rev) lists opt/keel/linux with the host's bytes and etc/e820 ($((size / 20)) entries)"
	fi
}

# vt_bench: make bench-linux-io's work in the guest (tests/bench/linux_io.sh): keeltest bench on the
# keel-bench disk for $vt_secs seconds a pattern, then one TCP connection (10.77.0.2, port 5001)
vt_bench() {
	local b s dev="" r out
	for b in /sys/block/vd*; do
		read -r s <"$b/serial"
		[ "$s" = keel-bench ] && dev=/dev/${b##*/}
	done
	[ -n "$dev" ] || { notok "bench: the keel-bench disk" "no disk with that serial"; return; }
	for r in "read 1048576 1" "write 1048576 1" "randread 4096 1" "randread 4096 32" "randwrite 4096 1" "randwrite 4096 32"; do
		set -- $r
		if out=$(keeltest bench "$dev" "$1" "$2" "$3" "$vt_secs" 2>&1); then echo "$out"; ok "bench: $1 bs=$2 depth=$3"
		else notok "bench: $1 bs=$2 depth=$3" "$(echo $out)"; fi
	done
	if [ -n "$vt_mac" ]; then
		vt_iface "$vt_mac"
		vt_eth=$vt_if
		ip link set "$vt_eth" up
		ip addr add 10.77.0.2/24 dev "$vt_eth"
		if out=$(keeltest tcp-serve 5001 "$vt_tcp" 2>&1); then echo "$out"; ok "bench: TCP both ways"
		else notok "bench: TCP" "$(echo $out)"; fi
	fi
}

# vt_kill_phase: the last thing /init does with keeltest.kill=1: scattered blocks written to the keel-kill
# disk and synced (keeltest's fdatasync, then sync(1)); once it says so the host kills keel with SIGKILL
# and checks the image holds every block. Powers off after 10 minutes if nobody does.
vt_kill_phase() {
	local r
	vt_find_disks >/dev/null
	if [ -n "$vkill" ] && r=$(keeltest blkrand "$vkill" 8 "$vt_blocks" 777 2>&1) && sync; then
		echo "keeltest: kill: synced seed 777 blocks $vt_blocks"
	else
		echo "keeltest: kill: the writes failed: $(echo $r)"
		return
	fi
	sleep 600
	echo "keeltest: kill: nobody killed keel"
}

# vt_run: everything above, in order (vt_modprobe already ran)
vt_run() {
	if [ "$vt_modst" = 0 ]; then ok "modprobe the virtio transports and drivers"
	else notok "modprobe the virtio transports and drivers" "$(echo $vt_modout)"; fi
	vt_discover
	vt_disks
	vt_fs
	vt_raw
	vt_ro
	vt_rng
	[ -n "$vt_hvc" ] && vt_hvc
	[ -n "$vt_mac" ] && vt_net
	[ -n "$vt_peer" ] && vt_peer
	[ -n "$vt_vsock" ] && vt_vsock
	vt_interrupts
	[ -n "$vt_fwcfg" ] && vt_fw_cfg
	vt_reload
}
