# Integration-test helpers: run keel with a time limit, capture its output, and count passes and failures.
# shellcheck shell=bash

PASSED=0
FAILED=0
TMP=$(mktemp -d /tmp/keel-it.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
LIMIT=${KEEL_TEST_TIMEOUT:-180}	# seconds any one keel run may take before it counts as hung

pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() {
	FAILED=$((FAILED + 1))
	echo "not ok - $1: $2"
	if grep -q '^not ok' "$TMP/out" 2>/dev/null; then echo "  --- failed guest checks:"; grep -A3 '^not ok' "$TMP/out" | head -n 20 | sed 's/^/  | /'; fi
	if [ -s "$TMP/out" ]; then echo "  --- stdout (tail):"; tail -n 15 "$TMP/out" | sed 's/^/  | /'; fi
	if [ -s "$TMP/err" ]; then echo "  --- stderr (tail):"; tail -n 15 "$TMP/err" | sed 's/^/  | /'; fi
}

# keel ARGS... : run keel with stdin from $STDIN (default /dev/null); sets STATUS, output in $TMP/out, $TMP/err
keel() {
	timeout -k 5 "$LIMIT" "$KEEL" "$@" <"${STDIN:-/dev/null}" >"$TMP/out" 2>"$TMP/err"
	STATUS=$?
}

# check NAME CONDITION-DESCRIPTION COMMAND... : pass when COMMAND succeeds
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

status_is() { [ "$STATUS" -eq "$1" ]; }
out_has() { grep -qF -- "$1" "$TMP/out"; }
err_has() { grep -qF -- "$1" "$TMP/err"; }
out_lacks() { ! grep -qF -- "$1" "$TMP/out"; }
err_lines() { [ "$(wc -l <"$TMP/err")" -eq "$1" ]; }

# wait_until SECONDS COMMAND... : poll COMMAND every 0.1 s until it succeeds (true) or SECONDS pass (false)
wait_until() {
	local n=$(($1 * 10))
	shift
	for ((; n > 0; n--)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# bg_start ARGS... : "$KEEL" ARGS in the background under the time limit, stdin /dev/null, output in $TMP/out and
# $TMP/err (emptied first); sets BG (the timeout(1) wrapper, for wait) and BG_PID (keel itself, for signals)
bg_start() {
	: >"$TMP/out"
	: >"$TMP/err"
	( exec timeout -k 5 "$LIMIT" "$KEEL" "$@" </dev/null >"$TMP/out" 2>"$TMP/err" ) &
	BG=$!
	BG_PID=
	for _ in $(seq 1 200); do
		BG_PID=$(pgrep -P "$BG") && break
		sleep 0.05
	done
}

# expect_bad NAME NEEDLE : pass when the last run ended with status 2 and exactly one stderr line containing NEEDLE
expect_bad() {
	if ! status_is 2; then fail "$1" "exit status $STATUS, expected 2 (124: it hung)"
	elif ! err_lines 1; then fail "$1" "expected one line on stderr, got $(wc -l <"$TMP/err")"
	elif ! err_has "$2"; then fail "$1" "stderr lacks '$2'"
	else pass "$1"; fi
}

# expect_status NAME WANT : pass when the last run ended with status WANT
expect_status() {
	if status_is "$2"; then pass "$1"; else fail "$1" "exit status $STATUS, expected $2"; fi
}

summary() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
