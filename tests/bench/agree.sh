#!/usr/bin/env bash
# make bench-agree: two `keel bench` runs back to back, compared path by path (issue 7's repeatability check).
# For every series with figures in both runs it prints the min and the median of each run and how far
# apart they are; it exits 1 when a min differs by more than LIMIT % (10), 0 otherwise. The medians
# are shown, not judged: on a noisy host they move with the host (see the README).
# With two arguments (two `keel bench --json` reports) it only compares them.
set -u
: "${OUT:?}"
LIMIT=${BENCH_AGREE_LIMIT:-10}
# shellcheck disable=SC2206
ARGS=(${BENCH_ARGS:-})

command -v jq >/dev/null || { echo "bench-agree: jq is not installed (mk/deps.sh test)" >&2; exit 4; }
mkdir -p "$OUT"
if [ $# -eq 2 ]; then
	A=$1 B=$2
else
	: "${KEEL:?}"
	A=$OUT/agree-1.json B=$OUT/agree-2.json
	for run in 1 2; do
		echo "bench-agree: run $run of 2 ($(date -u +%H:%M:%SZ))" >&2
		if ! "$KEEL" bench -q --json "$OUT/agree-$run.json" "${ARGS[@]}" >"$OUT/agree-$run.txt"; then
			echo "bench-agree: run $run failed (its table: $OUT/agree-$run.txt)" >&2
			exit 4
		fi
	done
fi

# path vmm min1 min2 dmin% median1 median2 dmedian%, one line per series with figures in both runs
jq -r -n --slurpfile a "$A" --slurpfile b "$B" '
	def d($x; $y): if $x > 0 and $y > 0 then (($x - $y) | fabs) / ([$x, $y] | min) * 100 else null end;
	$a[0].paths as $pa | $b[0].paths as $pb
	| range(0; $pa | length) as $i | $pa[$i] as $p | $pb[$i] as $q
	| ("keel", "floor", "qemu") as $v
	| select($p[$v].status == "ok" and $q[$v].status == "ok")
	| [$p.name, $v, $p[$v].cycles.min, $q[$v].cycles.min, d($p[$v].cycles.min; $q[$v].cycles.min),
	   $p[$v].cycles.median, $q[$v].cycles.median, d($p[$v].cycles.median; $q[$v].cycles.median)]
	| @tsv' >"$OUT/agree.tsv" || { echo "bench-agree: cannot compare the two reports" >&2; exit 4; }

awk -F'\t' -v limit="$LIMIT" '
	BEGIN {
		printf "%-14s %-6s %12s %12s %8s %12s %12s %8s\n", "path", "vmm", "min cyc 1", "min cyc 2", "differ",
			"median 1", "median 2", "differ"
	}
	{
		n++
		flag = $5 > limit ? "  <- over" : ""
		if ($5 > limit) over++
		if ($8 > limit) mover++
		printf "%-14s %-6s %12.0f %12.0f %7.1f%% %12.0f %12.0f %7.1f%%%s\n", $1, $2, $3, $4, $5, $6, $7, $8, flag
	}
	END {
		printf "\n%d series: mins within %s %% in %d, medians within %s %% in %d\n", n, limit, n - over, limit, n - mover
		if (n == 0) { print "bench-agree: no series with figures in both runs" > "/dev/stderr"; exit 1 }
		exit over ? 1 : 0
	}' "$OUT/agree.tsv"
