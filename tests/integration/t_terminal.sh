# Integration: on a real terminal (a pty made by script(1)) keel uses raw mode and restores the terminal on every exit.
# shellcheck shell=bash

# tty_run NAME SHELL-SNIPPET : run the snippet on a fresh pty, then print the pty's settings with stty -a
tty_run() {
	script -qec "$2; echo \"status=\$?\"; stty -a" /dev/null </dev/null >"$TMP/tty" 2>&1
}
tty_restored() { grep -q ' icanon' "$TMP/tty" && grep -q ' echo ' "$TMP/tty" && ! grep -q -- '-icanon' "$TMP/tty"; }

tty_run normal "$KEEL run --cmdline exit=debug"
check "tty/restored-after-guest-exit" "terminal left in raw mode" tty_restored
check "tty/guest-exit-status" "wrong status on a tty" grep -q 'status=1' "$TMP/tty"

tty_run badinput "$KEEL run --cpus 0"
check "tty/restored-after-bad-input" "terminal left in raw mode" tty_restored
check "tty/bad-input-status" "wrong status on a tty" grep -q 'status=2' "$TMP/tty"

tty_run sigterm "sh -c '(sleep 4; kill -TERM \$\$) & exec $KEEL run --cmdline exit=halt'"
check "tty/restored-after-sigterm" "terminal left in raw mode" tty_restored
check "tty/sigterm-status" "wrong status on a tty" grep -q 'status=143' "$TMP/tty"

tty_run triplefault "$KEEL run --cmdline exit=triplefault"
check "tty/restored-after-triple-fault" "terminal left in raw mode" tty_restored

# a system call a seccomp filter forbids ends keel from the SIGSYS handler with _exit: the terminal is restored there
tty_run seccomp "KEEL_SECCOMP_SELFTEST=vcpu $KEEL run --cmdline exit=halt"
check "tty/restored-after-seccomp" "terminal left in raw mode" tty_restored
check "tty/seccomp-status" "wrong status on a tty" grep -q 'status=10' "$TMP/tty"

# Every signal whose default action ends a process, sent by another process once keel runs with a raw terminal, a
# gdb socket and a network socket: keel stops cleanly, ends with 128+N, restores the terminal, removes both sockets.
# SIGKILL cannot be caught (137) and SIGPIPE is ignored; both are documented.
# A sanitizer build's own handlers take SIGSEGV, SIGBUS and SIGFPE (keel then leaves them alone): told not to here.
sd="$TMP/sig"
mkdir -p "$sd"
export asan="${ASAN_OPTIONS:+$ASAN_OPTIONS:}handle_segv=0:handle_sigbus=0:handle_sigfpe=0"
for sig in HUP INT QUIT ILL TRAP ABRT BUS FPE USR1 SEGV USR2 ALRM TERM STKFLT XCPU XFSZ VTALRM PROF IO PWR SYS \
	RTMIN+1 RTMIN+2 RTMIN+15 RTMAX; do
	n=$(kill -l "$sig")
	rm -f "$sd/g.sock" "$sd/n.sock"
	tty_run "sig-$sig" "sh -c '(while [ ! -S $sd/g.sock ] || [ ! -S $sd/n.sock ]; do sleep 0.1; done; sleep 1; \
kill -$n \$\$) & ASAN_OPTIONS=\$asan exec $KEEL run --gdb unix:$sd/g.sock --net socket:$sd/n.sock --shutdown-timeout 0 --cmdline exit=halt'"
	if ! grep -q "status=$((128 + n))" "$TMP/tty"; then
		fail "tty/signal/$sig" "status $(grep -o 'status=[0-9]*' "$TMP/tty"), expected $((128 + n))"
	elif ! tty_restored; then
		fail "tty/signal/$sig" "terminal left in raw mode"
	elif [ -e "$sd/g.sock" ] || [ -e "$sd/n.sock" ]; then
		fail "tty/signal/$sig" "socket files left behind: $(ls "$sd")"
	elif ! grep -q "stopped by signal $n " "$TMP/tty"; then
		fail "tty/signal/$sig" "no 'stopped by signal $n' line"
	else
		pass "tty/signal/$sig"
	fi
done
