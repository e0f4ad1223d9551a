# Integration: the bundled guest is a plain PVH kernel: QEMU boots the same ELF without input, agrees with keel check by check, and leaves the ways keel's guest does.
# shellcheck shell=bash

if ! command -v qemu-system-x86_64 >/dev/null; then
	fail "qemu/available" "qemu-system-x86_64 is not installed (mk/deps.sh test installs it)"
	return 0
fi

# results FILE : "N name ok|not-ok" per TAP line, SKIP comments dropped
results() { sed -nE 's/^(not ok|ok) ([0-9]+) - ([^ #]+).*/\2 \3 \1/p' "$1"; }

# qemu_run SMP STDIN APPEND : boot the bundled guest under QEMU; sets STATUS, output in $TMP/out, $TMP/err
qemu_run() {
	timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel kvm -M pc -m 256M -smp "$1" -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$GUEST_ELF" -append "$3" <"$2" >"$TMP/out" 2>"$TMP/err"
	# shellcheck disable=SC2034 # read by lib.sh (expect_status)
	STATUS=$?
}

# No input at all (stdin /dev/null, as the other keel tests run): every check passes on both.
keel run --cpus 2 --cmdline exit=debug
cp "$TMP/out" "$TMP/keel.out"
qemu_run 2 /dev/null exit=debug
expect_status "qemu/boots-bundled-guest" 1
check "qemu/report" "no 'guest: N passed, 0 failed' under QEMU" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
check "qemu/summary" "no 'guest: no fdt: 2 cpus from ACPI MADT' line" out_has "guest: no fdt: 2 cpus from ACPI MADT"
results "$TMP/keel.out" >"$TMP/keel.res"
results "$TMP/out" >"$TMP/qemu.res"
check "qemu/same-checks-same-results" "per-check results differ: $(diff "$TMP/keel.res" "$TMP/qemu.res" | tr '\n' ' ')" \
	cmp -s "$TMP/keel.res" "$TMP/qemu.res"
check "qemu/checks-counted" "no TAP lines" [ -s "$TMP/keel.res" ]

# The exit modes that QEMU's pc machine can show: power-off, and echo with input from a file.
qemu_run 1 /dev/null "exit=poweroff tests=boot"
expect_status "qemu/exit/poweroff" 0
check "qemu/exit/poweroff/report" "no report before power-off" out_has "passed, 0 failed"
printf 'hello qemu\nquit\n' >"$TMP/qemu-in"
qemu_run 1 "$TMP/qemu-in" "exit=echo tests=irq/uart-loopback"
expect_status "qemu/exit/echo/status" 1
check "qemu/exit/echo/line" "the guest did not echo the line after the loopback check" out_has "echo: hello qemu"
