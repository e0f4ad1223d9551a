# Integration: Debian 12's stock cloud kernel boots through keel with 2 vCPUs and a busybox initramfs, its /init
# (tests/linux/init.sh) passes every check (vCPUs online, initramfs, no ACPI or PCI interrupt complaint, a
# system-call storm, command line, memory size, no warning), then drives every keel virtio device with Linux's
# own drivers (tests/linux/virtio.sh, virtio_harness.sh) and ends with writes synced just before the host
# kills keel with SIGKILL (so this boot does not power off: make bench-linux's boots do, and fail without it).
# shellcheck shell=bash
# Slow: about 25 minutes on kvm_pvm hosts (guest ring 0 is emulated; on 2026-12-03 /init ran at 673 s and the
# whole test took 26.5 min, the virtio checks about 12 of them), a minute or two on VT-x/AMD-V.
#   KEEL_LINUX_FULL=0      skip this boot (one "# SKIP" line, counted neither way); the shorter checks of
#                          t_linux_formats.sh still run
#   KEEL_LINUX_TIMEOUT=S   give up after S seconds (default 2400)
#   KEEL_LINUX_DIR=DIR     where the kernel and initramfs are (default build/linux; see tests/linux/harness.sh)
# Needs Debian's package mirror the first time (tests/linux/fetch.sh keeps the .debs): without it this FAILS.

# shellcheck disable=SC2154  # here: set by run.sh, which sources this file
# shellcheck source=tests/linux/harness.sh
. "$here/../linux/harness.sh"
# shellcheck source=tests/linux/virtio_harness.sh
. "$here/../linux/virtio_harness.sh"

linux_plan_ok() { [ -n "$plan" ] && [ "$plan" = "$oks" ] && [ "$oks" -ge 7 ]; }
linux_err_clean() { ! grep -qiE 'error|fail|fault|fatal|abort' "$TMP/err"; }

if [ "${KEEL_LINUX_FULL:-1}" = 0 ]; then
	echo "ok - linux/boot # SKIP KEEL_LINUX_FULL=0"
elif linux_guest; then
	# The command line: tests/linux/harness.sh's, with a token /init echoes back
	token=k$RANDOM$RANDOM
	vt_prepare "$LINUX_DIR/virtio" "$token"
	# console=hvc0 before the harness's console=ttyS0: both print the kernel's log, ttyS0 stays /dev/console
	cmdline="$VT_PARAMS $(linux_test_cmdline "$token")"
	t=${KEEL_LINUX_TIMEOUT:-2400}
	echo "# linux: booting $(cat "$LINUX_DIR/version") under keel with its virtio devices (about 25 min on kvm_pvm hosts; at most $t s)"
	start=$SECONDS
	ns=()
	[ -n "$VT_NS" ] && ns=(ip netns exec "$VT_NS")
	timeout -k 5 "$t" "${ns[@]}" "$KEEL" run --kernel "$LINUX_DIR/vmlinuz" --initrd "$LINUX_DIR/initramfs.cpio" \
		--cpus 2 --mem 1G "${VT_ARGS[@]}" --cmdline "$cmdline" </dev/null >"$TMP/out" 2>"$TMP/err" &
	vm=$!
	vt_kill_when_synced "$vm" &
	killer=$!
	wait "$vm"
	STATUS=$?
	kill "$killer" 2>/dev/null
	wait "$killer" 2>/dev/null
	echo "# linux: keel exited with status $STATUS after $((SECONDS - start)) s; its output is kept in $LINUX_DIR/keel-boot.{out,err}"
	cp "$TMP/out" "$LINUX_DIR/keel-boot.out"
	cp "$TMP/err" "$LINUX_DIR/keel-boot.err"
	# the boot ends with the guest's synced writes and keel killed by SIGKILL (vt_kill_when_synced)
	if out_has "keeltest: kill: synced"; then
		expect_status "linux/boot/status-sigkill" 137
	else
		fail "linux/boot/status" "status $STATUS without the guest's 'keeltest: kill: synced' (a timeout after $t s is 124)"
	fi
	if ! out_has "keeltest: /init started"; then
		# everything below would fail too and print the same tail again
		fail "linux/boot/init-ran" "the kernel never ran /init (no 'keeltest: /init started'); the checks of /init are left out"
	else
		pass "linux/boot/init-ran"
		plan=$(sed -nE 's/^1\.\.([0-9]+)\r?$/\1/p' "$TMP/out" | tail -n 1)
		oks=$(grep -cE '^ok [0-9]+ - ' "$TMP/out")
		check "linux/boot/every-check-ok" "a guest check failed" out_lacks "not ok"
		check "linux/boot/plan" "plan '1..${plan:-?}' but $oks 'ok' lines (7 or more expected)" linux_plan_ok
		check "linux/boot/summary" "no 'keeltest: N passed, 0 failed' line" \
			grep -qE '^keeltest: [0-9]+ passed, 0 failed' "$TMP/out"
		check "linux/boot/cmdline-token" "the guest did not echo keeltest.token=$token" out_has "(token $token)"
	fi
	check "linux/boot/no-panic" "the kernel panicked" out_lacks "Kernel panic"
	if [ -d /sys/module/kvm_pvm ]; then
		# nothing typed by the user: keel itself gives the kernel what this host needs (the serial
		# console's lines end in CR LF, hence [[:space:]])
		check "linux/boot/host-workarounds" "keel did not append its kvm_pvm parameters to the command line" \
			grep -qE "Command line: .* noxsave clearcpuid=308,151,137 isolcpus=1([[:space:]]|$)" "$TMP/out"
	fi
	check "linux/boot/stderr-no-error" "keel's stderr reports a problem" linux_err_clean
	vt_cleanup
	vt_check
fi
