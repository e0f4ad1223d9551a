# Integration: seccomp per thread kind: a forbidden call from each kind (main, vcpu, io, render, display, api) ends keel with the documented status and one line naming the call and the kind; Seccomp: 2 on every thread of a running keel; --no-seccomp turns the filters off.
# shellcheck shell=bash

SC_LINE="(socket) is not allowed in the"	# what the SIGSYS line says of the self-test's call

sc_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# sc_selftest KIND STATUS ARGS... : KEEL_SECCOMP_SELFTEST=KIND keel ARGS ends with STATUS and one stderr line naming the kind
sc_selftest() {
	local kind=$1 want=$2
	shift 2
	KEEL_SECCOMP_SELFTEST=$kind LIMIT=60 keel "$@"
	expect_status "seccomp/selftest/$kind/status" "$want"
	check "seccomp/selftest/$kind/line" "no line naming the call and the $kind thread" \
		err_has "keel: error: system call 41 $SC_LINE $kind thread: stopping (seccomp; --no-seccomp turns the filters off)"
	check "seccomp/selftest/$kind/one-line" "more than that one line on stderr" err_lines 1
}

sc_stop() {
	kill -KILL "$BG_PID" 2>/dev/null
	wait "$BG" 2>/dev/null
}

# sc_wait_halted : the guest printed "guest: halted" within 60 s (every thread of keel is up by then)
sc_wait_halted() {
	for _ in $(seq 1 600); do
		grep -q "guest: halted" "$TMP/out" 2>/dev/null && return 0
		kill -0 "$BG" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# sc_tasks_mode MODE : every task of BG_PID shows "Seccomp: MODE"; the tasks' names and modes in $TMP/tasks
sc_tasks_mode() {
	local t bad=0
	: >"$TMP/tasks"
	for t in /proc/"$BG_PID"/task/*; do
		echo "$(cat "$t/comm" 2>/dev/null) $(awk '/^Seccomp:/ { print $2 }' "$t/status" 2>/dev/null)" >>"$TMP/tasks"
	done
	[ -s "$TMP/tasks" ] || return 1
	awk -v m="$1" '$NF != m { bad = 1 } END { exit bad }' "$TMP/tasks" || bad=1
	return $bad
}

# sc_has_task NAME : a task named NAME* was seen by sc_tasks_mode
sc_has_task() { grep -q "^$1" "$TMP/tasks"; }

# 1. Each kind's filter stops its self-test call: status 10 and one line naming the call and the kind.
sc_selftest main 10 run --cmdline exit=halt
sc_selftest vcpu 10 run --cmdline exit=halt
sc_selftest io 10 run --rng --cmdline exit=halt
if grep -q "without virglrenderer" <("$KEEL" run --gpu virgl --cmdline exit=bogus 2>&1 </dev/null | head -n 3); then
	echo "# seccomp: this keel has no virglrenderer: the render thread's self-test skipped"
else
	sc_selftest render 10 run --gpu virgl --cmdline exit=halt
fi
sc_port=$(sc_free_port)
sc_selftest display 10 run --gpu 2d --display "vnc:$sc_port" --cmdline exit=halt
if "$KEEL" firecracker --version >/dev/null 2>&1; then
	# Firecracker's status for a forbidden system call: 148
	sc_sock="$TMP/seccomp-api.sock"
	rm -f "$sc_sock"
	sc_selftest api 148 firecracker --api-sock "$sc_sock" --id seccomp-api
	rm -f "$sc_sock"
else
	echo "# seccomp: this keel has no \`keel firecracker\` (the API thread): its self-test skipped"
fi

# 2. The self-test knob does nothing with --no-seccomp: the guest runs to its verdict.
KEEL_SECCOMP_SELFTEST=vcpu keel run --no-seccomp --cmdline tests=boot
expect_status "seccomp/no-seccomp/selftest-ignored" 0

# 3. A running keel: every task shows Seccomp: 2 (main, vCPUs, I/O, render with llvmpipe's, VNC).
sc_port=$(sc_free_port)
sc_gpu=virgl
grep -q "without virglrenderer" <("$KEEL" run --gpu virgl --cmdline exit=bogus 2>&1 </dev/null | head -n 3) && sc_gpu=2d
bg_start run --cpus 2 --rng --gpu "$sc_gpu" --display "vnc:$sc_port" --input keyboard --cmdline exit=halt
if sc_wait_halted; then
	sc_tasks_mode 2
	sc_rc=$?
	echo "# seccomp: tasks and their Seccomp mode: $(tr '\n' ',' <"$TMP/tasks")"
	check "seccomp/running/every-task-filtered" "a task without Seccomp: 2" test "$sc_rc" -eq 0
	for t in keel-vcpu0 keel-vcpu1 keel-io keel-gpu; do
		check "seccomp/running/has-$t" "no task named $t: $(tr '\n' ',' <"$TMP/tasks")" sc_has_task "$t"
	done
else
	fail "seccomp/running/halted" "the guest did not halt (status of keel: gone or slow)"
fi
sc_stop

# 4. --no-seccomp: Seccomp: 0 everywhere.
bg_start run --no-seccomp --cpus 2 --rng --cmdline exit=halt
if sc_wait_halted; then
	sc_tasks_mode 0
	sc_rc=$?
	check "seccomp/no-seccomp/every-task-unfiltered" "a task with a filter: $(tr '\n' ',' <"$TMP/tasks")" test "$sc_rc" -eq 0
else
	fail "seccomp/no-seccomp/halted" "the guest did not halt"
fi
sc_stop

# 5. The bundled guest's whole check list under the filters, with a virtio device of each kind.
truncate -s 8M "$TMP/seccomp-disk.img"
keel run --cpus 2 --disk "$TMP/seccomp-disk.img" --rng --console "file:$TMP/seccomp-con.txt" --net "socket:$TMP/seccomp-net.sock"
expect_status "seccomp/guest-checks-pass" 0
