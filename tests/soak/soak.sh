#!/usr/bin/env bash
# make soak: SOAK_CYCLES boots of the bundled guest (disk, socket NIC, console socket) with nothing left to accumulate on the host, then one VM for SOAK_SECONDS under console, disk and network load with flat RSS, fds and threads.
#
# Environment: KEEL (build/keel), GUEST_ELF (build/guest/keel-guest.elf), SOAK_CYCLES (500),
# SOAK_SECONDS (3600), SOAK_OUT (build/soak: cycles.tsv, load_samples.tsv, summary.txt).
# Exit status 0 when both parts pass, 1 otherwise.
set -u

KEEL=${KEEL:-build/keel}
GUEST_ELF=${GUEST_ELF:-build/guest/keel-guest.elf}
CYCLES=${SOAK_CYCLES:-500}
LOAD_S=${SOAK_SECONDS:-3600}
OUT=${SOAK_OUT:-build/soak}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LIMIT=120			# seconds one boot cycle may take before it counts as hung
SAMPLE_S=10			# the load phase samples keel this often
GUEST_MAC=02:00:00:00:50:01	# load_peer.py builds its frames for this MAC

for tool in python3 /usr/bin/time ip; do
	command -v "$tool" >/dev/null || { echo "soak: $tool is needed" >&2; exit 1; }
done
[ -x "$KEEL" ] || { echo "soak: no keel at $KEEL (make first)" >&2; exit 1; }
kernel_args=()
[ -f "$GUEST_ELF" ] && kernel_args=(--kernel "$GUEST_ELF")

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SUMMARY=$OUT/summary.txt
W=$(mktemp -d /tmp/keel-soak.XXXXXX)
SINK_PID=
PEER_PID=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
	[ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null && wait "$PEER_PID" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT
: >"$SUMMARY"
FAILS=0

say() { echo "$*" | tee -a "$SUMMARY"; }
failure() { FAILS=$((FAILS + 1)); say "FAIL: $*"; }

count_glob() { local a=("$@"); [ -e "${a[0]}" ] || [ -L "${a[0]}" ] || { echo 0; return; }; echo "${#a[@]}"; }
fd_count() { count_glob /proc/"$1"/fd/*; }
taps() { ip -o link | grep -c tap; }
# alive PID : the process runs (a zombie waiting for wait does not count)
alive() { local st; read -r _ _ st _ 2>/dev/null <"/proc/$1/stat" || return 1; [ "$st" != Z ]; }
# nfd PID : its open fds into NFD, without a fork (the boot cycles poll it every 20 ms)
nfd() { local a=(/proc/"$1"/fd/*); NFD=${#a[@]}; [ -e "${a[0]}" ] || [ -L "${a[0]}" ] || NFD=0; }
# nap SECONDS : sleep without a fork, a read timing out on a FIFO nobody writes
nap() { read -rt "$1" -u "$NAPFD" || :; }

# memfd_links PID... : open memfds of these processes
memfd_links() {
	local n=0 f p
	for p in "$@"; do
		for f in /proc/"$p"/fd/*; do
			[[ $(readlink "$f" 2>/dev/null) == /memfd:* ]] && n=$((n + 1))
		done
	done
	echo "$n"
}

# zombies: children of this shell that died and were not reaped
zombies() { pgrep -c -P $$ -r Z; }

# stats FILE COLUMN WINDOW : "first median max first-window-median last-window-median" of a TSV column (header skipped)
stats() {
	awk -v c="$2" 'NR > 1 { print $c }' "$1" | awk -v w="$3" '
		function med(a, lo, hi,   n, i, j, t, b) {
			n = 0
			for (i = lo; i <= hi; i++) b[++n] = a[i]
			for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
			return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
		}
		{ v[NR] = $1; if (NR == 1 || $1 > mx) mx = $1 }
		END {
			if (!NR) { print "0 0 0 0 0"; exit }
			printf "%s %s %s %s %s\n", v[1], med(v, 1, NR), mx, med(v, 1, w), med(v, NR - w + 1, NR)
		}'
}

# grew A B PCT FLOOR : true when B exceeds A by more than PCT % and by more than FLOOR
grew() { awk -v a="$1" -v b="$2" -v p="$3" -v f="$4" 'BEGIN { exit !(b - a > a * p / 100 && b - a > f) }'; }

# ---------------------------------------------------------------- part 1: boot cycles
say "== soak part 1: $CYCLES boot cycles ($(date -u +%FT%TZ), $KEEL, kvm: $([ -d /sys/module/kvm_pvm ] && echo kvm_pvm || echo other))"
truncate -s 1M "$W/disk.img"
mkfifo "$W/nap"
exec {NAPFD}<>"$W/nap"
CONS=$W/cons.sock
python3 "$HERE/console_sink.py" "$CONS" "$W/conns.log" &
SINK_PID=$!
for _ in $(seq 1 100); do [ -S "$CONS" ] && break; sleep 0.05; done
[ -S "$CONS" ] || { failure "the console listener did not start"; exit 1; }
: >"$W/conns.log"
kargs=(run "${kernel_args[@]}" --disk "$W/disk.img" --net "socket:$W/net.sock" --console "socket:$CONS"
	--cmdline "tests=virtio,net/link-up")
known="$W/disk.img $W/nap $CONS $W/conns.log $W/out $W/err $W/rss"
shm0=$(count_glob /dev/shm/*)
taps0=$(taps)
TSV=$OUT/cycles.tsv
printf 'cycle\tstatus\trss_kb\thwm_kb\tkeel_fds\tscript_fds\tsink_fds\tsockets_left\tfiles_left\tshm\ttaps\tzombies\tmemfds\tms\n' >"$TSV"
t_start=$SECONDS
bad_status=0
for ((i = 1; i <= CYCLES; i++)); do
	t0=$(date +%s%N)
	( exec /usr/bin/time -f %M -o "$W/rss" "$KEEL" "${kargs[@]}" </dev/null >"$W/out" 2>"$W/err" {NAPFD}<&- ) &
	tpid=$!
	kpid='' fdmax=0 hwm=0 polls=0
	while alive "$tpid"; do
		[ -z "$kpid" ] && kpid=$(pgrep -P "$tpid")
		if [ -n "$kpid" ]; then
			nfd "$kpid"
			((NFD > fdmax)) && fdmax=$NFD
			while read -r key val _; do
				[ "$key" = VmHWM: ] && hwm=$val
			done 2>/dev/null <"/proc/$kpid/status"
		fi
		if ((++polls > LIMIT * 50)); then
			[ -n "$kpid" ] && kill -KILL "$kpid" 2>/dev/null
		fi
		nap 0.02
	done
	wait "$tpid"
	status=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	rss=$(tail -n 1 "$W/rss" 2>/dev/null)
	[[ $rss =~ ^[0-9]+$ ]] || rss=0
	if [ "$status" -ne 0 ] || ! grep -qE '^guest: [0-9]+ passed, 0 failed' "$W/out"; then
		bad_status=$((bad_status + 1))
		failure "cycle $i: keel exited $status; $(grep -E '^(not ok|guest: [0-9]+ passed)' "$W/out" | head -n 3 | tr '\n' ' ')$(head -c 300 "$W/err")"
		cp "$W/out" "$OUT/cycle-$i.out" 2>/dev/null
		cp "$W/err" "$OUT/cycle-$i.err" 2>/dev/null
	fi
	sockets=0 files=0
	for f in "$W"/*; do
		[[ " $known " == *" $f "* ]] && continue
		if [ -S "$f" ]; then sockets=$((sockets + 1)); else files=$((files + 1)); fi
	done
	printf '%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n' "$i" "$status" "$rss" "$hwm" "$fdmax" \
		"$(fd_count $$)" "$(fd_count "$SINK_PID")" "$sockets" "$files" "$(count_glob /dev/shm/*)" "$(taps)" \
		"$(zombies)" "$(memfd_links $$ "$SINK_PID")" "$ms" >>"$TSV"
	if ((i % 25 == 0 || i == CYCLES)); then
		echo "cycle $i/$CYCLES: $((SECONDS - t_start)) s, last: status $status, ${ms} ms, peak RSS $rss KiB, keel fds $fdmax, bad statuses so far $bad_status"
	fi
done
kill "$SINK_PID" 2>/dev/null
wait "$SINK_PID" 2>/dev/null
SINK_PID=

win=$((CYCLES / 2 < 50 ? CYCLES / 2 : 50))
((win < 1)) && win=1
conns=$(wc -l <"$W/conns.log")
empty=$(grep -c '^0$' "$W/conns.log")
say ""
say "part 1: $CYCLES cycles in $((SECONDS - t_start)) s; statuses not 0: $bad_status; console connections $conns (empty: $empty)"
say "$(printf '%-26s %9s %9s %9s %12s %12s  %s' metric first median max "first-$win med" "last-$win med" verdict)"
col=2
for name in status rss_kb hwm_kb keel_fds script_fds sink_fds sockets_left files_left shm taps zombies memfds ms; do
	read -r first med max fmed lmed < <(stats "$TSV" "$col" "$win")
	verdict=ok
	case $name in
	rss_kb | hwm_kb) grew "$fmed" "$lmed" 10 0 && verdict="FAIL (grew over 10 %)" ;;
	keel_fds) grew "$fmed" "$lmed" 10 0 && verdict="FAIL (grew over 10 %)" ;;
	script_fds | sink_fds)
		last=$(awk -v c="$col" 'END { print $c }' "$TSV")
		((last > first)) && verdict="FAIL (first $first, last $last)" ;;
	sockets_left | files_left | zombies | memfds) ((max > 0)) && verdict="FAIL (left behind)" ;;
	shm) last=$(awk -v c="$col" 'END { print $c }' "$TSV"); ((last > shm0)) && verdict="FAIL ($shm0 before, $last after)" ;;
	taps) last=$(awk -v c="$col" 'END { print $c }' "$TSV"); ((last > taps0)) && verdict="FAIL ($taps0 before, $last after)" ;;
	status) ((max > 0)) && verdict="FAIL ($bad_status not 0)" ;;
	ms) verdict="-" ;;
	esac
	say "$(printf '%-26s %9s %9s %9s %12s %12s  %s' "$name" "$first" "$med" "$max" "$fmed" "$lmed" "$verdict")"
	[[ $verdict == FAIL* ]] && failure "part 1: $name: $verdict"
	col=$((col + 1))
done
((conns == CYCLES)) || failure "part 1: $conns console connections for $CYCLES cycles"
((empty == 0)) || failure "part 1: $empty console connections received nothing"

# ---------------------------------------------------------------- part 2: one VM under load
say ""
say "== soak part 2: one VM for $LOAD_S s under console, disk and network load ($(date -u +%FT%TZ))"
truncate -s 8M "$W/load.img"
mkfifo "$W/uart.in"
python3 "$HERE/load_peer.py" --console "$W/lcons.sock" --net-self "$W/lpeer.sock" --net-keel "$W/lnet.sock" \
	--fifo "$W/uart.in" --log "$OUT/load.out" --status "$W/peer.status" --seconds "$LOAD_S" >"$W/peer.out" 2>&1 {NAPFD}<&- &
PEER_PID=$!
for _ in $(seq 1 100); do [ -S "$W/lcons.sock" ] && [ -S "$W/lpeer.sock" ] && break; sleep 0.05; done
: >"$OUT/load.out"
"$KEEL" run "${kernel_args[@]}" --disk "$W/load.img" --net "socket:$W/lnet.sock,peer=$W/lpeer.sock,mac=$GUEST_MAC" \
	--console "socket:$W/lcons.sock" --cmdline "tests=load load=$((LOAD_S + 600)) virtio-write=1" \
	<"$W/uart.in" >"$OUT/load.out" 2>"$OUT/load.err" {NAPFD}<&- &
KPID=$!
for _ in $(seq 1 $LIMIT); do grep -q '^load: ready' "$OUT/load.out" && break; alive "$KPID" || break; sleep 1; done
LTSV=$OUT/load_samples.tsv
printf 'seconds\trss_kb\tfds\tthreads\n' >"$LTSV"
t_start=$SECONDS
next=$SECONDS
while alive "$PEER_PID" && alive "$KPID"; do
	if ((SECONDS >= next)); then
		rss=0 thr=0
		while read -r key val _; do
			case $key in VmRSS:) rss=$val ;; Threads:) thr=$val ;; esac
		done 2>/dev/null <"/proc/$KPID/status"
		el=$((SECONDS - t_start))
		printf '%d\t%d\t%d\t%d\n' "$el" "$rss" "$(fd_count "$KPID")" "$thr" >>"$LTSV"
		if (((el / SAMPLE_S) % 6 == 0)); then
			echo "load $el/$LOAD_S s: RSS $rss KiB, fds $(fd_count "$KPID"), threads $thr; peer: $(cat "$W/peer.status" 2>/dev/null)"
		fi
		next=$((next + SAMPLE_S))
	fi
	sleep 1
done
wait "$PEER_PID"
peer_status=$?
PEER_PID=
for _ in $(seq 1 $LIMIT); do alive "$KPID" || break; sleep 1; done
alive "$KPID" && { failure "part 2: keel still running $LIMIT s after quit"; kill -KILL "$KPID"; }
wait "$KPID"
kstatus=$?
say "part 2: keel exited $kstatus after $((SECONDS - t_start)) s; guest: $(grep -E '^load: (quit|time up)' "$OUT/load.out" | tail -n 1)"
say "part 2: host peer (exit $peer_status): $(tr '\n' ' ' <"$W/peer.out")"
[ "$kstatus" -eq 0 ] || failure "part 2: keel exited $kstatus"
grep -qx 'guest: 1 passed, 0 failed' "$OUT/load.out" || failure "part 2: the guest's load/run check did not pass"
declare -A P=()
while IFS='=' read -r k v; do [ -n "$k" ] && P[$k]=$v; done <"$W/peer.out"
[ "${P[quit_seen]:-0}" = 1 ] || failure "part 2: the guest did not answer quit"
[ "${P[udp_bad]:-1}" = 0 ] || failure "part 2: ${P[udp_bad]:-?} UDP echoes came back corrupted"
((${P[udp_sent]:-0} > 0 && ${P[udp_lost]:-1} * 100 <= ${P[udp_sent]:-0})) ||
	failure "part 2: ${P[udp_lost]:-?} of ${P[udp_sent]:-0} UDP datagrams lost (more than 1 %)"
[ "${P[lines_echoed]:-x}" = "${P[lines_sent]:-y}" ] ||
	failure "part 2: ${P[lines_echoed]:-?} of ${P[lines_sent]:-?} console lines echoed"
((${P[vcons_lines]:-0} > 0)) || failure "part 2: nothing arrived on the virtio console"

n=$(($(wc -l <"$LTSV") - 1))
q=$((n / 4 < 1 ? 1 : n / 4))
say "$(printf '%-10s %9s %9s %9s %14s %14s  %s' metric first median max "first-1/4 med" "last-1/4 med" verdict)"
col=2
for name in rss_kb fds threads; do
	read -r first med max fmed lmed < <(stats "$LTSV" "$col" "$q")
	verdict=ok
	case $name in
	rss_kb) grew "$fmed" "$lmed" 10 4096 && verdict="FAIL (grew over 10 % and 4 MiB)" ;;
	*) grew "$fmed" "$lmed" 0 0 && verdict="FAIL (grew)" ;;
	esac
	say "$(printf '%-10s %9s %9s %9s %14s %14s  %s' "$name" "$first" "$med" "$max" "$fmed" "$lmed" "$verdict")"
	[[ $verdict == FAIL* ]] && failure "part 2: $name: $verdict"
	col=$((col + 1))
done
((n > 0)) || failure "part 2: no samples"

say ""
if ((FAILS)); then say "soak: FAILED ($FAILS problems); details in $OUT"; exit 1; fi
say "soak: passed ($CYCLES cycles, $LOAD_S s under load); details in $OUT"
exit 0
