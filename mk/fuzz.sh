#!/usr/bin/env bash
# Runs the libFuzzer targets `make fuzz` and `make fuzz-long` built, each on its corpus, and says how many executions each survived.
# Usage: mk/fuzz.sh FUZZDIR SECONDS RUNS 'NAME CORPUS DESCRIPTION...'...
#   FUZZDIR  where the targets (fuzz-NAME) and their corpora are (build/fuzz)
#   SECONDS  each target's time limit; RUNS: its execution limit (0: none); it stops at whichever comes first
# Each target's log is FUZZDIR/fuzz-NAME.log; a crash, leak, timeout or sanitizer report is kept as
# FUZZDIR/NAME-crash-* (libFuzzer's artifact) and fails the run. A line per target goes to stdout and to
# FUZZDIR/summary.txt. Exit status 1 when any target failed.
set -u
dir=$1 secs=$2 runs=$3
shift 3
failed=0
summary="$dir/summary.txt"
printf '# %s, %s, each target at most %s s%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)" \
	"$([ -d /sys/module/kvm_pvm ] && echo 'kvm_pvm host' || echo 'host')" "$secs" \
	"$([ "$runs" -gt 0 ] && echo " or $runs executions")" >"$summary"
for t in "$@"; do
	# shellcheck disable=SC2086  # the spec's words are its fields
	set -- $t
	name=$1 corpus=$2
	shift 2
	log="$dir/fuzz-$name.log"
	limit=()
	[ "$runs" -gt 0 ] && limit=(-runs="$runs")
	start=$(date +%s)
	"$dir/fuzz-$name" -max_total_time="$secs" "${limit[@]}" -print_final_stats=1 -timeout=5 \
		-artifact_prefix="$dir/$name-" "$dir/$corpus" >"$log" 2>&1
	s=$?
	took=$(($(date +%s) - start))
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$s" -eq 0 ]; then
		line="fuzz: $name: ${n:-?} executions in $took s of $* under ASan+UBSan, no failure"
	else
		tail -n 40 "$log"
		line="fuzz: $name: FAILED after ${n:-?} executions (log: $log)"
		failed=1
	fi
	echo "$line"
	echo "$line" >>"$summary"
done
exit "$failed"
