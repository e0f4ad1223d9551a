# Integration: SIGKILL right after an acknowledged virtio-blk flush loses nothing, 50 runs with their own seeds.
# shellcheck shell=bash
#
# The bundled guest's exit=durability (guest/kernel/durability.h) posts batches of writes with a flush
# behind each, all at once, and prints "durability: flushed B through write W" once the flush and every
# write of batch B completed (it prints a FAIL line itself when the flush came back before them). At the
# K-th such line (K from the seed) keel gets SIGKILL; tests/tools/durability_check.py then replays the
# seed's schedule and checks that every sector holds what the last write acknowledged before the last
# printed flush left there, or what a later write left. The next run opens the killed image again (as a
# read-only second disk), so a lock the kill left behind would stop it.
#
# What this proves: keel completes a FLUSH only after the writes started before it, and acknowledges
# only writes the kernel took. It does not prove power-loss durability: SIGKILL ends the process, not
# the host, and the page cache keeps what keel handed the kernel, synced or not.
# KEEL_DURABILITY_SEED=N repeats the seeds N+1..N+50 of a failed run; KEEL_DURABILITY_RUNS changes 50.

dur_dir="$TMP/durability"
mkdir -p "$dur_dir"
DUR_RUNS=${KEEL_DURABILITY_RUNS:-50}
DUR_BASE=${KEEL_DURABILITY_SEED:-$(( RANDOM << 15 | RANDOM ))}
DUR_CHECK="$here/../tools/durability_check.py"
DUR_LINE_WAIT=60	# seconds keel may stay silent before the run counts as hung
DUR_LOCK_WAIT=10	# seconds the killed image's lock may outlive keel
dur_late=0		# runs whose image stayed locked after keel was reaped
dur_late_ms=0		# the longest of those waits
echo "# durability: seeds $((DUR_BASE + 1))-$((DUR_BASE + DUR_RUNS)) (KEEL_DURABILITY_SEED=$DUR_BASE repeats them)"

# dur_unlock IMAGE : poll until nobody holds IMAGE's lock (true), at most DUR_LOCK_WAIT s; DUR_WAITED: the
# milliseconds from the first refusal to the release (0: free at once)
dur_unlock() {
	local t0=${EPOCHREALTIME/./} now
	DUR_WAITED=0
	flock -n -s "$1" true && return 0
	while ! flock -n -s "$1" true; do
		now=${EPOCHREALTIME/./}
		(( now - t0 > DUR_LOCK_WAIT * 1000000 )) && return 1
		sleep 0.005
	done
	now=${EPOCHREALTIME/./}
	DUR_WAITED=$(( (now - t0) / 1000 + 1 ))
}

# dur_run I : run I; sets DUR_WHY (empty when it passed)
dur_run() {
	local seed=$((DUR_BASE + $1)) img="$dur_dir/run$1.img" prev="$dur_dir/run$(($1 - 1)).img"
	local k n=0 line pid fd status last extra=()
	k=$(( 1 + seed * 7919 % 150 ))
	DUR_WHY=
	truncate -s 256K "$img"
	[ -e "$prev" ] && extra=(--disk "$prev,readonly")
	: >"$TMP/out"
	coproc DUR_KEEL { exec "$KEEL" run --disk "$img" "${extra[@]}" \
		--cmdline "tests=boot exit=durability durability.seed=$seed" </dev/null 2>"$TMP/err"; }
	pid=$DUR_KEEL_PID
	exec {fd}<&"${DUR_KEEL[0]}"
	while IFS= read -r -t "$DUR_LINE_WAIT" -u "$fd" line; do
		printf '%s\n' "$line" >>"$TMP/out"
		[[ $line == "durability: flushed "* ]] && (( ++n == k )) && break
	done
	# SIGKILL at once; then what keel printed before it landed, and its status (without bash's "Killed" line)
	{
		kill -KILL "$pid"
		timeout 10 cat <&"$fd" >>"$TMP/out"
		wait "$pid"
		status=$?
	} 2>/dev/null
	exec {fd}<&-
	# keel is reaped; io_uring may drop its hold on the file (and the lock with it) a little later
	local locked=
	if ! dur_unlock "$img"; then
		locked="the image is still locked $DUR_LOCK_WAIT s after keel was reaped"
	elif (( DUR_WAITED > 0 )); then
		dur_late=$((dur_late + 1))
		(( DUR_WAITED > dur_late_ms )) && dur_late_ms=$DUR_WAITED
	fi
	last=$(sed -n 's/^durability: flushed \([0-9]*\) .*/\1/p' "$TMP/out" | tail -n 1)
	if grep -q '^durability: FAIL' "$TMP/out"; then
		DUR_WHY=$(grep -m1 '^durability: FAIL' "$TMP/out")
	elif (( n < k )); then
		DUR_WHY="keel (status $status) printed $n flushed lines, not $k: $(tail -n 2 "$TMP/err" | tr '\n' ' ')"
	elif [ "$status" -ne 137 ]; then
		DUR_WHY="keel ended with status $status, not 137 (SIGKILL)"
	elif ! python3 "$DUR_CHECK" "$img" "$seed" "$last" >"$dur_dir/check" 2>&1; then
		DUR_WHY="killed at flush $k (flush $last printed): $(head -n 5 "$dur_dir/check" | tr '\n' ';')"
	fi
	[ -n "$locked" ] && DUR_WHY="${DUR_WHY:+$DUR_WHY; }$locked"
	[ -e "$prev" ] && rm -f "$prev"
	DUR_NOTE="seed $seed, killed at flush $k, flush ${last:-none} printed: $(tail -n 1 "$dur_dir/check" 2>/dev/null)"
	rm -f "$dur_dir/check"
}

for ((dur_i = 1; dur_i <= DUR_RUNS; dur_i++)); do
	dur_run "$dur_i"
	if [ -z "$DUR_WHY" ]; then
		pass "durability/run-$dur_i ($DUR_NOTE)"
	else
		fail "durability/run-$dur_i" "seed $((DUR_BASE + dur_i)): $DUR_WHY"
	fi
done
echo "# durability: the killed image's lock outlived keel's reaping in $dur_late of $DUR_RUNS runs (at most $dur_late_ms ms)"
