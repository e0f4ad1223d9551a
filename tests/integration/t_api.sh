# Integration: Firecracker's API on --api-sock, replayed with curl as firecracker-containerd and Kata drive it, against the bundled guest (what it sees checked: vCPUs, memory, disk, NIC, pause, a drive swap, Ctrl-Alt-Del); every answer checked, negative requests for each endpoint, garbage HTTP, the socket's mode and its removal.
# shellcheck shell=bash

api_dir="$TMP/api"
mkdir -p "$api_dir"
API_SOCK="$api_dir/fc.sock"
API_GUEST_ARGS="tests=boot exit=wait"	# boots in seconds, then says it is alive every second, reports a disk's
					# capacity change and powers off on Ctrl-Alt-Del
API_WAIT=60					# seconds to wait for the guest or the socket
# firecracker-containerd's guest also reads its disk, the disk's id and its NIC's link
API_CONTAINERD_ARGS="tests=boot,virtio/blk-read,virtio/blk-get-id,net/link-up vblk-id=root_drive exit=wait"

api_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# api_launch ARGS... : `keel firecracker ARGS` in the background under the time limit; sets API_BG
# (the timeout(1) wrapper) and API_PID (keel)
api_launch() {
	bg_start firecracker "$@"
	API_BG=$BG
	API_PID=$BG_PID
}

# api_end : wait for the background keel; sets STATUS
api_end() {
	wait "$API_BG"
	STATUS=$?
}

# api_kill : end keel (SIGTERM, then SIGKILL after 20 s) and reap it
api_kill() {
	kill -TERM "$API_PID" 2>/dev/null
	wait_until 20 api_gone || kill -KILL "$API_PID" 2>/dev/null
	api_end
}

api_gone() { ! kill -0 "$API_PID" 2>/dev/null; }
api_sock_up() { [ -S "$API_SOCK" ]; }

# api_req METHOD PATH [BODY] : one request with curl on $API_SOCK; sets API_CODE and API_BODY
api_req() {
	local args=(-s -o "$TMP/api-body" -w '%{http_code}' --max-time 10 --unix-socket "$API_SOCK" -X "$1"
		-H 'Accept: application/json')
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$3")
	: >"$TMP/api-body"
	API_CODE=$(curl "${args[@]}" "http://localhost$2" 2>/dev/null)
	API_BODY=$(cat "$TMP/api-body")
}

# api_expect NAME CODE NEEDLE METHOD PATH [BODY] : the answer has status CODE and a body containing NEEDLE ("" for any)
api_expect() {
	local name=$1 code=$2 needle=$3
	shift 3
	api_req "$@"
	if [ "$API_CODE" != "$code" ]; then fail "api/$name" "$1 $2: status $API_CODE, expected $code (body: $API_BODY)"
	elif [ -n "$needle" ] && [[ "$API_BODY" != *"$needle"* ]]; then fail "api/$name" "$1 $2: the body lacks '$needle': $API_BODY"
	else pass "api/$name"; fi
}

# api_raw BYTES... : send the bytes (python's escapes) on a new connection, half-close, print the answer
api_raw() {
	python3 - "$API_SOCK" "$1" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.shutdown(socket.SHUT_WR)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    out += b"<no answer within 15 s>"
sys.stdout.write(out.decode("latin-1"))
EOF
}

api_machine_config_answers() { api_req GET /machine-config; [ "$API_CODE" = 200 ]; }
api_ans_is_400() { [[ "$ans" == "HTTP/1.1 400"* ]]; }
api_ans_has() { [[ "$ans" == *"$1"* ]]; }
api_guest_waits() { out_has "guest: waiting for events"; }
api_alive() { grep -c "^guest: alive" "$TMP/out"; }
api_alive_after() { [ "$(api_alive)" -gt "$1" ]; }

# api_tap : a tap for the NIC when this host lets us make one (root, /dev/net/tun); else the NIC is left out
api_tap() {
	API_TAP="kapi$$"
	API_TAP="${API_TAP:0:15}"
	if ip tuntap add dev "$API_TAP" mode tap 2>/dev/null && ip link set dev "$API_TAP" up; then
		API_HAVE_TAP=1
	else
		ip link delete "$API_TAP" 2>/dev/null
		API_HAVE_TAP=0
		echo "# api: no tap could be made here: the NIC steps are left out"
	fi
}

# --- firecracker-containerd: --api-sock only, then the whole configuration through the API -------------------
api_containerd() {
	truncate -s 8M "$api_dir/root.img"
	truncate -s 16M "$api_dir/root2.img"
	: >"$api_dir/fc.log"
	: >"$api_dir/fc.metrics"
	rm -f "$API_SOCK"
	api_launch --api-sock "$API_SOCK" --id fc-ctr-1
	if ! wait_until "$API_WAIT" api_sock_up; then
		fail "api/containerd/socket" "no socket at $API_SOCK"
		api_kill
	else
		pass "api/containerd/socket"
		check "api/containerd/socket-mode" "mode $(stat -c %a "$API_SOCK"), expected 600" [ "$(stat -c %a "$API_SOCK")" = 600 ]
		check "api/containerd/thread-name" "no thread named fc_api" grep -qx fc_api /proc/"$API_PID"/task/*/comm
		# It polls GET /machine-config until the API answers.
		wait_until 10 api_machine_config_answers
		api_expect containerd/get-machine-config 200 '"vcpu_count":1,"mem_size_mib":128,"smt":false' GET /machine-config
		api_expect containerd/put-logger 204 "" PUT /logger \
			"{\"log_path\":\"$api_dir/fc.log\",\"level\":\"Debug\",\"show_level\":true,\"show_log_origin\":true}"
		api_expect containerd/put-metrics 204 "" PUT /metrics "{\"metrics_path\":\"$api_dir/fc.metrics\"}"
		api_expect containerd/put-machine-config 204 "" PUT /machine-config '{"vcpu_count":2,"mem_size_mib":128,"smt":false}'
		api_expect containerd/put-boot-source 204 "" PUT /boot-source \
			"{\"kernel_image_path\":\"$GUEST_ELF\",\"boot_args\":\"$API_CONTAINERD_ARGS\"}"
		api_expect containerd/put-drive 204 "" PUT /drives/root_drive \
			"{\"drive_id\":\"root_drive\",\"path_on_host\":\"$api_dir/root.img\",\"is_root_device\":true,\"is_read_only\":false}"
		if [ "$API_HAVE_TAP" = 1 ]; then
			api_expect containerd/put-nic 204 "" PUT /network-interfaces/eth0 \
				"{\"iface_id\":\"eth0\",\"host_dev_name\":\"$API_TAP\",\"guest_mac\":\"06:00:ac:10:00:02\"}"
		fi
		api_expect containerd/put-vsock 204 "" PUT /vsock "{\"guest_cid\":3,\"uds_path\":\"$api_dir/v.sock\"}"
		api_expect containerd/get-vm-config 200 "\"path_on_host\":\"$api_dir/root.img\"" GET /vm/config
		api_expect containerd/instance-start 204 "" PUT /actions '{"action_type":"InstanceStart"}'
		api_expect containerd/running 200 '{"id":"fc-ctr-1","state":"Running","vmm_version":"' GET /
		check "api/containerd/guest-boots" "the guest never said it waits for events" wait_until "$API_WAIT" api_guest_waits
		check "api/containerd/guest-cpus" "the guest did not see 2 vCPUs and 128 MiB" grep -q "2 cpus, 128 MiB" "$TMP/out"
		check "api/containerd/guest-checks" "a guest check failed" grep -qE "^guest: [0-9]+ passed, 0 failed" "$TMP/out"
		for c in blk-read blk-get-id; do
			check "api/containerd/guest-$c" "not run or skipped" grep -qE "^ok [0-9]+ - virtio/$c\$" "$TMP/out"
		done
		if [ "$API_HAVE_TAP" = 1 ]; then
			check "api/containerd/guest-mac" "the guest did not see the NIC's MAC" grep -q "mac 06:00:ac:10:00:02" "$TMP/out"
		fi
		# At run time.
		wait_until 5 api_alive_after 0
		api_expect containerd/pause 204 "" PATCH /vm '{"state":"Paused"}'
		api_expect containerd/paused 200 '"state":"Paused"' GET /
		sleep 0.5
		alive=$(api_alive)
		sleep 2.5
		check "api/containerd/paused-guest" "the guest went on while paused ($alive, then $(api_alive) alive lines)" \
			[ "$(api_alive)" = "$alive" ]
		api_expect containerd/resume 204 "" PATCH /vm '{"state":"Resumed"}'
		api_expect containerd/resumed 200 '"state":"Running"' GET /
		check "api/containerd/resumed-guest" "the guest did not go on after the resume" wait_until 10 api_alive_after "$alive"
		api_expect containerd/patch-drive 204 "" PATCH /drives/root_drive \
			"{\"drive_id\":\"root_drive\",\"path_on_host\":\"$api_dir/root2.img\"}"
		check "api/containerd/guest-sees-swap" "the guest saw no capacity change" \
			wait_until 10 out_has "blk: capacity changed: 16384 -> 32768 sectors"
		api_expect containerd/patch-drive-config 200 "\"path_on_host\":\"$api_dir/root2.img\"" GET /vm/config
		api_expect containerd/patch-drive-unknown 400 '"fault_message"' PATCH /drives/nope \
			'{"drive_id":"nope","path_on_host":"/nonexistent.img"}'
		api_expect containerd/patch-drive-missing-file 400 '"fault_message"' PATCH /drives/root_drive \
			'{"drive_id":"root_drive","path_on_host":"/nonexistent.img"}'
		if [ "$API_HAVE_TAP" = 1 ]; then
			api_expect containerd/patch-nic 204 "" PATCH /network-interfaces/eth0 \
				'{"iface_id":"eth0","rx_rate_limiter":{},"tx_rate_limiter":null}'
		fi
		api_expect containerd/flush-metrics 204 "" PUT /actions '{"action_type":"FlushMetrics"}'
		check "api/containerd/metrics-written" "the metrics file is empty" [ -s "$api_dir/fc.metrics" ]
		# Pre-boot only, now refused.
		post="The requested operation is not supported after starting the microVM."
		api_expect containerd/post/machine-config 400 "$post" PUT /machine-config '{"vcpu_count":1,"mem_size_mib":128}'
		api_expect containerd/post/machine-config-patch 400 "$post" PATCH /machine-config '{"vcpu_count":1}'
		api_expect containerd/post/boot-source 400 "$post" PUT /boot-source "{\"kernel_image_path\":\"$GUEST_ELF\"}"
		api_expect containerd/post/drive 400 "$post" PUT /drives/d2 \
			"{\"drive_id\":\"d2\",\"path_on_host\":\"$api_dir/root.img\",\"is_root_device\":false}"
		api_expect containerd/post/nic 400 "$post" PUT /network-interfaces/eth1 '{"iface_id":"eth1","host_dev_name":"tap9"}'
		api_expect containerd/post/vsock 400 "$post" PUT /vsock '{"guest_cid":4,"uds_path":"/tmp/x.sock"}'
		api_expect containerd/post/logger 400 "$post" PUT /logger '{"level":"Info"}'
		api_expect containerd/post/metrics 400 "$post" PUT /metrics '{"metrics_path":"/tmp/m"}'
		api_expect containerd/post/entropy 400 "$post" PUT /entropy '{}'
		api_expect containerd/post/start 400 "$post" PUT /actions '{"action_type":"InstanceStart"}'
		api_expect containerd/post/vm-state 400 "unknown variant" PATCH /vm '{"state":"Stopped"}'
		check "api/containerd/log-written" "nothing in the logger's file" [ -s "$api_dir/fc.log" ]
		# firecracker-containerd stops the VM with Ctrl-Alt-Del: the guest powers off.
		api_expect containerd/ctrl-alt-del 204 "" PUT /actions '{"action_type":"SendCtrlAltDel"}'
		if wait_until "$API_WAIT" api_gone; then
			api_end
			expect_status "api/containerd/status" 0
			check "api/containerd/guest-saw-ctrl-alt-del" "no ctrl-alt-del line" out_has "ctrl-alt-del"
		else
			fail "api/containerd/status" "keel still runs ${API_WAIT} s after SendCtrlAltDel"
			api_kill
		fi
		check "api/containerd/socket-removed" "$API_SOCK is still there" [ ! -e "$API_SOCK" ]
	fi

}

# --- Kata: --api-sock and --config-file together, GET / every 10 ms until Running, a disk swapped -----------
api_kata() {
	truncate -s 1M "$api_dir/drive0.img"
	truncate -s 4M "$api_dir/drive0-new.img"
	kata_nic=""
	if [ "$API_HAVE_TAP" = 1 ]; then
		kata_nic="\"network-interfaces\": [{\"iface_id\": \"eth0\", \"host_dev_name\": \"$API_TAP\",
			\"guest_mac\": \"06:00:ac:10:00:03\", \"rx_rate_limiter\": {}, \"tx_rate_limiter\": {}}],"
	fi
	cat >"$api_dir/kata.json" <<EOF
	{
		"boot-source": {"kernel_image_path": "$GUEST_ELF", "boot_args": "$API_GUEST_ARGS"},
		"machine-config": {"vcpu_count": 1, "mem_size_mib": 128, "smt": false},
		"drives": [{"drive_id": "drive_0", "path_on_host": "$api_dir/drive0.img", "is_root_device": false,
			"is_read_only": false, "cache_type": "Unsafe"}],
		$kata_nic
		"vsock": {"guest_cid": 3, "uds_path": "$api_dir/kata.hvsock"},
		"logger": {"log_path": "$api_dir/kata.log", "level": "Info", "show_level": true, "show_log_origin": true},
		"metrics": {"metrics_path": "$api_dir/kata.metrics"}
	}
EOF
	: >"$api_dir/kata.log"
	: >"$api_dir/kata.metrics"
	rm -f "$API_SOCK"
	t0=$(api_now_ms)
	api_launch --api-sock "$API_SOCK" --config-file "$api_dir/kata.json" --id kata-1
	polls=0
	bad_polls=0
	state=""
	while [ $(($(api_now_ms) - t0)) -lt $((API_WAIT * 1000)) ]; do
		if api_sock_up; then
			api_req GET /
			polls=$((polls + 1))
			[ "$API_CODE" = 200 ] || bad_polls=$((bad_polls + 1))
			if [[ "$API_BODY" == *'"state":"Running"'* ]]; then state=Running; break; fi
		fi
		api_gone && break
		sleep 0.01
	done
	if [ "$state" = Running ]; then
		pass "api/kata/running"
		echo "# api: kata saw Running after $polls polls, $(($(api_now_ms) - t0)) ms after execve"
		check "api/kata/polls-answered" "$bad_polls of $polls polls were not 200" [ "$bad_polls" = 0 ]
		api_expect kata/id 200 '"id":"kata-1"' GET /
		api_expect kata/vm-config 200 '"drive_id":"drive_0"' GET /vm/config
		check "api/kata/guest-boots" "the guest never said it waits for events" wait_until "$API_WAIT" api_guest_waits
		api_expect kata/hot-swap 204 "" PATCH /drives/drive_0 \
			"{\"drive_id\":\"drive_0\",\"path_on_host\":\"$api_dir/drive0-new.img\"}"
		check "api/kata/guest-sees-swap" "the guest saw no capacity change" \
			wait_until 10 out_has "blk: capacity changed: 2048 -> 8192 sectors"
		api_expect kata/hot-swap-mismatch 400 "The id from the path does not match the id from the body!" \
			PATCH /drives/drive_0 "{\"drive_id\":\"drive_1\",\"path_on_host\":\"$api_dir/drive0-new.img\"}"
		api_expect kata/start-again 400 "not supported after starting" PUT /actions '{"action_type":"InstanceStart"}'
		# Kata stops it with SIGTERM: Firecracker ends at once (128 + 15).
		api_kill
		expect_status "api/kata/status" 143
		check "api/kata/socket-removed" "$API_SOCK is still there" [ ! -e "$API_SOCK" ]
	else
		fail "api/kata/running" "no Running state within ${API_WAIT} s ($polls polls, last: $API_CODE $API_BODY)"
		api_kill
	fi
}

# --- every endpoint refused where it must be, and garbage, before a boot --------------------------------------
api_negative() {
	rm -f "$API_SOCK"
	api_launch --api-sock "$API_SOCK" --id neg
	if ! wait_until "$API_WAIT" api_sock_up; then
		fail "api/neg/socket" "no socket at $API_SOCK"
		api_kill
	else
		pre="The requested operation is not supported before starting the microVM."
		api_expect neg/info 200 '{"id":"neg","state":"Not started","vmm_version":"' GET /
		api_expect neg/version 200 '"firecracker_version":"' GET /version
		api_expect neg/unknown-path 400 "Invalid request method and/or path: GET /nothing." GET /nothing
		api_expect neg/unknown-method 400 "Invalid request method and/or path: DELETE /drives/a." DELETE /drives/a
		api_expect neg/get-body 400 "GET request cannot have a body." GET / '{}'
		api_expect neg/empty-put 400 "Empty PUT request." PUT /logger ''
		api_expect neg/balloon 400 "not supported" PUT /balloon '{"amount_mib":1,"deflate_on_oom":false}'
		api_expect neg/bad-json 400 "at line 1 column" PUT /machine-config '{"vcpu_count":'
		api_expect neg/not-object 400 "expected a JSON object" PUT /boot-source '[1]'
		api_expect neg/machine-missing 400 "machine-config.mem_size_mib: missing" PUT /machine-config '{"vcpu_count":2}'
		api_expect neg/machine-unknown 400 "unknown field 'vcpus'" PATCH /machine-config '{"vcpus":2}'
		api_expect neg/machine-range 400 "vcpu_count" PUT /machine-config '{"vcpu_count":0,"mem_size_mib":128}'
		api_expect neg/machine-null 204 "" PATCH /machine-config '{"vcpu_count":1,"smt":null}'
		api_expect neg/boot-type 400 "boot-source.kernel_image_path: expected a string" PUT /boot-source '{"kernel_image_path":5}'
		api_expect neg/drive-mismatch 400 "The id from the path does not match the id from the body!" PUT /drives/a \
			'{"drive_id":"b","path_on_host":"/x","is_root_device":false}'
		api_expect neg/drive-id 400 "API Resource IDs can only contain alphanumeric characters and underscores." \
			PUT /drives/a-b '{"drive_id":"a-b","path_on_host":"/x","is_root_device":false}'
		api_expect neg/drive-unknown-field 400 "unknown field 'speed'" PUT /drives/a \
			'{"drive_id":"a","path_on_host":"/x","is_root_device":false,"speed":1}'
		api_expect neg/nic-mismatch 400 "The id from the path [eth0] does not match the id from the body [eth1]!" \
			PUT /network-interfaces/eth0 '{"iface_id":"eth1","host_dev_name":"tap0"}'
		api_expect neg/nic-mac 400 "guest_mac" PUT /network-interfaces/eth0 \
			'{"iface_id":"eth0","host_dev_name":"tap0","guest_mac":"nope"}'
		api_expect neg/vsock-cid 400 "vsock.guest_cid" PUT /vsock '{"guest_cid":2,"uds_path":"/tmp/v.sock"}'
		api_expect neg/logger-level 400 "logger.level" PUT /logger '{"level":"Loud"}'
		api_expect neg/metrics-path 400 "metrics.metrics_path" PUT /metrics '{}'
		api_expect neg/entropy-limiter 400 "rate limiting is not supported" PUT /entropy \
			'{"rate_limiter":{"bandwidth":{"size":1,"refill_time":100}}}'
		api_expect neg/entropy-null 204 "" PUT /entropy '{"rate_limiter":null}'
		api_expect neg/action-unknown 400 "unknown variant \`Reboot\`" PUT /actions '{"action_type":"Reboot"}'
		api_expect neg/ctrl-alt-del 400 "$pre" PUT /actions '{"action_type":"SendCtrlAltDel"}'
		api_expect neg/flush 400 "$pre" PUT /actions '{"action_type":"FlushMetrics"}'
		api_expect neg/vm-pause 400 "$pre" PATCH /vm '{"state":"Paused"}'
		api_expect neg/drive-patch 400 "$pre" PATCH /drives/a '{"drive_id":"a","path_on_host":"/x"}'
		api_expect neg/nic-patch 400 "$pre" PATCH /network-interfaces/eth0 '{"iface_id":"eth0"}'
		big=$(head -c 60000 /dev/zero | tr '\0' ' ')
		api_expect neg/oversized 400 "Request payload with size 60002 is larger than the limit of 51200 allowed by server." \
			PUT /logger "{$big}"
		# Garbage on the socket: answered 400 or closed, never a crash or a hang of the others.
		ans=$(api_raw 'GET /\r\n\r\n')
		check "api/neg/raw-no-version" "answer: ${ans:0:80}" api_ans_is_400
		ans=$(api_raw 'GET / HTTP/1.1\r\nno colon here\r\n\r\n')
		check "api/neg/raw-bad-header" "answer: ${ans:0:80}" api_ans_is_400
		ans=$(api_raw 'PUT /logger HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n{}')
		check "api/neg/raw-bad-length" "answer: ${ans:0:80}" api_ans_is_400
		ans=$(api_raw 'BREW / HTTP/1.1\r\nHost: x\r\n\r\n')
		check "api/neg/raw-method" "answer: ${ans:0:80}" api_ans_has "Invalid request method and/or path: BREW /."
		ans=$(api_raw 'PUT /machine-config HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\n{"vcpu_count":1}')
		check "api/neg/raw-short-length" "answer: ${ans:0:80}" api_ans_is_400
		api_raw '\x00\x01\x02garbage\xff\r\n\r\n' >/dev/null &
		garbage=$!
		# A client that sent half a request and went quiet holds up nobody.
		python3 -c "import socket,time,sys; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); \
	s.sendall(b'PUT /logger HTTP/1.1\r\nContent-Length: 100\r\n\r\n{'); time.sleep(20)" "$API_SOCK" &
		slow_client=$!
		sleep 0.3
		t1=$(api_now_ms)
		api_expect neg/alive-after-garbage 200 '"state":"Not started"' GET /
		check "api/neg/not-blocked" "GET / took $(($(api_now_ms) - t1)) ms beside a slow client" [ $(($(api_now_ms) - t1)) -lt 2000 ]
		kill "$slow_client" 2>/dev/null
		wait "$slow_client" 2>/dev/null
		wait "$garbage" 2>/dev/null
		# A second keel on the same path is refused; the first keeps its socket.
		timeout 20 "$KEEL" firecracker --api-sock "$API_SOCK" --id other </dev/null >"$TMP/api-other.out" 2>"$TMP/api-other.err"
		other=$?
		check "api/neg/socket-in-use" "a second keel on $API_SOCK did not fail (status $other)" test "$other" -ne 0 -a "$other" -ne 124
		api_expect neg/first-still-serves 200 '"id":"neg"' GET /
		# A failed InstanceStart leaves the microVM startable: fix the configuration and start again.
		api_expect neg/boot-missing-kernel 204 "" PUT /boot-source '{"kernel_image_path":"/nonexistent/vmlinux"}'
		api_expect neg/start-fails 400 "nonexistent" PUT /actions '{"action_type":"InstanceStart"}'
		api_expect neg/still-not-started 200 '"state":"Not started"' GET /
		api_expect neg/boot-fixed 204 "" PUT /boot-source "{\"kernel_image_path\":\"$GUEST_ELF\",\"boot_args\":\"$API_GUEST_ARGS\"}"
		api_expect neg/start-again 204 "" PUT /actions '{"action_type":"InstanceStart"}'
		api_expect neg/running 200 '"state":"Running"' GET /
		check "api/neg/guest-boots" "the guest never said it waits for events" wait_until "$API_WAIT" api_guest_waits
		api_kill
		expect_status "api/neg/status" 143
		check "api/neg/socket-removed" "$API_SOCK is still there" [ ! -e "$API_SOCK" ]
	fi

}

# An existing file at --api-sock is an error, and it stays.
api_existing_file() {
	: >"$API_SOCK"
	keel firecracker --api-sock "$API_SOCK" --id exists
	check "api/existing-file/refused" "keel started over an existing file (status $STATUS)" [ "$STATUS" -ne 0 ]
	check "api/existing-file/named" "stderr does not name the path" err_has "$API_SOCK"
	check "api/existing-file/kept" "the file was removed" [ -f "$API_SOCK" ]
	rm -f "$API_SOCK"
}

if ! "$KEEL" firecracker --version >/dev/null 2>&1; then
	echo "# api: this keel has no \`keel firecracker\` yet: skipped"
else
	api_tap
	api_containerd
	api_kata
	api_negative
	api_existing_file
	if [ "$API_HAVE_TAP" = 1 ]; then ip link delete "$API_TAP" 2>/dev/null; fi
fi
