# Integration: `keel bench --quick` covers every path, says why a path has no figures, and writes JSON the schema accepts. Timings are never checked.
# shellcheck shell=bash

BENCH_PATHS="cpuid pio-user pio-kernel mmio-user mmio-kernel hlt-timer msr-kernel msr-user hypercall self-ipi ipi irqfd virtio-notify"
# The paths the floor runs everywhere (the user-space MSR needs a capability, the hypercall may hang: see below).
FLOOR_ALWAYS="cpuid pio-user pio-kernel mmio-user mmio-kernel msr-kernel"
SCHEMA="$(dirname "${BASH_SOURCE[0]}")/bench_schema.jq"

if ! command -v jq >/dev/null; then
	fail "bench/jq" "jq is not installed (mk/deps.sh test installs it)"
	return 0
fi

# Every bad option: one line on stderr, status 2, before anything runs.
for args in "--paths warp" "--paths cpuid,cpuid" "--paths" "--cpus 0" "--reps 0" "--iters x" "--frobnicate" \
	"--json" "--qemu q --no-qemu" "--json /nonexistent-dir/x.json --paths cpuid" "--plot /nonexistent-dir/x.svg" \
	"--rounds 0" "--quick --rounds 4" "--rounds x"; do
	# shellcheck disable=SC2086
	keel bench $args
	if status_is 2 && err_lines 1 && [ ! -s "$TMP/out" ]; then
		pass "bench/bad-option/$args"
	else
		fail "bench/bad-option/$args" "status $STATUS, $(wc -l <"$TMP/err") stderr lines, expected 2 and one line"
	fi
done

keel bench --help
expect_status "bench/help" 0
check "bench/help/lists-paths" "--help does not list the paths" out_has "hlt-timer msr-kernel msr-user hypercall"

# jqf FILTER: run FILTER on the last report; series PATH VMM: that row's status; one_of V A B...: V is one of them
jqf() { jq -r "$1" "$TMP/bench.json"; }
series() { jqf ".paths[] | select(.name == \"$1\") | .$2.status"; }
schema_ok() { jq -e -f "$SCHEMA" "$TMP/bench.json" >/dev/null; }
one_of() {
	local v=$1 x
	shift
	for x; do [ "$v" = "$x" ] && return 0; done
	return 1
}

keel bench --quick --json "$TMP/bench.json" --plot "$TMP/bench.svg"
expect_status "bench/quick/status" 0
cp "$TMP/out" "$TMP/bench.table"
check "bench/quick/json-schema" "the JSON fails tests/integration/bench_schema.jq" schema_ok
for p in $BENCH_PATHS; do
	check "bench/quick/table/$p" "no row for $p in the table" grep -qE "^$p +[03] " "$TMP/bench.table"
	check "bench/quick/json/$p" "no entry for $p in the JSON" [ "$(jqf "[.paths[] | select(.name == \"$p\")] | length")" = 1 ]
done
check "bench/quick/json/all-paths" "the JSON does not have all 13 paths" [ "$(jqf '.paths | length')" = 13 ]
check "bench/quick/host-facts" "host facts missing" [ "$(jqf '.host.kvm_flavour != "" and .host.tsc_khz > 0 and .host.vcpus == 2')" = true ]
check "bench/quick/iterations" "--quick is not 100 x 3" [ "$(jqf '.config.iterations == 100 and .config.repetitions == 3 and .config.quick')" = true ]
check "bench/quick/svg" "no SVG drawn" grep -q "<svg" "$TMP/bench.svg"
check "bench/quick/stderr-quiet" "keel bench printed to stderr" [ ! -s "$TMP/err" ]

# The floor runs here and now: figures for the paths every KVM serves.
for p in $FLOOR_ALWAYS; do
	check "bench/floor/$p" "floor $p: $(series "$p" floor) ($(jqf ".paths[] | select(.name == \"$p\") | .floor.reason"))" \
		[ "$(series "$p" floor)" = ok ]
done
# The user-space MSR needs KVM_CAP_X86_USER_SPACE_MSR; the hypercall hangs the vCPU on kvm_pvm: figures, or a reason.
for p in msr-user hypercall; do
	s=$(series "$p" floor)
	check "bench/floor/$p" "floor $p: $s" one_of "$s" ok unavailable
done
if [ "$(jqf '.host.kvm_flavour')" = kvm_pvm ]; then
	check "bench/floor/hypercall-guarded" "the hung vmcall was not reported as such" \
		[ "$(jqf '.paths[] | select(.name == "hypercall") | .floor.reason | test("hung")')" = true ]
fi
for p in hlt-timer self-ipi ipi irqfd virtio-notify; do
	check "bench/floor/$p-not-offered" "floor $p: $(series "$p" floor)" [ "$(series "$p" floor)" = not-offered ]
done

# QEMU: the paths it cannot offer are marked, never faked.
if command -v qemu-system-x86_64 >/dev/null; then
	check "bench/qemu/version" "no QEMU version in the report" [ "$(jqf '.host.qemu | type')" = string ]
	for p in hypercall irqfd; do
		check "bench/qemu/$p-not-offered" "qemu $p: $(series "$p" qemu)" [ "$(series "$p" qemu)" = not-offered ]
	done
fi

# keel and QEMU run the bundled guest's bench programs. Until the guest has them, every keel row says so.
if [ "$(jqf '[.paths[].keel.reason // ""] | any(test("no bench mode"))')" = true ]; then
	echo "# the bundled guest has no bench mode yet: keel's and QEMU's rows only give the reason"
	check "bench/keel/reasons" "a keel row without a reason" \
		[ "$(jqf '[.paths[].keel | select(.status != "ok" and (.reason // "") == "")] | length')" = 0 ]
else
	for p in $BENCH_PATHS; do
		s=$(series "$p" keel)
		case $p in
		hypercall)	# hangs on kvm_pvm: killed and reported
			check "bench/keel/$p" "keel $p: $s" one_of "$s" ok unavailable ;;
		msr-user)	# needs KVM_CAP_X86_USER_SPACE_MSR, as on the floor
			check "bench/keel/$p" "keel $p: $s" one_of "$s" ok "$([ "$(series "$p" floor)" = ok ] || echo "$s")" ;;
		*)
			check "bench/keel/$p" "keel $p: $s ($(jqf ".paths[] | select(.name == \"$p\") | .keel.reason"))" [ "$s" = ok ] ;;
		esac
	done
	for p in pio-user mmio-user msr-user; do
		if [ "$(series "$p" keel)" = ok ] && [ "$(series "$p" floor)" = ok ]; then
			check "bench/keel/$p/over-floor" "no keel/floor ratio for $p" \
				[ "$(jqf ".paths[] | select(.name == \"$p\") | .keel_over_floor | type")" = number ]
		fi
	done
	if command -v qemu-system-x86_64 >/dev/null; then
		for p in cpuid pio-user pio-kernel mmio-user mmio-kernel hlt-timer msr-kernel self-ipi ipi virtio-notify; do
			check "bench/qemu/$p" "qemu $p: $(series "$p" qemu)" [ "$(series "$p" qemu)" = ok ]
		done
	fi
fi

# --paths and --no-qemu: only what was asked; QEMU skipped with the reason.
keel bench --quick --paths pio-user,cpuid --no-qemu --json "$TMP/bench.json"
expect_status "bench/paths/status" 0
check "bench/paths/json-schema" "the JSON fails the schema" schema_ok
check "bench/paths/only-those" "other paths in the report" [ "$(jqf '[.paths[].name] | join(",")')" = cpuid,pio-user ]
check "bench/paths/no-qemu" "QEMU not marked skipped" [ "$(jqf '[.paths[].qemu.status] | unique | join(",")')" = skipped ]
check "bench/paths/table" "other paths in the table" out_lacks "mmio-user"

# A QEMU that is not there: marked skipped with the reason, the rest runs.
keel bench --quick --paths cpuid --qemu /nonexistent/qemu-system-x86_64 --json "$TMP/bench.json"
expect_status "bench/no-qemu-binary/status" 0
check "bench/no-qemu-binary/skipped" "QEMU not marked skipped" \
	[ "$(jqf '.paths[0].qemu.status + ":" + (.paths[0].qemu.reason | tostring)' | cut -c1-8)" = skipped: ]
check "bench/no-qemu-binary/floor" "the floor did not run" [ "$(series cpuid floor)" = ok ]

# Rounds: the repetitions are spread over rounds, each booting every VMM again, and say which round ran them.
keel bench --quick --rounds 3 --paths cpuid,pio-user --no-qemu --json "$TMP/bench.json"
expect_status "bench/rounds/status" 0
check "bench/rounds/json-schema" "the JSON fails the schema" schema_ok
check "bench/rounds/config" "config.rounds is not 3" [ "$(jqf '.config.rounds')" = 3 ]
for v in keel floor; do
	check "bench/rounds/$v" "$v's repetitions do not come one from each round" \
		[ "$(jqf "[.paths[].$v.repetitions | map(.round) | tostring] | unique | join(\" \")")" = "[0,1,2]" ]
done
check "bench/rounds/table" "the table does not say 3 rounds" out_has "3 repetitions in 3 rounds"

# make bench-agree's comparison (tests/bench/agree.sh): a report agrees with itself; a min moved by 50 % fails.
AGREE="$(dirname "${BASH_SOURCE[0]}")/../bench/agree.sh"
OUT="$TMP/agree" bash "$AGREE" "$TMP/bench.json" "$TMP/bench.json" >"$TMP/out" 2>"$TMP/err"
STATUS=$?
expect_status "bench/agree/same/status" 0
check "bench/agree/same/all" "not every series agreed" out_has "4 series: mins within 10 % in 4"
jq '.paths[0].keel.cycles.min *= 1.5' "$TMP/bench.json" >"$TMP/moved.json"
OUT="$TMP/agree" bash "$AGREE" "$TMP/bench.json" "$TMP/moved.json" >"$TMP/out" 2>"$TMP/err"
STATUS=$?
expect_status "bench/agree/moved/status" 1
check "bench/agree/moved/flagged" "the moved min is not flagged" grep -qE "^cpuid +keel .*50.0%.*<- over" "$TMP/out"
