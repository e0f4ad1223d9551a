# Integration: the bundled guest is a plain PVH kernel: QEMU boots the same ELF, and every check agrees with keel's.
# shellcheck shell=bash

if ! command -v qemu-system-x86_64 >/dev/null; then
	fail "qemu/available" "qemu-system-x86_64 is not installed (mk/deps.sh test installs it)"
	return 0
fi

# results FILE : "N name ok|not-ok" per TAP line, SKIP comments dropped
results() { sed -nE 's/^(not ok|ok) ([0-9]+) - ([^ #]+).*/\2 \3 \1/p' "$1"; }

keel run --cpus 2 --cmdline exit=debug
cp "$TMP/out" "$TMP/keel.out"
timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel kvm -M pc -m 256M -smp 2 -nodefaults -no-user-config \
	-display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$GUEST_ELF" -append exit=debug </dev/null >"$TMP/out" 2>"$TMP/err"
STATUS=$?
expect_status "qemu/boots-bundled-guest" 1
check "qemu/report" "no 'guest: N passed, 0 failed' under QEMU" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
results "$TMP/keel.out" >"$TMP/keel.res"
results "$TMP/out" >"$TMP/qemu.res"
check "qemu/same-checks-same-results" "per-check results differ: $(diff "$TMP/keel.res" "$TMP/qemu.res" | tr '\n' ' ')" \
	cmp -s "$TMP/keel.res" "$TMP/qemu.res"
check "qemu/checks-counted" "no TAP lines" [ -s "$TMP/keel.res" ]
