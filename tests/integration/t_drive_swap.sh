# Integration: a running guest driven through Firecracker's API: a disk swapped for a bigger image (the guest sees its capacity change), a bad swap refused with the disk unchanged, pause and resume, Ctrl-Alt-Del powering it off.
# shellcheck shell=bash

ds_dir="$TMP/drive-swap"
mkdir -p "$ds_dir"
DS_SOCK="$ds_dir/fc.sock"
DS_WAIT=60		# seconds for the guest to boot or answer

ds_count() { grep -cF -- "$1" "$TMP/out"; }
ds_sock_up() { [ -S "$DS_SOCK" ]; }
ds_gone() { ! kill -0 "$DS_PID" 2>/dev/null; }
ds_body_has() { local n; for n in "$@"; do [[ "$DS_BODY" == *"$n"* ]] || return 1; done; }
ds_alive_after() { [ "$(ds_count "guest: alive")" -gt "$1" ]; }

# ds_call NAME CODE METHOD PATH [BODY] : one request with curl on the socket; the answer must have status CODE
ds_call() {
	local name=$1 code=$2 args=(-s -o "$ds_dir/body" -w '%{http_code}' --max-time 10 --unix-socket "$DS_SOCK" -X "$3")
	[ $# -ge 5 ] && args+=(-H 'Content-Type: application/json' --data-binary "$5")
	: >"$ds_dir/body"
	DS_CODE=$(curl "${args[@]}" "http://localhost$4" 2>/dev/null)
	DS_BODY=$(cat "$ds_dir/body")
	check "drive-swap/$name" "$3 $4: status $DS_CODE, expected $code (body: $DS_BODY)" [ "$DS_CODE" = "$code" ]
}

ds_run() {
	truncate -s 1M "$ds_dir/small.img"
	truncate -s 4M "$ds_dir/big.img"
	cat >"$ds_dir/vm.json" <<EOF
{
  "boot-source": { "kernel_image_path": "$GUEST_ELF", "boot_args": "tests=boot exit=wait" },
  "machine-config": { "vcpu_count": 1, "mem_size_mib": 128, "smt": false },
  "drives": [ { "drive_id": "swapdisk", "path_on_host": "$ds_dir/small.img", "is_root_device": false, "is_read_only": false } ]
}
EOF
	rm -f "$DS_SOCK"
	: >"$TMP/out"
	: >"$TMP/err"
	( exec timeout -k 5 "$LIMIT" "$KEEL" firecracker --api-sock "$DS_SOCK" --config-file "$ds_dir/vm.json" \
		</dev/null >"$TMP/out" 2>"$TMP/err" ) &
	DS_BG=$!
	DS_PID=
	for _ in $(seq 1 200); do
		DS_PID=$(pgrep -P "$DS_BG") && break
		sleep 0.05
	done
	check "drive-swap/socket" "no socket at $DS_SOCK" wait_until "$DS_WAIT" ds_sock_up
	check "drive-swap/guest-waits" "the guest never said it waits for events" wait_until "$DS_WAIT" out_has "guest: waiting for events"
	check "drive-swap/old-capacity" "the guest did not see 2048 sectors" out_has "blk: capacity 2048 sectors"

	# A bigger image: the guest hears of it through the configuration-change interrupt.
	ds_call patch 204 PATCH /drives/swapdisk "{\"drive_id\":\"swapdisk\",\"path_on_host\":\"$ds_dir/big.img\"}"
	check "drive-swap/capacity-changed" "no capacity line in the guest's output" \
		wait_until 20 out_has "blk: capacity changed: 2048 -> 8192 sectors"

	# A missing file: 400 with a fault message, and the guest hears nothing.
	ds_call patch-missing 400 PATCH /drives/swapdisk '{"drive_id":"swapdisk","path_on_host":"/nonexistent/keel-swap.img"}'
	check "drive-swap/patch-missing-fault" "no fault message naming the file: $DS_BODY" \
		ds_body_has '"fault_message"' "/nonexistent/keel-swap.img"
	ds_call patch-unknown-drive 400 PATCH /drives/nodisk '{"drive_id":"nodisk","path_on_host":"/dev/null"}'
	sleep 2
	check "drive-swap/unchanged" "the failed swaps changed the disk" [ "$(ds_count "blk: capacity changed")" -eq 1 ]

	# Paused: the guest's heartbeat stops; resumed: it goes on.
	ds_call pause 204 PATCH /vm '{"state":"Paused"}'
	sleep 1
	local beats
	beats=$(ds_count "guest: alive")
	sleep 3
	check "drive-swap/paused-quiet" "the guest printed while paused" [ "$(ds_count "guest: alive")" -eq "$beats" ]
	ds_call resume 204 PATCH /vm '{"state":"Resumed"}'
	check "drive-swap/resumed-goes-on" "no heartbeat after the resume" wait_until 20 ds_alive_after "$beats"

	# Ctrl-Alt-Del: the guest's keyboard handler powers it off, keel ends with status 0.
	ds_call ctrl-alt-del 204 PUT /actions '{"action_type":"SendCtrlAltDel"}'
	check "drive-swap/ctrl-alt-del-seen" "the guest did not see Ctrl-Alt-Del" wait_until 20 out_has "ctrl-alt-del"
	if ! wait_until 30 ds_gone; then
		fail "drive-swap/powered-off" "keel still runs after Ctrl-Alt-Del"
		kill -KILL "$DS_PID" 2>/dev/null
	fi
	wait "$DS_BG"
	STATUS=$?
	expect_status "drive-swap/status" 0
	check "drive-swap/socket-removed" "$DS_SOCK is still there" [ ! -e "$DS_SOCK" ]
}

if ! "$KEEL" firecracker --version >/dev/null 2>&1; then
	echo "# drive-swap: this keel has no \`keel firecracker\` yet: skipped"
else
	ds_run
fi
