# Integration: virtio-gpu (2D over PCI and MMIO, a custom mode, virgl), screenshots equal to the test card (on exit and on SIGUSR1), VNC with virtio-input keys and clicks reaching the bundled guest, and --gpu/--display/--input's bad values.
# shellcheck shell=bash
# shellcheck disable=SC2154  # here: set by run.sh, which sources this file

gpu_dir="$TMP/gpu"
mkdir -p "$gpu_dir"
GPU_TOOLS="$here/../tools"
GPU_WAIT=${KEEL_TEST_TIMEOUT:-180}	# seconds to wait for a line of the guest's (a bound, not a measurement)

# gpu_bad NAME NEEDLE ARGS... : keel run ARGS must exit 2 with exactly one stderr line containing NEEDLE
gpu_bad() {
	local name=$1 needle=$2
	shift 2
	keel run "$@"
	if ! status_is 2; then fail "gpu/bad/$name" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "gpu/bad/$name" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$needle"; then fail "gpu/bad/$name" "stderr lacks '$needle'"
	else pass "gpu/bad/$name"; fi
}

# gpu_check_ok NAME : the guest's check NAME ran and passed (not skipped)
gpu_check_ok() { grep -qE "^ok [0-9]+ - $1\$" "$TMP/out"; }
# gpu_none_failed PREFIX : no check named PREFIX... failed, and at least one passed
gpu_none_failed() { ! grep -qE "^not ok [0-9]+ - $1" "$TMP/out" && grep -qE "^ok [0-9]+ - $1" "$TMP/out"; }
gpu_guest_passed() { grep -qE '^guest: [0-9]+ passed, 0 failed$' "$TMP/out"; }
# gpu_err_quiet : stderr holds nothing but the device's warnings about the guest's hostile requests
gpu_err_quiet() { [ "$(grep -cvF "guest driver error" "$TMP/err")" -eq 0 ]; }
# gpu_card PNG WxH : the PNG is the test card at that size, pixel for pixel
gpu_card() { python3 "$GPU_TOOLS/pngcmp.py" "$1" --testcard "$2" >"$TMP/pngcmp" 2>&1; }
# gpu_card_check NAME PNG WxH : pass when PNG is the card, else fail with what pngcmp said
gpu_card_check() {
	if gpu_card "$2" "$3"; then pass "$1"
	else fail "$1" "not the $3 test card: $(head -c 300 "$TMP/pngcmp" | tr '\n' ' ')"; fi
}

# gpu_start ARGS... : keel run ARGS in the background under the time limit; GPU_BG (timeout(1)) and GPU_PID (keel)
gpu_start() {
	bg_start run "$@"
	GPU_BG=$BG
	GPU_PID=$BG_PID
}

# gpu_until SECONDS COMMAND... : poll COMMAND every 0.1 s until it succeeds (true) or SECONDS pass (false)
gpu_until() {
	local n=$(($1 * 10))
	shift
	for ((; n > 0; n--)); do
		"$@" && return 0
		kill -0 "$GPU_BG" 2>/dev/null || { "$@"; return; }
		sleep 0.1
	done
	return 1
}

# gpu_end : wait for the background keel (killed when it outlives the limit); sets STATUS
gpu_end() {
	wait "$GPU_BG"
	STATUS=$?
}

# gpu_stop : end a background keel that has no reason to finish by itself
gpu_stop() {
	kill -KILL "$GPU_PID" 2>/dev/null
	wait "$GPU_BG" 2>/dev/null
}

# gpu_abs_near X Y : the guest's first "input: abs" line is within 64 of (X, Y)
gpu_abs_near() {
	awk -v wx="$1" -v wy="$2" '/^input: abs / { x = $3 - wx; y = $4 - wy; ok = x * x < 4096 && y * y < 4096; exit }
		END { exit !ok }' "$TMP/out"
}

gpu_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# 1. --gpu 2d over each transport: the guest's gpu: checks, and the test card on exit.
for t in pci mmio; do
	rm -f "$gpu_dir/exit.$t.png"
	keel run --virtio-transport "$t" --gpu 2d --screenshot-on-exit "$gpu_dir/exit.$t.png" --cmdline "tests=gpu*"
	expect_status "gpu/2d/$t/status" 0
	check "gpu/2d/$t/guest-passed" "no 'guest: N passed, 0 failed'" gpu_guest_passed
	check "gpu/2d/$t/no-gpu-check-failed" "a gpu: check failed or none ran" gpu_none_failed "gpu: "
	check "gpu/2d/$t/stderr-quiet" "stderr has more than the hostile requests' warnings" gpu_err_quiet
	for c in display-info edid 2d-testcard cursor hostile-unknown-resource hostile-outside-resource \
		hostile-size-overflow hostile-backing-outside-ram hostile-scanout-id; do
		check "gpu/2d/$t/$c" "gpu: $c did not pass (or was skipped)" gpu_check_ok "gpu: $c"
	done
	gpu_card_check "gpu/2d/$t/screenshot-on-exit" "$gpu_dir/exit.$t.png" 1280x800
done

# A mode of the user's: the card at 640x480.
rm -f "$gpu_dir/exit.640.png"
keel run --gpu 2d,width=640,height=480 --screenshot-on-exit "$gpu_dir/exit.640.png" --cmdline "tests=gpu*"
expect_status "gpu/2d/640x480/status" 0
check "gpu/2d/640x480/display-info" "gpu: display-info did not pass" gpu_check_ok "gpu: display-info"
check "gpu/2d/640x480/2d-testcard" "gpu: 2d-testcard did not pass" gpu_check_ok "gpu: 2d-testcard"
gpu_card_check "gpu/2d/640x480/screenshot" "$gpu_dir/exit.640.png" 640x480

# 2. --gpu virgl: the 3D checks through virglrenderer (llvmpipe here), then the card through the 2D path.
rm -f "$gpu_dir/exit.virgl.png"
keel run --gpu virgl --screenshot-on-exit "$gpu_dir/exit.virgl.png" --cmdline "tests=gpu*"
expect_status "gpu/virgl/status" 0
check "gpu/virgl/guest-passed" "no 'guest: N passed, 0 failed'" gpu_guest_passed
check "gpu/virgl/no-gpu-check-failed" "a gpu: check failed or none ran" gpu_none_failed "gpu: "
check "gpu/virgl/stderr-quiet" "stderr has more than the hostile requests' warnings" gpu_err_quiet
for c in virgl-capsets virgl-clear hostile-virgl-stream 2d-testcard; do
	check "gpu/virgl/$c" "gpu: $c did not pass (or was skipped)" gpu_check_ok "gpu: $c"
done
gpu_card_check "gpu/virgl/screenshot-on-exit" "$gpu_dir/exit.virgl.png" 1280x800

# 3. SIGUSR1 while the guest waits for keys (input=echo:N keeps it there): --screenshot written, the card.
rm -f "$gpu_dir/usr1.png"
gpu_start --gpu 2d --input keyboard --screenshot "$gpu_dir/usr1.png" --cmdline "tests=gpu*,input* input=echo:1"
if gpu_until "$GPU_WAIT" out_has "input: waiting for 1 keys"; then
	pass "gpu/sigusr1/guest-waits"
	kill -USR1 "$GPU_PID"
	check "gpu/sigusr1/written" "no $gpu_dir/usr1.png after SIGUSR1" gpu_until "$GPU_WAIT" test -s "$gpu_dir/usr1.png"
	gpu_until 10 gpu_card "$gpu_dir/usr1.png" 1280x800	# a file still being written is not the card yet
	gpu_card_check "gpu/sigusr1/card" "$gpu_dir/usr1.png" 1280x800
	check "gpu/sigusr1/still-running" "keel ended on SIGUSR1" kill -0 "$GPU_PID"
else
	fail "gpu/sigusr1/guest-waits" "no 'input: waiting for 1 keys'"
fi
gpu_stop

# 4. VNC: the client sees the card, its click and its keys reach the guest, which then finishes.
port=$(gpu_free_port)
vnc() { timeout -k 5 60 python3 "$GPU_TOOLS/vncclient.py" "127.0.0.1:$port" "$@" >"$TMP/vnc" 2>&1; }
rm -f "$gpu_dir/vnc.png"
gpu_start --gpu 2d --display "vnc:$port" --input keyboard --input tablet --cmdline "tests=gpu*,input* input=echo:3"
if gpu_until "$GPU_WAIT" out_has "input: waiting for 3 keys"; then
	pass "gpu/vnc/guest-waits"
	check "gpu/vnc/input-checks" "an input: check failed or none ran" gpu_none_failed "input: "
	for c in devices keyboard tablet; do
		check "gpu/vnc/input-$c" "input: $c did not pass (or was skipped)" gpu_check_ok "input: $c"
	done
	if vnc shot "$gpu_dir/vnc.png"; then pass "gpu/vnc/shot"; else fail "gpu/vnc/shot" "$(head -c 300 "$TMP/vnc")"; fi
	gpu_card_check "gpu/vnc/shot-is-card" "$gpu_dir/vnc.png" 1280x800
	check "gpu/vnc/click-sent" "vncclient click failed" vnc click 640 400
	check "gpu/vnc/click-abs" "no 'input: abs X Y' line" \
		gpu_until "$GPU_WAIT" grep -qE '^input: abs [0-9]+ [0-9]+$' "$TMP/out"
	check "gpu/vnc/click-button" "no 'input: button 272 down' (BTN_LEFT)" \
		gpu_until "$GPU_WAIT" out_has "input: button 272 down"
	# (640, 400) is the middle of 1280x800: about 16383 of 0..32767 on both axes (the display scales, rounding its way)
	check "gpu/vnc/click-middle" "the click is not near the middle: $(grep -m1 -E '^input: abs ' "$TMP/out")" \
		gpu_abs_near 16383 16383
	check "gpu/vnc/keys-sent" "vncclient keys failed" vnc keys abc
	for k in 30 48 46; do	# KEY_A, KEY_B, KEY_C
		check "gpu/vnc/key-$k-down" "no 'input: key $k down'" gpu_until "$GPU_WAIT" out_has "input: key $k down"
	done
	gpu_end
	expect_status "gpu/vnc/status" 0
	check "gpu/vnc/key-order" "the keys did not arrive as a, b, c" \
		[ "$(grep -E '^input: key [0-9]+ down$' "$TMP/out" | head -n 3 | awk '{ print $3 }' | tr '\n' ' ')" = "30 48 46 " ]
	check "gpu/vnc/echo" "input: echo did not pass" gpu_check_ok "input: echo"
	check "gpu/vnc/guest-passed" "no 'guest: N passed, 0 failed'" gpu_guest_passed
	check "gpu/vnc/stderr-quiet" "stderr has more than the hostile requests' warnings (no input dropped)" gpu_err_quiet
else
	fail "gpu/vnc/guest-waits" "no 'input: waiting for 3 keys'"
	gpu_stop
fi

# 5. Bad values: one line naming the problem, status 2, before anything runs.
gpu_bad gpu-3d "3d" --gpu 3d
gpu_bad gpu-width-0 "width" --gpu 2d,width=0
gpu_bad gpu-outputs-99 "outputs" --gpu 2d,outputs=99
gpu_bad gpu-twice "twice" --gpu 2d --gpu 2d
gpu_bad display-not-a-port "notaport" --gpu 2d --display vnc:notaport
gpu_bad display-port-70000 "70000" --gpu 2d --display vnc:70000
gpu_bad display-sdl "sdl" --gpu 2d --display sdl
gpu_bad display-without-gpu "--gpu" --display "vnc:$(gpu_free_port)"
gpu_bad input-mouse "mouse" --input mouse
gpu_bad five-inputs "at most 4" --gpu 2d --input keyboard --input tablet --input keyboard --input tablet \
	--input keyboard
