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
