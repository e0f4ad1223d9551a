# Integration: the bundled guest's own checks (paging, interrupts, syscalls, SMP, scheduling) under keel with 1, 2 and 4 vCPUs and under QEMU, compared check by check; tests= subsets.
# shellcheck shell=bash

GUEST_INPUT="keel-typed-line"	# typed into the console; irq/uart-input must read it back
GUEST_MIN_CHECKS=40

# guest_results FILE : "name ok|not-ok" per TAP line, numbers and SKIP comments dropped
guest_results() { sed -nE 's/^(not ok|ok) [0-9]+ - ([^ #]+).*/\2 \1/p' "$1"; }
# guest_count FILE : number of TAP result lines
guest_count() { grep -cE '^(not )?ok [0-9]+ - ' "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

printf '%s\n' "$GUEST_INPUT" >"$TMP/guest-in"
guest_cmdline="uart-input=$GUEST_INPUT"

# guest_report WHO : the checks every full run must pass (output in $TMP/out, time in $ms)
guest_report() {
	local who=$1 n
	n=$(guest_count "$TMP/out")
	check "$who/all-passed" "no 'guest: N passed, 0 failed' line" grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "$who/no-failed-check" "a check failed: $(grep -m3 '^not ok' "$TMP/out" | tr '\n' ' ')" out_lacks "not ok"
	check "$who/at-least-$GUEST_MIN_CHECKS-checks" "only $n checks" [ "$n" -ge "$GUEST_MIN_CHECKS" ]
	check "$who/typed-input-read-back" "no '# uart-irq: got \"$GUEST_INPUT\"'" out_has "# uart-irq: got \"$GUEST_INPUT\""
	check "$who/user-mode-said" "the kernel did not say how it returns to user mode" \
		grep -qE '^guest: returning to user mode with (sysretq|iretq)' "$TMP/out"
	check "$who/kill-report" "no one-line report of a killed task" \
		grep -qE '^guest: task [0-9]+ \(fault\) killed: #GP general protection at rip 0x[0-9a-f]+' "$TMP/out"
	echo "# $who: $n checks in $ms ms (noted, not judged: the run's time limit catches a hang)"
}

# keel with 1, 2, 4 vCPUs, the same typed input each time.
for n in 1 2 4; do
	t0=$(now_ms)
	STDIN="$TMP/guest-in" keel run --cpus "$n" --cmdline "$guest_cmdline"
	ms=$(($(now_ms) - t0))
	expect_status "guest/keel/cpus=$n/status" 0
	guest_report "guest/keel/cpus=$n"
	check "guest/keel/cpus=$n/stderr-quiet" "keel printed to stderr" [ ! -s "$TMP/err" ]
	guest_results "$TMP/out" >"$TMP/guest-keel-$n.res"
done
for n in 2 4; do
	check "guest/keel/cpus=1-vs-$n/same-results" \
		"per-check results differ: $(diff "$TMP/guest-keel-1.res" "$TMP/guest-keel-$n.res" | tr '\n' ' ')" \
		cmp -s "$TMP/guest-keel-1.res" "$TMP/guest-keel-$n.res"
done

# QEMU with 1, 2, 4 vCPUs: the same ELF, the same command line and input, the same results line by line.
if command -v qemu-system-x86_64 >/dev/null; then
	for n in 1 2 4; do
		t0=$(now_ms)
		timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel kvm -M pc -m 256M -smp "$n" -nodefaults -no-user-config \
			-display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
			-kernel "$GUEST_ELF" -append "$guest_cmdline" <"$TMP/guest-in" >"$TMP/out" 2>"$TMP/err"
		# shellcheck disable=SC2034 # read by lib.sh (expect_status)
		STATUS=$?
		ms=$(($(now_ms) - t0))
		expect_status "guest/qemu/smp=$n/status" 1
		guest_report "guest/qemu/smp=$n"
		guest_results "$TMP/out" >"$TMP/guest-qemu-$n.res"
		check "guest/qemu/smp=$n/same-results-as-keel" \
			"per-check results differ: $(diff "$TMP/guest-keel-$n.res" "$TMP/guest-qemu-$n.res" | tr '\n' ' ')" \
			cmp -s "$TMP/guest-keel-$n.res" "$TMP/guest-qemu-$n.res"
	done
	# QEMU's TCG emulates SYSCALL, SYSRET and IOPL as hardware does, unlike this host's KVM (see
	# guest/README.md): the paths hardware-KVM users take (native syscall entry, IOPL 3) run here.
	tcg_tests="syscall,user,exc,sched/preempt-registers"
	timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel tcg -cpu max -M pc -m 256M -smp 2 -nodefaults -no-user-config \
		-display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-kernel "$GUEST_ELF" -append "tests=$tcg_tests" </dev/null >"$TMP/out" 2>"$TMP/err"
	# shellcheck disable=SC2034 # read by lib.sh (expect_status)
	STATUS=$?
	expect_status "guest/tcg/status" 1
	check "guest/tcg/all-passed" "a check failed: $(grep -m3 '^not ok' "$TMP/out" | tr '\n' ' ')" \
		grep -qE '^guest: [0-9]+ passed, 0 failed' "$TMP/out"
	check "guest/tcg/native-syscall" "syscalls did not enter ring 0 directly under TCG" \
		out_has "syscalls enter ring 0 directly"
	check "guest/tcg/iopl-kept" "IOPL 3 was not kept under TCG" out_has "IOPL 3 in ring 3: kept"
	guest_results "$TMP/out" >"$TMP/guest-tcg.res"
	grep -E '^(syscall|user|exc)/|^sched/preempt-registers ' "$TMP/guest-keel-2.res" >"$TMP/guest-tcg-want.res"
	check "guest/tcg/same-results-as-keel" "per-check results differ: $(diff "$TMP/guest-tcg-want.res" \
		"$TMP/guest-tcg.res" | tr '\n' ' ')" cmp -s "$TMP/guest-tcg-want.res" "$TMP/guest-tcg.res"
else
	fail "guest/qemu/available" "qemu-system-x86_64 is not installed (mk/deps.sh test installs it)"
fi

# tests= picks areas: exactly their checks, numbered from 1, with the results of the full run.
keel run --cpus 2 --cmdline "tests=paging,syscall"
expect_status "guest/tests=paging,syscall/status" 0
guest_results "$TMP/out" >"$TMP/guest-subset.res"
grep -E '^(paging|syscall)/' "$TMP/guest-keel-2.res" >"$TMP/guest-subset-want.res"
check "guest/tests=paging,syscall/just-those" "other checks ran or some are missing: $(diff "$TMP/guest-subset-want.res" \
	"$TMP/guest-subset.res" | tr '\n' ' ')" cmp -s "$TMP/guest-subset-want.res" "$TMP/guest-subset.res"
k=$(guest_count "$TMP/out")
check "guest/tests=paging,syscall/numbered-from-1" "TAP numbers are not 1..$k" \
	[ "$(sed -nE 's/^(not ok|ok) ([0-9]+) - .*/\2/p' "$TMP/out" | tr '\n' ' ')" = "$(seq -s ' ' 1 "$k") " ]
check "guest/tests=paging,syscall/plan" "no plan line 1..$k" grep -qx "1\.\.$k" "$TMP/out"

# A name and a prefix; one check alone.
keel run --cmdline "tests=irq/timer-*,exc/nmi-ist"
expect_status "guest/tests=prefix-and-name/status" 0
check "guest/tests=prefix-and-name/checks" "not exactly exc/nmi-ist and the timer checks, in list order" \
	[ "$(guest_results "$TMP/out" | cut -d' ' -f1 | tr '\n' ' ')" = "exc/nmi-ist irq/timer-periodic irq/timer-tsc-deadline " ]
keel run --cmdline "tests=sched/round-robin"
expect_status "guest/tests=one-check/status" 0
check "guest/tests=one-check/report" "not one check passed" grep -qx "guest: 1 passed, 0 failed" "$TMP/out"

# A word that selects nothing is a failure, said so.
keel run --cmdline "tests=paging,no-such-area"
expect_status "guest/tests=unknown/status" 3
check "guest/tests=unknown/message" "no message naming the word" out_has "guest: tests=no-such-area selects no check"

# verbose=1 adds what the user programs wrote.
keel run --cmdline "tests=syscall/write verbose=1"
expect_status "guest/verbose/status" 0
check "guest/verbose/details" "no user output shown" out_has "# sys says: hello from user mode"

# Without input (stdin /dev/null) the typed-input check skips and everything passes.
keel run --cpus 2 --cmdline "tests=irq"
expect_status "guest/no-input/status" 0
check "guest/no-input/skip" "irq/uart-input did not skip" grep -qE '^ok [0-9]+ - irq/uart-input # SKIP' "$TMP/out"

# sysret=off: user mode is entered with iretq only, and the user-mode checks still pass.
keel run --cpus 2 --cmdline "sysret=off tests=syscall,user,sched/preempt-registers"
expect_status "guest/sysret=off/status" 0
check "guest/sysret=off/said" "the kernel did not say it uses iretq" out_has "guest: returning to user mode with iretq"
