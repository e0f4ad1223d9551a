# Integration: the gdb stub, driven by Debian's gdb in batch mode against the bundled guest (exit=gdbtest), plus raw protocol abuse and bad --gdb input.
# shellcheck shell=bash

if ! command -v gdb >/dev/null; then
	fail "gdb/available" "gdb is not installed (mk/deps.sh test installs it)"
	return 0
fi

GDB_LIMIT=${KEEL_GDB_TIMEOUT:-120}	# seconds one gdb session may take
gdb_port=$((20000 + $$ % 30000))

# next_port: set PORT to a TCP port nobody listens on (a per-run base, then upwards)
next_port() {
	while (: >"/dev/tcp/127.0.0.1/$gdb_port") 2>/dev/null; do gdb_port=$((gdb_port + 1)); done
	PORT=$gdb_port
	gdb_port=$((gdb_port + 1))
}

# keel_bg ARGS... : start keel in the background (stdout $TMP/out, stderr $TMP/err); sets KPID
keel_bg() {
	: >"$TMP/out"
	: >"$TMP/err"
	timeout -k 5 "$LIMIT" "$KEEL" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" &
	KPID=$!
}

# wait_for FILE TEXT [SECONDS] : wait until FILE contains TEXT (default 60 s); false on time-out
wait_for() {
	local i
	for ((i = 0; i < ${3:-60} * 10; i++)); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# keel_wait : wait for the background keel; sets STATUS
keel_wait() {
	wait "$KPID"
	STATUS=$?
}

# gdb_batch COMMAND... : run gdb on the guest's ELF with one -ex per argument; output in $TMP/gdb
gdb_batch() {
	local args=() c
	for c in "$@"; do args+=(-ex "$c"); done
	timeout -k 5 "$GDB_LIMIT" gdb -batch -nx "$GUEST_ELF" -ex 'set pagination off' -ex 'set confirm off' \
		"${args[@]}" </dev/null >"$TMP/gdb" 2>&1
	GDB_STATUS=$?
}

gdb_has() { grep -qF -- "$1" "$TMP/gdb"; }
# pcs_differ : the values of gdb's first two 'print/x $pc' differ (they are kept in PCS)
pcs_differ() {
	mapfile -t PCS < <(sed -nE 's/^\$[0-9]+ = (0x[0-9a-f]+)$/\1/p' "$TMP/gdb")
	[ "${#PCS[@]}" -ge 2 ] && [ "${PCS[0]}" != "${PCS[1]}" ]
}
gdb_has_re() { grep -qE -- "$1" "$TMP/gdb"; }
# like STRING GLOB : STRING matches the shell pattern GLOB
like() { [[ $1 == $2 ]]; }
no_sanitizer_report() { ! grep -qE 'Sanitizer|runtime error' "$TMP/err"; }

# gdb_fail NAME WHY : a failure with gdb's transcript
gdb_fail() {
	fail "$1" "$2"
	echo "  --- gdb (tail):"
	tail -n 25 "$TMP/gdb" | sed 's/^/  | /'
}
gdb_check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else gdb_fail "$name" "$why"; fi
}

# --- a debugging session over TCP: break, threads, bt, registers, disassembly, stepi, set var, watch, detach
next_port
keel_bg run -v --cpus 2 --cmdline exit=gdbtest --gdb "tcp:$PORT"
if ! wait_for "$TMP/out" "gdbtest: waiting for gdbtest_poke"; then
	fail "gdb/session/guest-ready" "the guest never waited for gdb"
	kill "$KPID" 2>/dev/null
	keel_wait
else
	# Hardware watchpoints where KVM gives debug registers; gdb's own (single-stepping) elsewhere.
	watch_setup='set can-use-hw-watchpoints 0'
	grep -qE 'listening on .*\(([1-9][0-9]*) hardware breakpoints\)' "$TMP/err" && watch_setup='echo'
	gdb_batch "target remote :$PORT" 'break gdbtest_tick' 'continue' 'info threads' 'bt' \
		'info registers rip' 'x/8i $pc' 'print/x $pc' 'stepi' 'print/x $pc' 'set var gdbtest_poke = 21' \
		'delete' "$watch_setup" 'watch gdbtest_watched' 'continue' 'delete' 'detach'
	keel_wait
	gdb_check "gdb/session/break" "no stop at gdbtest_tick" gdb_has_re 'hit Breakpoint 1, gdbtest_tick'
	gdb_check "gdb/session/info-threads" "not every vCPU is a thread" \
		eval "gdb_has_re 'Thread 1 \(vCPU 0, apic id 0' && gdb_has_re 'Thread 2 \(vCPU 1, apic id 1'"
	gdb_check "gdb/session/bt" "no backtrace through gdbtest_run" \
		eval "gdb_has_re '^#0 +gdbtest_tick' && gdb_has_re '^#1 +0x[0-9a-f]+ in gdbtest_run'"
	gdb_check "gdb/session/info-registers-rip" "rip is not at gdbtest_tick" \
		gdb_has_re '^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <gdbtest_tick>'
	gdb_check "gdb/session/x8i" "no disassembly at the PC" \
		eval "[ \"\$(grep -cE '^(=>| ) +0x[0-9a-f]+( <[^>]+>)?:' \"\$TMP/gdb\")\" -ge 8 ] && gdb_has_re '^=> 0x[0-9a-f]+ <gdbtest_tick>:'"
	pcs_differ
	gdb_check "gdb/session/stepi-advances" "stepi did not move the PC (${PCS[*]})" pcs_differ
	check "gdb/session/set-var-reaches-guest" "the guest did not see gdbtest_poke = 21" out_has "gdbtest: poke=21 after"
	gdb_check "gdb/session/watchpoint" "the watchpoint did not trigger" \
		eval "gdb_has_re 'atchpoint 2: gdbtest_watched' && gdb_has 'Old value = 0' && gdb_has 'New value = 42'"
	gdb_check "gdb/session/detach" "gdb did not detach" gdb_has "[Inferior 1 (Remote target) detached]"
	expect_status "gdb/session/guest-finishes-status" 0
	check "gdb/session/guest-finishes" "the guest did not finish" out_has "gdbtest: watched=42"
	check "gdb/session/no-sanitizer-report" "a sanitizer complained" no_sanitizer_report
fi

# --- the README's gdb transcript is what a real session prints today (addresses, frames, output)
python3 "$here/../tools/readme_gdb.py" --check "$here/../../README.md" "$KEEL" "$GUEST_ELF" >"$TMP/gdb" 2>&1
GDB_STATUS=$?
gdb_check "gdb/readme-transcript" "README.md's session is not what gdb prints now (make readme-gdb rewrites it)" \
	[ "$GDB_STATUS" -eq 0 ]

# --- --gdb-wait over a UNIX socket: every vCPU held before its first instruction, stepi in 32-bit code
sock="$TMP/gdb.sock"
keel_bg run -v --cpus 2 --gdb "unix:$sock" --gdb-wait
if ! wait_for "$TMP/err" "listening on unix:"; then
	fail "gdb/wait/listening" "keel did not listen on $sock"
	kill "$KPID" 2>/dev/null
	keel_wait
else
	sleep 0.5	# a guest that was not held would have printed by now
	gdb_batch "target remote $sock" "shell test -s '$TMP/out' && echo GUEST-RAN || echo GUEST-HELD" \
		'info threads' 'print/x $pc' 'stepi' 'print/x $pc' 'detach'
	keel_wait
	gdb_check "gdb/wait/held-before-first-instruction" "the guest ran before gdb attached" gdb_has "GUEST-HELD"
	gdb_check "gdb/wait/threads" "not two threads, or the AP is not shown as not started" \
		eval "gdb_has 'Thread 1 (vCPU 0' && gdb_has 'Thread 2 (vCPU 1, apic id 1, not started)'"
	pcs_differ
	gdb_check "gdb/wait/stepi-at-entry" "stepi at the PVH entry did not move the PC (${PCS[*]})" pcs_differ
	expect_status "gdb/wait/detach-boots-guest" 0
	check "gdb/wait/guest-report" "the guest did not pass its checks" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "gdb/wait/socket-removed" "the UNIX socket was left behind" [ ! -e "$sock" ]
	check "gdb/wait/no-sanitizer-report" "a sanitizer complained" no_sanitizer_report
fi

# --- from the first instruction: break kernel_main (a higher-half address nothing maps yet) stops
# there; 32-bit code decodes as 32-bit through the helper; the one register set serves both modes
next_port
keel_bg run -v --cpus 2 --gdb "tcp:$PORT" --gdb-wait
if ! wait_for "$TMP/err" "listening on tcp:"; then
	fail "gdb/first/listening" "keel did not listen on port $PORT"
	kill "$KPID" 2>/dev/null
	keel_wait
else
	gdb_batch "source $here/../../vmm/gdb/keel-gdb.py" "target remote :$PORT" 'print $mode' \
		'print/x $cr0' 'x/3i $pc' 'break kernel_main' 'continue' 'print $pc == kernel_main' \
		'print $mode' 'print/x $cr0 & 0x80000000' 'print $rdi == start_info_pa' 'info registers efer cs_base gdtr_base' \
		'x/1i $pc' 'delete' 'detach'
	keel_wait
	gdb_check "gdb/first/mode-32" "at the PVH entry \$mode is not 32" gdb_has_re '^\$1 = 32$'
	gdb_check "gdb/first/paging-off" "CR0.PG is set at the entry" gdb_has_re '^\$2 = 0x[0-9a-f]*[0-7][0-9a-f]{7}$|^\$2 = 0x[0-9a-f]{1,7}$'
	gdb_check "gdb/first/decodes-32-bit" "x/i at the entry did not decode 32-bit code (lgdtl with an absolute operand)" \
		gdb_has_re '0x100002:[[:space:]]+lgdtl? +0x'
	gdb_check "gdb/first/breakpoint-planted" "gdb could not insert kernel_main's breakpoint before paging" \
		eval "gdb_has_re 'Breakpoint 1 at 0xffffffff8[0-9a-f]+: file guest/kernel/main.c' && ! gdb_has 'Cannot insert breakpoint' && ! gdb_has 'Command aborted'"
	gdb_check "gdb/first/stops-at-kernel-main" "continue did not stop at kernel_main" \
		eval "gdb_has_re 'Breakpoint 1, kernel_main \\(start_info_pa=[0-9]+\\)' && gdb_has_re '^\\\$3 = 1$'"
	gdb_check "gdb/first/mode-64" "at kernel_main \$mode is not 64" gdb_has_re '^\$4 = 64$'
	gdb_check "gdb/first/paging-on" "CR0.PG is clear at kernel_main" gdb_has_re '^\$5 = 0x80000000$'
	gdb_check "gdb/first/right-registers" "rdi is not kernel_main's argument" gdb_has_re '^\$6 = 1$'
	gdb_check "gdb/first/system-registers" "efer, cs_base or gdtr_base missing" \
		eval "gdb_has_re '^efer +0xd?[0-9a-f]{2,3} ' && gdb_has_re '^cs_base +0x0 ' && gdb_has_re '^gdtr_base +0x'"
	gdb_check "gdb/first/no-packet-errors" "gdb complained about the register packet when the mode changed" \
		eval "! gdb_has \"'g' packet reply is too long\" && ! gdb_has 'Truncated register'"
	gdb_check "gdb/first/decodes-64-bit" "x/i at kernel_main is not 64-bit code" gdb_has_re '<kernel_main>:[[:space:]]+push +%rbp'
	expect_status "gdb/first/guest-finishes" 0
	check "gdb/first/guest-report" "the guest did not pass its checks after the breakpoint" \
		grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "gdb/first/no-sanitizer-report" "a sanitizer complained" no_sanitizer_report
fi

# --- Ctrl-C stops a running guest promptly (SIGINT to gdb, which sends 0x03); kill ends the VM
next_port
keel_bg run -v -v --cpus 2 --cmdline exit=gdbtest --gdb "tcp:$PORT"	# -v -v: it logs when gdb resumes it
if wait_for "$TMP/out" "gdbtest: waiting for gdbtest_poke"; then
	timeout -k 5 "$GDB_LIMIT" gdb -batch -nx "$GUEST_ELF" -ex 'set pagination off' -ex 'set confirm off' \
		-ex "target remote :$PORT" -ex 'continue' -ex 'info threads' -ex 'info registers rip' -ex 'kill' \
		</dev/null >"$TMP/gdb" 2>&1 &
	gpid=$!
	wait_for "$TMP/err" "gdb: 2 of 2 vCPUs resumed" 30
	sleep 0.5
	t0=$(date +%s%N)
	kill -INT "$(pgrep -P "$gpid" -x gdb || echo "$gpid")" 2>/dev/null
	stopped=0
	wait_for "$TMP/gdb" "SIGINT" 30 && stopped=1
	t1=$(date +%s%N)
	wait "$gpid"
	keel_wait
	gdb_check "gdb/interrupt/stops" "Ctrl-C did not stop the guest" gdb_has "received signal SIGINT"
	gdb_check "gdb/interrupt/prompt" "no stop reported within 30 s of Ctrl-C" [ "$stopped" = 1 ]
	echo "# gdb/interrupt: the stop took $(((t1 - t0) / 1000000)) ms (noted, not judged)"
	gdb_check "gdb/interrupt/threads-after" "no thread list after the stop" gdb_has "Thread 2 (vCPU 1"
	gdb_check "gdb/kill/gdb-says-killed" "gdb did not kill" gdb_has "[Inferior 1 (Remote target) killed]"
	expect_status "gdb/kill/vm-ends" 0
	check "gdb/kill/message" "keel did not say gdb ended it" err_has "gdb killed the VM"
else
	fail "gdb/interrupt/guest-ready" "the guest never waited for gdb"
	kill "$KPID" 2>/dev/null
	keel_wait
fi

# --- raw protocol abuse; then the connection drops and the held guest runs on
rsp_sum() {
	local s=$1 sum=0 i c
	for ((i = 0; i < ${#s}; i++)); do
		printf -v c '%d' "'${s:i:1}"
		sum=$(((sum + c) % 256))
	done
	printf '%02x' "$sum"
}
# rsp_reply : read "+$payload#xx" (or "-") from fd 3 into REPLY_RAW
rsp_reply() {
	REPLY_RAW=""
	IFS= read -r -t 10 -d '#' -u 3 REPLY_RAW || return 1
	local sum
	IFS= read -r -t 10 -N 2 -u 3 sum || return 1
	REPLY_RAW="$REPLY_RAW#$sum"
}
next_port
keel_bg run -v --cpus 2 --cmdline exit=debug --gdb "tcp:$PORT" --gdb-wait
if wait_for "$TMP/err" "listening on tcp:"; then
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	printf '$qSupported#00' >&3	# bad checksum: NAKed
	IFS= read -r -t 10 -N 1 -u 3 nak
	check "gdb/raw/bad-checksum-nak" "a bad checksum got '$nak', not '-'" [ "$nak" = "-" ]
	printf '$qNoSuchThing#%s' "$(rsp_sum qNoSuchThing)" >&3
	rsp_reply
	check "gdb/raw/unknown-empty" "an unknown packet got '$REPLY_RAW'" [ "$REPLY_RAW" = '+$#00' ]
	printf '$m zz,4#%s' "$(rsp_sum 'm zz,4')" >&3
	rsp_reply
	check "gdb/raw/malformed-error" "a malformed packet got '$REPLY_RAW'" like "$REPLY_RAW" '+$E??#??'
	big=$(head -c 20000 /dev/zero | tr '\0' a)
	printf '$%s#%02x' "$big" $((20000 * 97 % 256)) >&3
	rsp_reply
	check "gdb/raw/oversized-error" "an oversized packet got '$REPLY_RAW'" like "$REPLY_RAW" '+$E16#??'
	printf '$m0,ffffffffffff#%s' "$(rsp_sum 'm0,ffffffffffff')" >&3	# huge: answered short, not crashed
	rsp_reply
	check "gdb/raw/huge-read-bounded" "a huge read got no bounded reply" [ "${#REPLY_RAW}" -le $((2 * 16384 + 8)) ]
	printf '$mfffffffffffffff0,20#%s' "$(rsp_sum 'mfffffffffffffff0,20')" >&3	# past the top: an error
	rsp_reply
	check "gdb/raw/unmapped-read-error" "a read of nothing got '$REPLY_RAW'" like "$REPLY_RAW" '+$E??#??'
	# a second debugger is turned away while this one is attached
	exec 4<>"/dev/tcp/127.0.0.1/$PORT"
	IFS= read -r -t 10 -N 1 -u 4 second
	check "gdb/raw/second-client-refused" "a second connection got '$second'" [ -z "$second" ]
	exec 4>&-
	printf '$?#3f' >&3
	rsp_reply
	check "gdb/raw/still-serving" "the first connection stopped answering: '$REPLY_RAW'" \
		like "$REPLY_RAW" '+$T05thread:1;#??'
	sleep 0.3
	check "gdb/raw/guest-still-held" "the guest ran while gdb was attached" [ ! -s "$TMP/out" ]
	exec 3>&-	# dropped without a detach
	keel_wait
	expect_status "gdb/raw/dropped-connection-resumes" 1
	check "gdb/raw/guest-finishes" "the guest did not run on" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "gdb/raw/no-sanitizer-report" "a sanitizer complained" no_sanitizer_report
else
	fail "gdb/raw/listening" "keel did not listen"
	kill "$KPID" 2>/dev/null
	keel_wait
fi

# --- a raw client continues twice from a breakpoint it keeps planted: the stub lifts its int3, steps, plants it again
# le64 REPLY : the register in a "+$HEX#xx" reply (run-length encoded, little-endian) as a number
le64() {
	local s=${1#+\$} h="" out="" i k n
	s=${s%#??}
	for ((i = 0; i < ${#s}; i++)); do
		if [ "${s:i:1}" = "*" ]; then
			printf -v n '%d' "'${s:i+1:1}"
			for ((k = 0; k < n - 29; k++)); do h+=${h: -1}; done
			i=$((i + 1))
		else
			h+=${s:i:1}
		fi
	done
	for ((i = 14; i >= 0; i -= 2)); do out+=${h:i:2}; done
	echo $((16#$out))
}
tick=$(nm "$GUEST_ELF" | awk '$3 == "gdbtest_tick" { print $1 }')
poke=$(nm "$GUEST_ELF" | awk '$3 == "gdbtest_poke" { print $1 }')
next_port
keel_bg run -v --cpus 2 --cmdline exit=gdbtest --gdb "tcp:$PORT"
if [ -n "$tick" ] && [ -n "$poke" ] && wait_for "$TMP/out" "gdbtest: waiting for gdbtest_poke"; then
	tick=$((16#$tick))
	poke=$((16#$poke))
	exec 3<>"/dev/tcp/127.0.0.1/$PORT"
	rsp() { printf '$%s#%s' "$1" "$(rsp_sum "$1")" >&3; rsp_reply; }
	rsp "$(printf 'Z0,%x,1' "$tick")"
	z0=$REPLY_RAW
	rsp c
	hit1=$REPLY_RAW
	rsp p5	# rdi: gdbtest_tick's argument, the turn
	turn1=$(le64 "$REPLY_RAW")
	rsp c	# continue with the breakpoint still planted
	hit2=$REPLY_RAW
	rsp p5
	turn2=$(le64 "$REPLY_RAW")
	rsp "$(printf 'M%x,4:15000000' "$poke")"	# gdbtest_poke = 21
	rsp "$(printf 'z0,%x,1' "$tick")"
	rsp D
	exec 3>&-
	keel_wait
	check "gdb/stepover/planted" "Z0 got '$z0'" like "$z0" '+$OK#??'
	check "gdb/stepover/first-hit" "continue got '$hit1'" like "$hit1" '+$T05thread:1;swbreak:;#??'
	check "gdb/stepover/hit-again" "the second continue got '$hit2'" like "$hit2" '+$T05thread:1;swbreak:;#??'
	check "gdb/stepover/one-turn-later" "turns $turn1 then $turn2" [ "$turn2" -eq $((turn1 + 1)) ]
	expect_status "gdb/stepover/guest-finishes" 0
	check "gdb/stepover/poke-seen" "the guest did not see the poke" out_has "gdbtest: poke=21"
else
	fail "gdb/stepover/ready" "no gdbtest symbols or the guest never waited"
	kill "$KPID" 2>/dev/null
	keel_wait
fi

# --- the VM exits while gdb waits for it: gdb hears the exit status
sock="$TMP/gdb2.sock"
keel_bg run -v --cmdline exit=debug --gdb "unix:$sock" --gdb-wait
if wait_for "$TMP/err" "listening on unix:"; then
	gdb_batch "target remote $sock" 'continue'
	keel_wait
	gdb_check "gdb/exit/reported" "gdb was not told the VM exited" gdb_has "exited with code 01"
	expect_status "gdb/exit/status" 1
else
	fail "gdb/exit/listening" "keel did not listen on $sock"
	kill "$KPID" 2>/dev/null
	keel_wait
fi

# --- bad --gdb input: one line on stderr, exit status 2
gdb_bad() {
	local name=$1 needle=$2
	shift 2
	keel "$@"
	if ! status_is 2; then fail "gdb/bad/$name" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "gdb/bad/$name" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$needle"; then fail "gdb/bad/$name" "stderr lacks '$needle'"
	else pass "gdb/bad/$name"; fi
}
gdb_bad not-a-spec "expected tcp:[HOST:]PORT or unix:PATH" run --gdb 1234
gdb_bad not-a-port "'x' is not a port number" run --gdb tcp:x
gdb_bad port-zero "not a port number" run --gdb tcp:0
gdb_bad port-too-big "not a port number" run --gdb tcp:localhost:70000
gdb_bad ipv6-no-brackets "brackets" run --gdb tcp:::1:1234
gdb_bad empty-unix-path "the socket path is empty" run --gdb unix:
gdb_bad wait-without-gdb "--gdb-wait needs --gdb" run --gdb-wait
gdb_bad gdb-twice "--gdb given twice" run --gdb tcp:1 --gdb tcp:2
gdb_bad unknown-host "cannot resolve" run --gdb tcp:no.such.host.invalid:1234
gdb_bad unix-dir-missing "cannot listen there" run --gdb "unix:$TMP/no/such/dir.sock"
: >"$TMP/plainfile"
gdb_bad unix-not-a-socket "not a socket" run --gdb "unix:$TMP/plainfile"
next_port
keel_bg run -v --gdb "tcp:$PORT" --gdb-wait	# held: it waits for a debugger that never comes
wait_for "$TMP/err" "listening on tcp:" 30
first=$KPID
timeout -k 5 60 "$KEEL" run --gdb "tcp:$PORT" </dev/null >"$TMP/out2" 2>"$TMP/err2"
STATUS=$?
if status_is 2 && [ "$(wc -l <"$TMP/err2")" -eq 1 ] && grep -qF "port $PORT is in use" "$TMP/err2"; then
	pass "gdb/bad/port-in-use"
else
	fail "gdb/bad/port-in-use" "status $STATUS: $(head -c 200 "$TMP/err2")"
fi
kill -TERM "$(pgrep -P "$first" -x keel || echo "$first")" 2>/dev/null
KPID=$first
keel_wait
expect_status "gdb/bad/held-vm-ends-on-sigterm" 143
