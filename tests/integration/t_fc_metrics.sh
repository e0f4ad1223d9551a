# Integration: Firecracker's logger and metrics sections (keel run --config-file): log lines in Firecracker's format, one JSON metrics line per flush with the guest's disk counters, files and FIFOs.
# shellcheck shell=bash

fm="$TMP/fc-metrics"
mkdir -p "$fm"
truncate -s 8M "$fm/data.img"
truncate -s 1M "$fm/ro.img"
echo hello >"$fm/console-in.txt"

# fm_cfg LOGGER METRICS [CHECKS] : the bundled guest's virtio checks (or CHECKS, its tests=) with a
# writable disk "data", a read-only one "ro" and the entropy device, and the given logger and
# metrics sections, into $fm/cfg.json.
fm_cfg() {
	local checks=${3:-virtio}
	cat >"$fm/cfg.json" <<EOF
{
  "boot-source": { "boot_args": "tests=$checks virtio-write=1 vblk-id=data vcons-input=hello" },
  "machine-config": { "vcpu_count": 1, "mem_size_mib": 128 },
  "drives": [
    { "drive_id": "data", "path_on_host": "data.img", "is_root_device": false, "is_read_only": false },
    { "drive_id": "ro", "path_on_host": "ro.img", "is_root_device": false, "is_read_only": true }
  ],
  "entropy": {},
  "logger": $1,
  "metrics": $2,
  "keel": { "transport": "mmio", "console": "file:console.txt,in=console-in.txt" }
}
EOF
}

# fm_run : keel run --config-file $fm/cfg.json from inside $fm (the paths in it are relative).
fm_run() {
	local here=$PWD
	cd "$fm" || return 1
	keel run --config-file "$fm/cfg.json"
	cd "$here" || return 1
}

# fm_jq FILE EXPR : every line of FILE makes the jq expression EXPR true.
fm_jq() { jq -e -s "length > 0 and all(.[]; $2)" "$1" >/dev/null; }

# fm_sum FILE EXPR : the sum over FILE's metrics lines of the jq expression EXPR (0 when absent).
fm_sum() { jq -s "map($2 // 0) | add // 0" "$1"; }

# One line as Firecracker writes it with show_level and show_log_origin:
# 2026-12-03T16:55:33.362392833 [anonymous-instance:keel:INFO:vmm/vm.c:100] message
LINE_FULL='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9} \[anonymous-instance:[^]:]+:(ERROR|WARN|INFO|DEBUG):[^]:]+\.[ch]:[0-9]+\] '
LINE_BARE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9} \[anonymous-instance:[^]:]+\] '

# --- files: a log at Debug with level and origin, metrics --------------------------------------
rm -f "$fm/keel.log" "$fm/metrics.json"
fm_cfg '{ "log_path": "keel.log", "level": "debug", "show_level": true, "show_log_origin": true }' \
	'{ "metrics_path": "metrics.json" }'
fm_run
expect_status "fc-metrics/file/status" 0
check "fc-metrics/file/guest" "not every virtio check passed" grep -qE "^guest: [0-9]+ passed, 0 failed" "$TMP/out"
check "fc-metrics/file/stderr-quiet" "keel wrote to stderr, not the log" [ ! -s "$TMP/err" ]
check "fc-metrics/file/log-lines" "no log lines" [ -s "$fm/keel.log" ]
check "fc-metrics/file/log-format" "a line not in Firecracker's format: $(grep -vE "$LINE_FULL" "$fm/keel.log" | head -n 1)" \
	bash -c "! grep -qvE '$LINE_FULL' '$fm/keel.log'"
check "fc-metrics/file/log-debug" "no DEBUG line with its origin" grep -qE ':DEBUG:devices/virtio/blk\.c:[0-9]+\] virtio-blk0: ' "$fm/keel.log"
check "fc-metrics/file/log-info" "no INFO line" grep -qF ':INFO:' "$fm/keel.log"
check "fc-metrics/file/json" "a metrics line is not one JSON object" fm_jq "$fm/metrics.json" 'type == "object" and (.utc_timestamp_ms | type) == "number"'
check "fc-metrics/file/lines" "fewer than 2 lines (the VM's end, then the close)" [ "$(wc -l <"$fm/metrics.json")" -ge 2 ]
for g in api_server block block_data block_ro deprecated_api get_api_requests i8042 uart latencies_us logger mmds net \
	patch_api_requests put_api_requests seccomp vcpu vmm signals vsock entropy; do
	check "fc-metrics/file/group-$g" "no group $g in the first line" fm_jq <(head -n 1 "$fm/metrics.json") "has(\"$g\")"
done
check "fc-metrics/file/block-read" "block_data.read_count is 0" [ "$(fm_sum "$fm/metrics.json" .block_data.read_count)" -gt 0 ]
check "fc-metrics/file/block-read-bytes" "block_data.read_bytes is 0" [ "$(fm_sum "$fm/metrics.json" .block_data.read_bytes)" -gt 0 ]
check "fc-metrics/file/block-write" "block_data.write_count is 0" [ "$(fm_sum "$fm/metrics.json" .block_data.write_count)" -gt 0 ]
check "fc-metrics/file/block-flush" "block_data.flush_count is 0" [ "$(fm_sum "$fm/metrics.json" .block_data.flush_count)" -gt 0 ]
check "fc-metrics/file/block-ro-no-write" "the read-only disk counted a write" [ "$(fm_sum "$fm/metrics.json" .block_ro.write_count)" -eq 0 ]
check "fc-metrics/file/block-ro-read" "block_ro.read_count is 0" [ "$(fm_sum "$fm/metrics.json" .block_ro.read_count)" -gt 0 ]
check "fc-metrics/file/block-aggregate" "block.read_count is not block_data's plus block_ro's" \
	fm_jq <(head -n 1 "$fm/metrics.json") '.block.read_count == .block_data.read_count + .block_ro.read_count'
check "fc-metrics/file/vcpu" "no MMIO write exits counted" [ "$(fm_sum "$fm/metrics.json" .vcpu.exit_mmio_write)" -gt 0 ]
check "fc-metrics/file/uart" "no UART bytes counted" [ "$(fm_sum "$fm/metrics.json" .uart.write_count)" -gt 0 ]
check "fc-metrics/file/entropy" "no entropy bytes counted" [ "$(fm_sum "$fm/metrics.json" .entropy.entropy_bytes)" -gt 0 ]
check "fc-metrics/file/deltas" "the last line repeats counts (not deltas since the line before)" \
	fm_jq <(tail -n 1 "$fm/metrics.json") '.block.read_count == 0 and .block.write_count == 0 and .vcpu.exit_io_out == 0'

# --- a second run appends; Info without level and origin -----------------------------------------
before=$(wc -l <"$fm/keel.log")
fm_cfg '{ "log_path": "keel.log", "level": "Info", "show_level": false, "show_log_origin": false }' 'null' virtio/blk-read
fm_run
expect_status "fc-metrics/bare/status" 0
check "fc-metrics/bare/appended" "the log was not appended to" [ "$(head -n "$before" "$fm/keel.log" | grep -cF ':DEBUG:')" -gt 0 ]
tail -n +"$((before + 1))" "$fm/keel.log" >"$fm/bare.log"
check "fc-metrics/bare/lines" "no new lines" [ -s "$fm/bare.log" ]
check "fc-metrics/bare/format" "a line not in the bare format: $(grep -vE "$LINE_BARE" "$fm/bare.log" | head -n 1)" \
	bash -c "! grep -qvE '$LINE_BARE' '$fm/bare.log'"
check "fc-metrics/bare/no-debug" "a debug line at level Info" bash -c "! grep -qF 'virtio-blk0: data.img' '$fm/bare.log'"

# --- FIFOs with a reader for both ----------------------------------------------------------------
rm -f "$fm/log.fifo" "$fm/metrics.fifo"
mkfifo "$fm/log.fifo" "$fm/metrics.fifo"
cat "$fm/log.fifo" >"$fm/log.got" &
log_reader=$!
cat "$fm/metrics.fifo" >"$fm/metrics.got" &
metrics_reader=$!
fm_cfg '{ "log_path": "log.fifo", "level": "Debug", "show_level": true, "show_log_origin": true }' \
	'{ "metrics_path": "metrics.fifo" }' virtio/blk-read
fm_run
expect_status "fc-metrics/fifo/status" 0
# keel held both ends: its exit is the readers' end of file
timeout 10 tail --pid="$log_reader" -f /dev/null
timeout 10 tail --pid="$metrics_reader" -f /dev/null
check "fc-metrics/fifo/log" "no Firecracker-format line through the log FIFO" grep -qE "$LINE_FULL" "$fm/log.got"
check "fc-metrics/fifo/json" "the metrics FIFO's lines are not JSON objects" fm_jq "$fm/metrics.got" 'type == "object"'
check "fc-metrics/fifo/block" "no disk reads through the metrics FIFO" [ "$(fm_sum "$fm/metrics.got" .block_data.read_count)" -gt 0 ]

# --- a metrics FIFO nobody reads: keel neither blocks nor fails, and says so in its log -----------
rm -f "$fm/quiet.log"
fm_cfg '{ "log_path": "quiet.log", "level": "Warning" }' '{ "metrics_path": "metrics.fifo" }' boot
fm_run
expect_status "fc-metrics/no-reader/status" 0
check "fc-metrics/no-reader/said" "the log does not say the FIFO has no reader" grep -qF "has no reader yet" "$fm/quiet.log"

# --- a path that cannot be opened is named, exit status 2 ----------------------------------------
fm_cfg '{ "log_path": "/nonexistent-dir/keel.log" }' 'null'
fm_run
expect_status "fc-metrics/bad-log-path/status" 2
check "fc-metrics/bad-log-path/named" "the path is not named" err_has "/nonexistent-dir/keel.log"
fm_cfg 'null' '{ "metrics_path": "/nonexistent-dir/m.json" }'
fm_run
expect_status "fc-metrics/bad-metrics-path/status" 2
check "fc-metrics/bad-metrics-path/named" "the path is not named" err_has "/nonexistent-dir/m.json"

# --- keel firecracker with its API: --id in the log lines, FlushMetrics, a drive swap counted, a last line at the end ---
fm_sock="$fm/api.sock"
rm -f "$fm_sock" "$fm/api.log" "$fm/api.metrics"
truncate -s 8M "$fm/data2.img"
cat >"$fm/api.json" <<EOF
{
  "boot-source": { "kernel_image_path": "$GUEST_ELF", "boot_args": "tests=boot,virtio/blk-read vblk-id=data exit=wait" },
  "machine-config": { "vcpu_count": 1, "mem_size_mib": 128 },
  "drives": [ { "drive_id": "data", "path_on_host": "$fm/data.img", "is_root_device": false } ],
  "logger": { "log_path": "$fm/api.log", "level": "Info", "show_level": true, "show_log_origin": true },
  "metrics": { "metrics_path": "$fm/api.metrics" }
}
EOF
bg_start firecracker --api-sock "$fm_sock" --config-file "$fm/api.json" --id met-1
# fm_api METHOD PATH BODY : one request on the API socket; prints the HTTP status
fm_api() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 --unix-socket "$fm_sock" -X "$1" \
	-H 'Content-Type: application/json' --data-binary "$3" "http://localhost$2"; }
if wait_until 60 out_has "guest: waiting for events"; then
	pass "fc-metrics/api/guest-waits"
	check "fc-metrics/api/flush" "FlushMetrics was not answered 204" \
		[ "$(fm_api PUT /actions '{"action_type":"FlushMetrics"}')" = 204 ]
	check "fc-metrics/api/flush-line" "no line with the disk's reads after FlushMetrics" \
		fm_jq <(head -n 1 "$fm/api.metrics") '.block_data.read_count > 0 and .block_data.update_count == 0'
	check "fc-metrics/api/swap" "PATCH /drives/data was not answered 204" \
		[ "$(fm_api PATCH /drives/data "{\"drive_id\":\"data\",\"path_on_host\":\"$fm/data2.img\"}")" = 204 ]
	check "fc-metrics/api/flush-again" "FlushMetrics was not answered 204" \
		[ "$(fm_api PUT /actions '{"action_type":"FlushMetrics"}')" = 204 ]
	check "fc-metrics/api/swap-counted" "the second line does not count one update of block_data" \
		fm_jq <(sed -n 2p "$fm/api.metrics") '.block_data.update_count == 1 and .block.update_count == 1'
	kill -TERM "$BG_PID" 2>/dev/null
else
	fail "fc-metrics/api/guest-waits" "the guest never said it waits for events"
	kill -KILL "$BG_PID" 2>/dev/null
fi
wait "$BG"
check "fc-metrics/api/last-line" "no line written when keel ended" [ "$(wc -l <"$fm/api.metrics")" -ge 3 ]
check "fc-metrics/api/json" "a metrics line is not a JSON object" fm_jq "$fm/api.metrics" 'type == "object"'
check "fc-metrics/api/log-id" "the log lines do not carry --id" grep -qE '^[0-9T:.-]+ \[met-1:[^]]+:INFO:' "$fm/api.log"
check "fc-metrics/api/stderr-quiet" "keel wrote to stderr, not the log: $(head -c 300 "$TMP/err")" [ ! -s "$TMP/err" ]
