# Integration: Firecracker's configuration file (configs/*.json) through `keel run --config-file` and `keel firecracker`, every bad field named, Firecracker's command line and exit statuses.
# shellcheck shell=bash

fc="$TMP/fc-config"
mkdir -p "$fc"
CONFIGS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../configs" && pwd)"

# The examples as shipped.
keel run --config-file "$CONFIGS/guest-minimal.json"
expect_status "fc-config/minimal/status" 0
check "fc-config/minimal/verdict" "no verdict line" out_has "0 failed"

(
	cd "$fc" || exit 1
	truncate -s 8M data.img
	truncate -s 1M ro.img
	echo hello >console-in.txt
	keel run --config-file "$CONFIGS/guest-virtio.json"
	echo "$STATUS" >status
	cp "$TMP/out" out
	cp "$TMP/err" err
)
STATUS=$(cat "$fc/status")
cp "$fc/out" "$TMP/out"
cp "$fc/err" "$TMP/err"
expect_status "fc-config/virtio/status" 0
check "fc-config/virtio/all-pass" "not every virtio check passed" grep -qE "^guest: [0-9]+ passed, 0 failed" "$TMP/out"
for c in blk-read blk-write blk-readonly blk-get-id console-write console-input rng; do
	check "fc-config/virtio/$c" "not run or skipped" grep -qE "^ok [0-9]+ - virtio/$c\$" "$TMP/out"
done
check "fc-config/virtio/drive-id" "the drive_id is not the disk's id" out_has '# virtio-blk 0 id "data"'
check "fc-config/virtio/console-file" "no hello line in console.txt" grep -qxF "virtio: console says hello" "$fc/console.txt"
check "fc-config/virtio/mmio" "the devices were not on virtio-mmio" grep -qi "mmio" "$TMP/out"
check "fc-config/virtio/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]

# bad_cfg NAME NEEDLE JSON : keel run --config-file with JSON ends with status 2 and one line naming NEEDLE;
# keel firecracker --no-api with it ends with Firecracker's 152 and the same line.
bad_cfg() {
	local name=$1 needle=$2
	printf '%s\n' "$3" >"$fc/bad.json"
	keel run --config-file "$fc/bad.json"
	if ! status_is 2; then fail "fc-config/bad/$name" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "fc-config/bad/$name" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$needle"; then fail "fc-config/bad/$name" "stderr lacks '$needle'"
	else pass "fc-config/bad/$name"; fi
	keel firecracker --no-api --no-seccomp --config-file "$fc/bad.json"
	if ! status_is 152; then fail "fc-config/bad/$name/firecracker" "exit status $STATUS, expected 152"
	elif ! err_has "$needle"; then fail "fc-config/bad/$name/firecracker" "stderr lacks '$needle'"
	else pass "fc-config/bad/$name/firecracker"; fi
}

bad_cfg not-json ":1:3: not valid JSON" '{ ,'
bad_cfg not-object "expected a JSON object" '[1, 2]'
bad_cfg duplicate-key "not valid JSON" '{"machine-config": {"vcpu_count": 1, "vcpu_count": 2, "mem_size_mib": 128}}'
bad_cfg unknown-section "foo: unknown section" '{"foo": {}}'
bad_cfg balloon "balloon: not supported" '{"balloon": {"amount_mib": 10, "deflate_on_oom": false}}'
bad_cfg mmds "mmds-config: not supported" '{"mmds-config": {"network_interfaces": ["eth0"]}}'
bad_cfg section-type "machine-config: expected an object, got an array" '{"machine-config": []}'
bad_cfg unknown-field "machine-config: unknown field 'vcpus'" '{"machine-config": {"vcpus": 2, "mem_size_mib": 128}}'
bad_cfg vcpu-type "machine-config.vcpu_count: expected an integer, got a string" '{"machine-config": {"vcpu_count": "2", "mem_size_mib": 128}}'
bad_cfg vcpu-zero "machine-config.vcpu_count: 0 is out of range" '{"machine-config": {"vcpu_count": 0, "mem_size_mib": 128}}'
bad_cfg vcpu-missing "machine-config.vcpu_count: missing" '{"machine-config": {"mem_size_mib": 128}}'
bad_cfg mem-small "machine-config.mem_size_mib: 1 is out of range" '{"machine-config": {"vcpu_count": 1, "mem_size_mib": 1}}'
bad_cfg mem-fraction "expected an integer, got a number with a fraction" '{"machine-config": {"vcpu_count": 1, "mem_size_mib": 1.5}}'
bad_cfg smt "machine-config.smt: true is not supported" '{"machine-config": {"vcpu_count": 2, "mem_size_mib": 128, "smt": true}}'
bad_cfg template "machine-config.cpu_template: 'T2' is not supported" '{"machine-config": {"vcpu_count": 1, "mem_size_mib": 128, "cpu_template": "T2"}}'
bad_cfg kernel-missing "boot-source.kernel_image_path: /nonexistent/vmlinux: No such file or directory" '{"boot-source": {"kernel_image_path": "/nonexistent/vmlinux"}}'
bad_cfg boot-unknown "boot-source: unknown field 'kernel'" '{"boot-source": {"kernel": "x"}}'
bad_cfg boot-args-type "boot-source.boot_args: expected a string" '{"boot-source": {"boot_args": 5}}'
bad_cfg drives-type "config.drives: expected an array" '{"drives": {}}'
bad_cfg drive-id-missing "drives[0].drive_id: missing" '{"drives": [{"path_on_host": "x", "is_root_device": false}]}'
bad_cfg drive-root-missing "drives[0].is_root_device: missing" '{"drives": [{"drive_id": "a", "path_on_host": "x"}]}'
bad_cfg drive-twice "drives[1].drive_id: 'a' is given twice" '{"drives": [{"drive_id": "a", "path_on_host": "x", "is_root_device": false}, {"drive_id": "a", "path_on_host": "y", "is_root_device": false}]}'
bad_cfg two-roots "2 drives have is_root_device true" '{"drives": [{"drive_id": "a", "path_on_host": "x", "is_root_device": true}, {"drive_id": "b", "path_on_host": "y", "is_root_device": true}]}'
bad_cfg drive-cache "drives[0].cache_type: 'Fast' is not a cache type" '{"drives": [{"drive_id": "a", "path_on_host": "x", "is_root_device": false, "cache_type": "Fast"}]}'
bad_cfg drive-limiter "drives[0].rate_limiter: rate limiting is not supported" '{"drives": [{"drive_id": "a", "path_on_host": "x", "is_root_device": false, "rate_limiter": {"bandwidth": {"size": 1, "refill_time": 1}}}]}'
bad_cfg drive-vhost "drives[0].socket: vhost-user drives are not supported" '{"drives": [{"drive_id": "a", "socket": "/tmp/s", "is_root_device": false}]}'
bad_cfg drive-id-long "drives[0].drive_id" '{"drives": [{"drive_id": "a-drive-id-longer-than-twenty", "path_on_host": "x", "is_root_device": false}]}'
bad_cfg initrd-dir "boot-source.initrd_path: /tmp: not a regular file" '{"boot-source": {"initrd_path": "/tmp"}}'
bad_cfg drive-file "drives[0].path_on_host: /nonexistent.img: No such file or directory" '{"drives": [{"drive_id": "a", "path_on_host": "/nonexistent.img", "is_root_device": false}]}'
bad_cfg net-mac "network-interfaces[0].guest_mac: 'zz' is not a MAC address" '{"network-interfaces": [{"iface_id": "eth0", "host_dev_name": "tap0", "guest_mac": "zz"}]}'
bad_cfg net-dev "network-interfaces[0].host_dev_name: missing" '{"network-interfaces": [{"iface_id": "eth0"}]}'
bad_cfg net-twice "network-interfaces[1].iface_id: 'eth0' is given twice" '{"network-interfaces": [{"iface_id": "eth0", "host_dev_name": "tap0"}, {"iface_id": "eth0", "host_dev_name": "tap1"}]}'
bad_cfg vsock-cid "vsock.guest_cid: 2 is out of range" '{"vsock": {"guest_cid": 2, "uds_path": "/tmp/v.sock"}}'
bad_cfg vsock-uds "vsock.uds_path: missing" '{"vsock": {"guest_cid": 3}}'
bad_cfg logger-level "logger.level: 'Loud' is not a level" '{"logger": {"log_path": "/tmp/x.log", "level": "Loud"}}'
bad_cfg metrics-path "metrics.metrics_path: missing" '{"metrics": {}}'
bad_cfg entropy-limiter "entropy.rate_limiter: rate limiting is not supported" '{"entropy": {"rate_limiter": {"ops": {"size": 1, "refill_time": 10}}}}'
bad_cfg keel-unknown "keel: unknown field 'cpus'" '{"keel": {"cpus": 4}}'
bad_cfg keel-console "keel.console" '{"keel": {"console": "bogus"}}'
bad_cfg keel-transport "keel.transport" '{"keel": {"transport": "isa"}}'
bad_cfg keel-list "keel.net[0]: expected a string" '{"keel": {"net": [5]}}'

# null stands for an absent section or field (Firecracker's clients send them).
printf '%s\n' '{"boot-source": {"boot_args": "exit=verdict", "initrd_path": null}, "machine-config": {"vcpu_count": 1, "mem_size_mib": 128, "smt": null}, "drives": null, "vsock": null, "logger": null, "metrics": null, "balloon": null, "network-interfaces": null, "entropy": {"rate_limiter": {"bandwidth": null, "ops": {}}}}' >"$fc/nulls.json"
keel run --config-file "$fc/nulls.json"
expect_status "fc-config/nulls/status" 0

# Options beside the file add to it; the file is read once.
keel run --config-file "$CONFIGS/guest-minimal.json" --rng
expect_status "fc-config/with-options/status" 0
keel run --config-file "$CONFIGS/guest-minimal.json" --config-file "$CONFIGS/guest-minimal.json"
expect_status "fc-config/twice/status" 2
check "fc-config/twice/named" "no 'given twice'" err_has "--config-file given twice"
keel run --config-file "$fc/nope.json"
expect_status "fc-config/missing-file/status" 2
check "fc-config/missing-file/named" "the file is not named" err_has "nope.json: No such file or directory"
mkfifo "$fc/fifo.json"
keel run --config-file "$fc/fifo.json"
expect_status "fc-config/fifo/status" 2
check "fc-config/fifo/named" "a FIFO is not refused" err_has "not a regular file"

# Firecracker's command line.
keel firecracker --version
expect_status "firecracker/version/status" 0
check "firecracker/version/first-line" "the first line is not 'Firecracker vX.Y.Z'" \
	grep -qE '^Firecracker v[0-9]+\.[0-9]+\.[0-9]+$' <(head -n 1 "$TMP/out")
ln -sf "$KEEL" "$fc/firecracker"
timeout 10 "$fc/firecracker" --version >"$TMP/out" 2>"$TMP/err"
check "firecracker/argv0/version" "keel as 'firecracker' does not answer --version" \
	grep -qE '^Firecracker v' <(head -n 1 "$TMP/out")
keel firecracker --bogus
expect_status "firecracker/bad-option/status" 153
keel firecracker --no-api
expect_status "firecracker/no-api-alone/status" 153
check "firecracker/no-api-alone/named" "no reason given" err_has "--no-api needs --config-file"
keel firecracker --id 'bad id!' --no-api --config-file "$CONFIGS/guest-minimal.json"
expect_status "firecracker/bad-id/status" 153
keel firecracker --seccomp-filter /tmp/f.bpf --no-api --config-file "$CONFIGS/guest-minimal.json"
expect_status "firecracker/seccomp-filter/status" 153
keel firecracker --no-api --config-file "$CONFIGS/guest-minimal.json" --id vm-1 --start-time-us 1 --parent-cpu-time-us 2
expect_status "firecracker/no-api/status" 0
check "firecracker/no-api/verdict" "the guest did not report" out_has "0 failed"
printf '{"latest": {"meta-data": {}}}\n' >"$fc/meta.json"
keel firecracker --no-api --config-file "$CONFIGS/guest-minimal.json" --metadata "$fc/meta.json" --boot-timer
expect_status "firecracker/flintlock-flags/status" 0
printf '{ broken\n' >"$fc/meta.json"
keel firecracker --no-api --config-file "$CONFIGS/guest-minimal.json" --metadata "$fc/meta.json"
expect_status "firecracker/bad-metadata/status" 152

# vCPU threads are named as Kata looks for them; SIGHUP (flintlock's stop) ends with Firecracker's 156.
printf '%s\n' '{"boot-source": {"boot_args": "exit=halt"}, "machine-config": {"vcpu_count": 2, "mem_size_mib": 128}}' >"$fc/halt.json"
"$KEEL" firecracker --no-api --config-file "$fc/halt.json" >"$TMP/out" 2>"$TMP/err" &
pid=$!
for _ in $(seq 300); do grep -q "guest: halted" "$TMP/out" && break; sleep 0.1; done
names=$(cat /proc/$pid/task/*/comm 2>/dev/null | sort | tr '\n' ',')
check "firecracker/vcpu-names" "threads: $names" [ "$(grep -o 'fc_vcpu [01]' <<<"$names" | wc -l)" -eq 2 ]
kill -HUP $pid
wait $pid
STATUS=$?
expect_status "firecracker/sighup/status" 156
