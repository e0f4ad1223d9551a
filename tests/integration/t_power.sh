# Integration: SIGTERM presses the guest's ACPI power button (powered off, timed out, pressed twice, never listened to), --reboot exit|restart, and their bad values.
# shellcheck shell=bash

POWER_TESTS="tests=boot"	# a few checks only: these runs are about how the guest leaves
POWER_WAIT=60			# seconds to wait for a line of the guest's

power_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# power_start ARGS... : start keel ARGS in the background under the time limit, stdin /dev/null; sets
# POWER_BG (the timeout(1) wrapper) and POWER_PID (keel itself)
power_start() {
	bg_start "$@"
	POWER_BG=$BG
	POWER_PID=$BG_PID
}

# power_term : send keel SIGTERM and note when (for power_end's POWER_MS)
power_term() {
	POWER_T0=$(power_now_ms)
	kill -TERM "$POWER_PID" 2>/dev/null
}

# power_end : wait for the background keel; sets STATUS and POWER_MS (milliseconds since the first power_term)
power_end() {
	wait "$POWER_BG"
	STATUS=$?
	POWER_MS=$(($(power_now_ms) - POWER_T0))
}

# power_abort NAME WHY : a wait failed: report it, then kill keel and reap it
power_abort() {
	fail "$1" "$2"
	kill -KILL "$POWER_PID" 2>/dev/null
	wait "$POWER_BG"
}

power_guest_waits() { out_has "guest: waiting for the power button"; }
err_lacks() { ! err_has "$1"; }
power_boots() { grep -c '^keel guest ' "$TMP/out"; }
power_boots_seen() { [ "$(power_boots)" -ge "$1" ]; }
# power_same_pid : keel is still the timeout wrapper's child POWER_PID
power_same_pid() { [ -n "$POWER_PID" ] && [ "$(pgrep -P "$POWER_BG")" = "$POWER_PID" ]; }

# A guest that listens powers off when SIGTERM presses the button: status 0.
power_start run --cmdline "exit=powerbutton $POWER_TESTS"
if wait_until "$POWER_WAIT" power_guest_waits; then
	power_term
	power_end
	expect_status "power/button/status" 0
	check "power/button/keel-pressed-it" "keel did not say it pressed the power button" \
		err_has "SIGTERM: pressed the guest's ACPI power button"
	check "power/button/guest-powered-off" "the guest did not see the press" \
		out_has "guest: power button pressed, powering off"
	check "power/button/no-timeout" "keel gave up waiting" err_lacks "did not power off"
else
	power_abort "power/button" "no 'guest: waiting for the power button' within $POWER_WAIT s"
fi

# A guest that enables the button but never answers: stopped when --shutdown-timeout expires.
power_start run --shutdown-timeout 2 --cmdline "exit=powerbutton-ignore $POWER_TESTS"
if wait_until "$POWER_WAIT" power_guest_waits; then
	power_term
	power_end
	expect_status "power/timeout/status" 143
	check "power/timeout/warning" "no warning about the timeout" err_has "did not power off within 2 s"
	check "power/timeout/waited" "stopped after $POWER_MS ms, before the 2 s timeout" [ "$POWER_MS" -ge 1900 ]
else
	power_abort "power/timeout" "no 'guest: waiting for the power button' within $POWER_WAIT s"
fi

# A second SIGTERM stops at once, well before the default 30 s. The second is sent only once keel
# said it pressed the button, so that the two cannot merge into one pending signal.
power_start run --cmdline "exit=powerbutton-ignore $POWER_TESTS"
if wait_until "$POWER_WAIT" power_guest_waits; then
	power_term
	if wait_until 10 err_has "SIGTERM: pressed the guest's ACPI power button"; then
		kill -TERM "$POWER_PID" 2>/dev/null
		power_end
		expect_status "power/sigterm-twice/status" 143
		check "power/sigterm-twice/at-once" "took $POWER_MS ms (the timeout is 30 s)" [ "$POWER_MS" -lt 20000 ]
		check "power/sigterm-twice/message" "no message naming the signal" err_has "stopped by signal 15"
		check "power/sigterm-twice/no-timeout" "the timeout fired instead" err_lacks "did not power off"
	else
		power_abort "power/sigterm-twice" "keel did not say it pressed the power button"
	fi
else
	power_abort "power/sigterm-twice" "no 'guest: waiting for the power button' within $POWER_WAIT s"
fi

# --shutdown-timeout 0: SIGTERM stops at once even when the guest listens.
power_start run --shutdown-timeout 0 --cmdline "exit=powerbutton-ignore $POWER_TESTS"
if wait_until "$POWER_WAIT" power_guest_waits; then
	power_term
	power_end
	expect_status "power/timeout-0/status" 143
	check "power/timeout-0/at-once" "took $POWER_MS ms" [ "$POWER_MS" -lt 20000 ]
	check "power/timeout-0/no-press" "keel pressed the button anyway" err_lacks "pressed the guest's ACPI power button"
else
	power_abort "power/timeout-0" "no 'guest: waiting for the power button' within $POWER_WAIT s"
fi

# A guest that never enabled the button is stopped at once, with a warning saying so.
power_start run --cmdline "exit=halt $POWER_TESTS"
if wait_until "$POWER_WAIT" out_has "guest: halted"; then
	power_term
	power_end
	expect_status "power/not-listening/status" 143
	check "power/not-listening/warning" "no warning that the guest does not listen" \
		err_has "does not listen to the ACPI power button"
	check "power/not-listening/at-once" "took $POWER_MS ms (the timeout is 30 s)" [ "$POWER_MS" -lt 20000 ]
else
	power_abort "power/not-listening" "no 'guest: halted' within $POWER_WAIT s"
fi

# A guest reset ends keel with status 0, by default and with --reboot exit.
keel run --cmdline "exit=reset $POWER_TESTS"
expect_status "reboot/default-exits" 0
check "reboot/default-exits/one-boot" "the guest booted $(power_boots) times" [ "$(power_boots)" -eq 1 ]
keel run --reboot exit --cmdline "exit=reset $POWER_TESTS"
expect_status "reboot/exit" 0

# --reboot restart: the guest boots again and again in the same process, until SIGTERM.
power_start run -v --reboot restart --cmdline "exit=reset $POWER_TESTS"
if wait_until 30 power_boots_seen 2; then
	check "reboot/restart/same-pid" "keel's pid changed (or it is gone)" power_same_pid
	check "reboot/restart/same-binary" "pid $POWER_PID is not $KEEL" \
		[ "$(readlink "/proc/$POWER_PID/exe")" = "$KEEL" ]
	check "reboot/restart/said" "keel did not say it boots the VM again" err_has "booting the VM again"
	power_term
	power_end
	expect_status "reboot/restart/sigterm" 143
else
	power_abort "reboot/restart" "$(power_boots) boot(s) in 30 s, expected 2"
fi

# Bad values: status 2 and one line naming the option.
for args in "--reboot bogus" "--shutdown-timeout abc" "--shutdown-timeout 99999" "--shutdown-timeout -1"; do
	# shellcheck disable=SC2086 # each case is an option and its value
	keel run $args
	opt=${args%% *}
	if ! status_is 2; then fail "power/bad/$args" "exit status $STATUS, expected 2"
	elif ! err_lines 1; then fail "power/bad/$args" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$opt"; then fail "power/bad/$args" "stderr does not name $opt"
	else pass "power/bad/$args"; fi
done
