# Integration: virtio-vsock through keel's hybrid Unix-socket backend with the bundled guest's own driver
# (vsock: echo): the guest connects to host port 6000 (a listener at UDS_6000 echoes), then the host connects
# to the guest's port 5000 through UDS ("CONNECT 5000\n", "OK <port>\n") and the guest echoes; both transports;
# the socket file is gone when keel ends; bad --vsock values name every bad item.
# shellcheck shell=bash
# shellcheck disable=SC2154  # here: set by run.sh, which sources this file

vs="$TMP/vsock"
mkdir -p "$vs"
for t in pci mmio; do
	rm -f "$vs"/v.sock*
	: >"$TMP/out" # the host program waits for the guest's line there: none from the last run
	python3 "$here/../linux/vsock_host.py" "$vs/v.sock" "$TMP/out" 5000 1 6000 20000 "vsock: listening on 5000" \
		>"$vs/host.$t" 2>"$vs/host-err.$t" &
	host=$!
	for _ in $(seq 1 50); do [ -S "$vs/v.sock_6000" ] && break; sleep 0.1; done
	keel run --virtio-transport "$t" --vsock "cid=42,uds=$vs/v.sock" --cmdline "tests=vsock vsock=5000:6000:20000 verbose=1"
	wait "$host"
	hst=$?
	expect_status "vsock/$t/status" 0
	check "vsock/$t/guest-echo" "the guest's check did not pass: $(grep -E 'vsock' "$TMP/out" | tail -n 3 | tr '\n' ' ')" \
		grep -qE '^ok [0-9]+ - vsock: echo$' "$TMP/out"
	check "vsock/$t/guest-cid" "the guest did not read cid 42" out_has "vsock: guest cid 42"
	check "vsock/$t/host-to-guest" "host: $(cat "$vs/host.$t" "$vs/host-err.$t" | tr '\n' ' ')" \
		grep -qx "host-initiated 1 of 1 connections echoed 20000 bytes" "$vs/host.$t"
	check "vsock/$t/guest-to-host" "host: $(tr '\n' ' ' <"$vs/host.$t")" \
		grep -qx "guest-initiated 1 connections echoed" "$vs/host.$t"
	check "vsock/$t/host-exit" "vsock_host.py ended with status $hst" [ "$hst" -eq 0 ]
	check "vsock/$t/socket-removed" "$vs/v.sock is still there after keel ended" [ ! -e "$vs/v.sock" ]
	check "vsock/$t/stderr-quiet" "keel printed to stderr: $(head -c 300 "$TMP/err")" [ ! -s "$TMP/err" ]
done
rm -f "$vs"/v.sock*

keel run --vsock "cid=2,uds=,port=1"
expect_status "vsock/bad-value/status" 2
check "vsock/bad-value/every-item" "stderr: $(cat "$TMP/err")" \
	grep -qF "'cid=2' must be between 3 and 4294967294; 'uds=' needs a socket path; unknown option 'port=1'" "$TMP/err"
touch "$vs/file"
keel run --vsock "cid=3,uds=$vs/file"
expect_status "vsock/not-a-socket/status" 2
check "vsock/not-a-socket/message" "stderr: $(cat "$TMP/err")" err_has "exists and is not a socket"
rm -rf "$vs"
