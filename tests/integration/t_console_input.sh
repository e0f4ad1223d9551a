# Integration: 10,000 lines piped into the bundled guest's exit=echo come back complete and in order.
# shellcheck shell=bash

CI_LINES=10000
CI_MAX=255			# guest/kernel/echo.c: ECHO_LINE_MAX 256 less the NUL

# Numbered lines ("00001 " on) of varied length, 6 to CI_MAX bytes (every 50th the longest), made of every
# printable character, the space included, each line starting at another place in the cycle.
awk -v n="$CI_LINES" -v max="$CI_MAX" 'BEGIN {
	for (c = 32; c < 127; c++) pr = pr sprintf("%c", c);
	while (length(all) < 2 * max + 2 * length(pr)) all = all pr;
	seed = 12345;
	for (i = 1; i <= n; i++) {
		seed = (seed * 75 + 74) % 65537;
		len = i % 50 == 0 ? max : seed % 121;
		head = sprintf("%05d ", i);
		print head substr(all, 1 + i % length(pr), len > length(head) ? len - length(head) : 0);
	}
}' >"$TMP/ci_lines"
sed 's/^/echo: /' "$TMP/ci_lines" >"$TMP/ci_want"
{ cat "$TMP/ci_lines"; echo quit; } >"$TMP/ci_in"

cat "$TMP/ci_in" | { timeout -k 5 "$LIMIT" "$KEEL" run --cmdline exit=echo >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/st"; }
STATUS=$(cat "$TMP/st")
grep -a '^echo: ' "$TMP/out" | tr -d '\r' >"$TMP/ci_got"

# ci_same : every line back, complete and in order; otherwise say how many are missing or wrong and where the first differs
ci_same() {
	local first lost
	cmp -s "$TMP/ci_want" "$TMP/ci_got" && return 0
	lost=$(grep -Fxvc -f "$TMP/ci_got" "$TMP/ci_want")
	first=$(diff "$TMP/ci_want" "$TMP/ci_got" | head -n 6)
	echo "  $(wc -l <"$TMP/ci_got") of $CI_LINES echo lines came back; $lost sent lines are missing or garbled; first difference:"
	echo "$first" | sed 's/^/  | /'
	return 1
}

check "console-input/10000-lines" "lines lost, garbled or out of order" ci_same
expect_status "console-input/status" 0
check "console-input/quit" "the guest did not stop at quit" out_lacks "echo: quit"
