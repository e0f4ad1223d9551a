# Integration: the bundled guest boots with 1, 2 and 4 vCPUs, reports its checks, and leaves every way it can.
# shellcheck shell=bash

for n in 1 2 4; do
	keel run --cpus "$n"
	expect_status "boot/cpus=$n/status" 0
	check "boot/cpus=$n/report" "no 'guest: N passed, 0 failed' line" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "boot/cpus=$n/no-failed-check" "a check failed" out_lacks "not ok"
	all=1
	for ((c = 0; c < n; c++)); do
		grep -qE "guest: cpu $c \(apic id $c\) online" "$TMP/out" || all=0
	done
	check "boot/cpus=$n/every-cpu-greets" "not every vCPU said it is online" [ "$all" = 1 ]
	check "boot/cpus=$n/fdt-summary" "no fdt summary line" grep -qE "guest: fdt: $n cpus?," "$TMP/out"
	check "boot/cpus=$n/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
done

keel run --cpus 2 --mem 5G --cmdline "exit=debug hello=world"
expect_status "boot/mem-above-4g/status" 1
check "boot/mem-above-4g/memory" "the guest did not see 5 GiB" out_has "5120 MiB"
check "boot/cmdline/passed" "the command line did not reach the guest" out_has "hello=world"

keel run --kernel "$GUEST_ELF" --cmdline exit=poweroff
expect_status "exit/poweroff" 0
check "exit/poweroff/report" "no report before power-off" out_has "passed, 0 failed"

keel run --cmdline exit=reset
expect_status "exit/i8042-reset" 0

keel run --cpus 2 --cmdline exit=triplefault
expect_status "exit/triple-fault/status" 6
check "exit/triple-fault/message" "no triple-fault message" err_has "triple fault"
check "exit/triple-fault/registers" "registers not printed" err_has "rip="

# Console input from a pipe and from a file; stdin at EOF does not stop the VM.
printf 'hello keel\nquit\n' >"$TMP/in"
STDIN="$TMP/in" keel run --cmdline exit=echo
expect_status "console/file-input/status" 0
check "console/file-input/echo" "the guest did not echo the line" out_has "echo: hello keel"
printf 'from a pipe\nquit\n' | { timeout -k 5 "$LIMIT" "$KEEL" run --cmdline exit=echo >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/st"; }
STATUS=$(cat "$TMP/st")
expect_status "console/pipe-input/status" 0
check "console/pipe-input/echo" "the guest did not echo the line" out_has "echo: from a pipe"
keel run --cmdline exit=debug	# stdin is /dev/null: EOF at once
expect_status "console/eof-keeps-running" 1
check "console/eof-keeps-running/report" "the guest did not finish" out_has "passed, 0 failed"

# Ctrl-A Ctrl-A sends one Ctrl-A; Ctrl-A x quits with status 0.
printf 'a\001\001b\nquit\n' >"$TMP/in"
STDIN="$TMP/in" keel run --cmdline exit=echo
expect_status "console/ctrl-a-ctrl-a/status" 0
check "console/ctrl-a-ctrl-a/sent" "Ctrl-A Ctrl-A did not reach the guest as one Ctrl-A" grep -qF "$(printf 'echo: a\001b')" "$TMP/out"
printf '\001x' >"$TMP/in"
STDIN="$TMP/in" keel run -v --cmdline exit=halt
expect_status "console/ctrl-a-x/status" 0
check "console/ctrl-a-x/message" "no quit message" err_has "Ctrl-A x"

# Signals: SIGTERM ends a running VM with 128+15 and a message.
( exec timeout -k 5 "$LIMIT" "$KEEL" run --cpus 2 --cmdline exit=halt </dev/null >"$TMP/out" 2>"$TMP/err" ) &
pid=$!
for _ in $(seq 1 600); do grep -q "guest: halted" "$TMP/out" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$(pgrep -P "$pid" -x keel || echo "$pid")" 2>/dev/null
wait "$pid"
STATUS=$?
expect_status "signal/sigterm/status" 143
check "signal/sigterm/message" "no message naming the signal" err_has "signal 15"

# The example VM definitions in configs/ boot as documented.
cfgdir=$(cd "$here/../../configs" && pwd)
# shellcheck disable=SC2046
keel run $(cat "$cfgdir/smp4.args")
expect_status "configs/smp4/status" 0
check "configs/smp4/four-cpus" "not 4 vCPUs online" grep -q "guest: cpu 3 (apic id 3) online" "$TMP/out"
