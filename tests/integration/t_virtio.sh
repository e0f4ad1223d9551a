# Integration: the virtio options through the real binary: every bad input (one stderr line, status 2), and boots with disks, console and rng on both transports.
# shellcheck shell=bash

# vbad NAME NEEDLE ARGS... : keel ARGS must exit 2 with exactly one stderr line containing NEEDLE
vbad() {
	local name=$1 needle=$2
	shift 2
	keel "$@"
	expect_bad "virtio/bad/$name" "$needle"
}

vd="$TMP/virtio"
mkdir -p "$vd"
chmod 755 "$TMP" "$vd"
truncate -s 8M "$vd/disk.img"
truncate -s 1M "$vd/ro.img"
: >"$vd/empty.img"

vbad disk-missing-file "--disk $vd/nope.img: No such file or directory" run --disk "$vd/nope.img"
vbad disk-is-directory "is a directory" run --disk "$vd"
vbad disk-bad-option "unknown option 'bogus'" run --disk "$vd/disk.img,bogus"
vbad disk-bad-id "longer than 20 bytes" run --disk "$vd/disk.img,id=a-very-long-disk-name-indeed"
vbad disk-duplicate-id "id 'boot' is already used" run --disk "$vd/disk.img,id=boot" --disk "$vd/ro.img,id=boot"
vbad disk-same-image-twice "in use" run --disk "$vd/disk.img" --disk "$vd/disk.img"
vbad disk-no-path "no path given" run --disk ",readonly"
vbad disk-needs-value "--disk needs a value" run --disk
# one more than the limits (32 disks; 32 virtio devices in all)
mapfile -t many_disks < <(for i in $(seq 0 32); do echo --disk; echo "d$i"; done)
vbad disk-too-many "at most 32 disks" run "${many_disks[@]}"
vbad transport-bogus "--virtio-transport bogus: not a transport" run --virtio-transport bogus --rng
vbad transport-twice "--virtio-transport given twice" run --virtio-transport pci --virtio-transport mmio
vbad console-bogus "--console bogus: not a console" run --console bogus
vbad console-file-no-path "no output file given" run --console file:
vbad console-file-bad-dir "No such file or directory" run --console "file:$vd/no/such/dir/out"
vbad console-file-missing-input "No such file or directory" run --console "file:$vd/out,in=$vd/nope"
vbad console-socket-missing "--console socket:$vd/nope.sock: No such file or directory" run --console "socket:$vd/nope.sock"
vbad console-twice "--console given twice" run --console virtio --console uart
vbad rng-with-value "--rng=yes: unknown option 'yes' (use transport=pci|mmio or msix=off)" run --rng=yes
vbad disk-bad-transport "--disk $vd/disk.img,transport=usb: transport must be pci or mmio" run --disk "$vd/disk.img,transport=usb"
vbad disk-msix-off-on-mmio "msix=off is for PCI devices, not transport=mmio" run --disk "$vd/disk.img,transport=mmio,msix=off"
vbad console-bad-item "--console virtio,msix=maybe: msix must be on or off" run --console virtio,msix=maybe
vbad console-in-not-file "--console virtio,in=$vd/x: unknown option 'in=$vd/x' (use transport=pci|mmio or msix=off)" run --console "virtio,in=$vd/x"
vbad rng-msix-off-on-mmio "msix=off is for PCI devices, and it is on MMIO (--virtio-transport mmio)" run --virtio-transport mmio --rng=msix=off

if command -v setpriv >/dev/null; then
	cp "$vd/ro.img" "$vd/locked.img" && chmod 600 "$vd/locked.img"
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups "$KEEL" run --disk "$vd/locked.img" \
		</dev/null >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
	if status_is 2 && err_lines 1 && err_has "Permission denied"; then pass "virtio/bad/disk-unreadable"
	else fail "virtio/bad/disk-unreadable" "status $STATUS"; fi
fi

# A disk another keel holds (an exclusive lock) is refused too.
( exec timeout -k 5 "$LIMIT" "$KEEL" run --disk "$vd/disk.img" --cmdline exit=halt </dev/null >"$TMP/held.out" 2>&1 ) &
holder=$!
for _ in $(seq 1 600); do grep -q "guest: halted" "$TMP/held.out" 2>/dev/null && break; sleep 0.1; done
vbad disk-held-by-another-keel "in use by another" run --disk "$vd/disk.img"
kill -TERM "$(pgrep -P "$holder" -x keel || echo "$holder")" 2>/dev/null
wait "$holder"

# One machine, both transports: a disk on MMIO, a disk and the rng on PCI without MSI-X (INTA#), the
# console on MMIO; the bundled guest finds each where it is and writes to both disks.
keel run --disk "$vd/disk.img,transport=mmio" --disk "$vd/ro.img,msix=off,readonly" --rng=msix=off \
	--console "file:$vd/console.mixed,transport=mmio" --cmdline "tests=virtio virtio-write=1"
expect_status "virtio/mixed/status" 0
check "virtio/mixed/report" "no 'guest: N passed, 0 failed' line" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
check "virtio/mixed/disk-on-mmio" "the guest did not find a disk over MMIO" grep -qE '^# virtio-blk [0-9] \(mmio\)' "$TMP/out"
check "virtio/mixed/disk-on-pci" "the guest did not find a disk over PCI" grep -qE '^# virtio-blk [0-9] \(pci\)' "$TMP/out"
for c in blk-write blk-readonly console-write rng; do
	check "virtio/mixed/$c" "no 'ok N - virtio/$c' without SKIP" grep -qE "^ok [0-9]+ - virtio/$c\$" "$TMP/out"
done
check "virtio/mixed/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
dd if=/dev/zero of="$vd/disk.img" bs=1M count=8 conv=notrunc status=none # the boots below expect it blank

# Boots: the bundled guest does not drive virtio yet; it must boot and pass as without it.
for t in pci mmio; do
	keel run --virtio-transport "$t" --disk "$vd/disk.img,id=data" --disk "$vd/ro.img,readonly" \
		--console "file:$vd/console.$t" --rng --cpus 2
	expect_status "virtio/$t/boot/status" 0
	check "virtio/$t/boot/report" "no 'guest: N passed, 0 failed' line" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "virtio/$t/boot/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
	check "virtio/$t/boot/console-file" "the console file was not created" [ -f "$vd/console.$t" ]
	check "virtio/$t/boot/disk-untouched" "the image changed" cmp -s "$vd/disk.img" <(head -c 8M /dev/zero)

	keel run --virtio-transport "$t" --console virtio --rng --disk "$vd/empty.img"
	expect_status "virtio/$t/console-virtio/status" 0
	check "virtio/$t/console-virtio/uart-output" "COM1 no longer prints" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "virtio/$t/console-virtio/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]

	# With --console virtio the terminal belongs to the virtio console; its Ctrl-A x still quits.
	printf '\001x' >"$TMP/in"
	STDIN="$TMP/in" keel run -v --virtio-transport "$t" --console virtio --cmdline exit=halt
	expect_status "virtio/$t/console-virtio/ctrl-a-x" 0
	check "virtio/$t/console-virtio/ctrl-a-x-message" "no quit message" err_has "Ctrl-A x"
done
