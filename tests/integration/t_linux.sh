# Integration: Debian 12's stock cloud kernel boots through keel firecracker (Kata's way: a Firecracker
# configuration file and the API socket, polled until Running, then paused, resumed and asked for metrics) with
# 2 vCPUs and a busybox initramfs, its /init
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

# fc_api_drive SOCKET LOG: Kata's start (GET / every 10 ms until "Running"), then what an orchestrator asks of a
# running microVM: its configuration, a pause and a resume, a metrics flush; each answer a line in LOG
fc_api_drive() {
	local sock=$1 log=$2 i
	req() { echo "$1 $2 ${3:+$3 }=> $(curl -s -o /dev/stdout -w ' %{http_code}' --max-time 30 --unix-socket "$sock" -X "$1" \
		${3:+-H 'Content-Type: application/json' --data-binary "$3"} "http://localhost$2" | tr -d '\n')" >>"$log"; }
	: >"$log"
	for ((i = 0; i < 60000; i++)); do
		curl -s --max-time 2 --unix-socket "$sock" http://localhost/ 2>/dev/null | grep -q '"state": *"Running"' && break
		sleep 0.01
	done
	echo "polls $i" >>"$log"
	req GET /
	req GET /machine-config
	req GET /vm/config
	req PATCH /vm '{"state": "Paused"}'
	req GET /
	sleep 2
	req PATCH /vm '{"state": "Resumed"}'
	req GET /
	req PUT /actions '{"action_type": "FlushMetrics"}'
	req PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 128}'
	for p in $(pgrep -f -- "--api-sock $sock"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = keel ] && cat /proc/"$p"/task/*/comm >"$(dirname "$log")/threads"
	done
	# the vsock traffic comes late in the boot, and SIGKILL ends it: flush once the host saw it
	until grep -q "guest-initiated" "$(dirname "$log")/vsock.host" 2>/dev/null; do sleep 1; done
	req PUT /actions '{"action_type": "FlushMetrics"}'
}

# fc_api_check DIR: the API's answers during the boot, the log and the metrics keel wrote
fc_api_check() {
	local d=$1
	check "linux/api/running" "GET / never said Running: $(head -n 2 "$d/api.log" | tr '\n' ' ')" \
		grep -qE '^GET / .*"state": *"Running".* 200$' "$d/api.log"
	check "linux/api/id" "GET / lacks the --id" grep -qE '^GET / .*"id": *"keel-linux"' "$d/api.log"
	check "linux/api/machine-config" "GET /machine-config is not what the file said" \
		grep -qE '^GET /machine-config .*"vcpu_count": *2.*"mem_size_mib": *1024.* 200$' "$d/api.log"
	check "linux/api/vm-config" "GET /vm/config lacks the drives and the vsock" \
		grep -qE '^GET /vm/config .*"keel-data".*"uds_path".* 200$' "$d/api.log"
	check "linux/api/pause" "PATCH /vm Paused was not 204" grep -qE '^PATCH /vm .*Paused.* 204$' "$d/api.log"
	check "linux/api/paused-state" "GET / did not say Paused" grep -qE '^GET / .*"state": *"Paused".* 200$' "$d/api.log"
	check "linux/api/resume" "PATCH /vm Resumed was not 204" grep -qE '^PATCH /vm .*Resumed.* 204$' "$d/api.log"
	check "linux/api/flush-metrics" "FlushMetrics was not 204" grep -qE '^PUT /actions .*FlushMetrics.* 204$' "$d/api.log"
	check "linux/api/post-boot-refusal" "PUT /machine-config after boot was not refused with 400" \
		grep -qE '^PUT /machine-config .*not supported after starting the microVM.* 400$' "$d/api.log"
	check "linux/api/log" "the logger's file lacks keel's lines in Firecracker's format" \
		grep -qE '^[0-9-]+T[0-9:.]+ \[keel-linux:[^:]+:INFO:[^]]+\] ' "$d/fc.log"
	check "linux/api/log-no-error" "the log has errors: $(grep -m 3 ':ERROR:' "$d/fc.log" | tr '\n' ' ')" \
		[ "$(grep -c ':ERROR:' "$d/fc.log")" -eq 0 ]
	check "linux/api/metrics" "the metrics lack the disks' reads" \
		jq -se 'map(.["block_keel-data"].read_count // 0) | add > 0' "$d/fc.metrics"
	check "linux/api/metrics-vsock" "the metrics lack vsock traffic" \
		jq -se 'map((.vsock.rx_bytes_count // 0) + (.vsock.conns_added // 0)) | add > 0' "$d/fc.metrics"
	check "linux/api/vcpu-threads" "keel's vCPU threads were not named fc_vcpu N" grep -q '^fc_vcpu 1$' "$d/threads"
}

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
	# The VM as Kata starts one: keel firecracker with Firecracker's configuration file (what its
	# sections can say, the rest in keel's section: tests/linux/fc_config.py) and the API socket,
	# GET / polled every 10 ms until "Running", then the API driven while Linux boots (fc_api_drive)
	python3 "$here/../linux/fc_config.py" "$VT_DIR/vm.json" --kernel "$LINUX_DIR/vmlinuz" \
		--initrd "$LINUX_DIR/initramfs.cpio" --cpus 2 --mem-mib 1024 --cmdline "$cmdline" \
		--log "$VT_DIR/fc.log" --metrics "$VT_DIR/fc.metrics" -- "${VT_ARGS[@]}"
	timeout -k 5 "$t" "${ns[@]}" "$KEEL" firecracker --api-sock "$VT_DIR/api.sock" --config-file "$VT_DIR/vm.json" \
		--id keel-linux </dev/null >"$TMP/out" 2>"$TMP/err" &
	vm=$!
	fc_api_drive "$VT_DIR/api.sock" "$VT_DIR/api.log" &
	api_driver=$!
	vt_kill_when_synced "$vm" &
	killer=$!
	wait "$vm"
	STATUS=$?
	kill "$killer" 2>/dev/null
	wait "$killer" 2>/dev/null
	kill "$api_driver" 2>/dev/null
	wait "$api_driver" 2>/dev/null
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
			grep -qE "Command line: .* noxsave clearcpuid=308,151,137,145,298 isolcpus=1([[:space:]]|$)" "$TMP/out"
	fi
	check "linux/boot/stderr-no-error" "keel's stderr reports a problem" linux_err_clean
	fc_api_check "$VT_DIR"
	vt_cleanup
	vt_check
fi
