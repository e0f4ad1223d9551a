#!/usr/bin/env bash
# make bench-startup: keel's time from exec to the first KVM_RUN and its resident memory beyond guest RAM,
# next to QEMU booting the same bundled guest with the same RAM, measured in one run.
set -u
: "${KEEL:?}" "${GUEST_ELF:?}"
RUNS=${RUNS:-7}
MEM_MIB=256
tmp=$(mktemp -d /tmp/keel-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

bash mk/deps.sh bench || exit 1

flavour=unknown
for m in kvm_intel kvm_amd kvm_pvm; do [ -d /sys/module/$m ] && flavour=$m; done

# Each command line ends with the guest's exit= mode, appended by measure().
keel_cmd=("$KEEL" run --mem "${MEM_MIB}M" --cmdline)
qemu_cmd=(qemu-system-x86_64 -accel kvm -M microvm,x-option-roms=off,rtc=off -cpu host,arch-capabilities=off -smp 1
	-m "${MEM_MIB}M" -object "memory-backend-memfd,id=ram,size=${MEM_MIB}M" -machine memory-backend=ram
	-nodefaults -no-user-config -display none -serial stdio -no-reboot
	-device isa-debug-exit,iobase=0xf4,iosize=4 -kernel "$GUEST_ELF" -append)

# first_run_ms CMD... : milliseconds from execve to the first KVM_RUN, read from strace's timestamps.
# Only execve and ioctl stop the tracee (--seccomp-bpf), the same overhead for both VMMs. The guest
# runs its checks and leaves by itself (exit=debug), so nothing is killed half-traced.
first_run_ms() {
	timeout 120 strace -f -qq --seccomp-bpf -ttt -e trace=execve,ioctl -o "$tmp/trace" "$@" \
		</dev/null >"$tmp/out" 2>/dev/null
	awk '/execve\(/ && !t0 { t0 = $2 } /KVM_RUN/ { printf "%.2f\n", ($2 - t0) * 1000; exit }' "$tmp/trace"
}

# rss_kib CMD... : the resident memory (the smaps Rss that make VmRSS) minus guest RAM's once the guest has halted. Guest RAM is the
# mapping of exactly MEM_MIB MiB in /proc/PID/smaps, whatever backs it (a memfd for QEMU here, anonymous
# memory for keel), so that both VMMs are measured the same way.
rss_kib() {
	"$@" </dev/null >"$tmp/out" 2>/dev/null &
	local pid=$! i v
	for i in $(seq 1 600); do grep -q 'guest: halted' "$tmp/out" 2>/dev/null && break; sleep 0.05; done
	v=$(awk -v ram=$((MEM_MIB * 1024)) '/^Size:/ { size = $2 }
		/^Rss:/ { total += $2; if (size == ram) guest += $2 } END { if (NR) print total - guest }' \
		"/proc/$pid/smaps" 2>/dev/null)
	kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
	echo "$v"
}

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "" }'; }

measure() {	# measure CMD... -> sets M_START, M_RSS
	local i
	for i in $(seq 1 "$RUNS"); do first_run_ms "$@" exit=debug; done | median >"$tmp/start"
	for i in $(seq 1 3); do rss_kib "$@" exit=halt; done | median >"$tmp/rss"
	M_START=$(cat "$tmp/start")
	M_RSS=$(cat "$tmp/rss")
}

echo "keel start-up benchmark, $(date -u +%Y-%m-%d), host KVM: $flavour, $(nproc) CPUs"
echo "guest: the bundled guest, ${MEM_MIB} MiB, 1 vCPU; medians of $RUNS runs (start-up) and 3 runs (memory)"
echo "start-up = exec to the first KVM_RUN, read from strace -ttt timestamps (execve and ioctl traced for both)"
measure "${keel_cmd[@]}"
K_START=$M_START K_RSS=$M_RSS
if [ -z "$K_START" ] || [ -z "$K_RSS" ]; then echo "keel: the measurement failed" >&2; exit 1; fi
if command -v qemu-system-x86_64 >/dev/null; then
	measure "${qemu_cmd[@]}"
	Q_START=$M_START Q_RSS=$M_RSS
else
	Q_START="" Q_RSS=""
fi
awk -v ks="$K_START" -v kr="$K_RSS" -v qs="$Q_START" -v qr="$Q_RSS" 'BEGIN {
	printf "%-34s %12s %16s %10s\n", "", "keel", "qemu (microvm)", "keel/qemu"
	if (qs == "") { qs = "n/a"; qr = "n/a" }
	printf "%-34s %9.2f ms %13s ms %10s\n", "exec to first KVM_RUN", ks, qs, (qs == "n/a" ? "n/a" : sprintf("%.2f", ks / qs))
	printf "%-34s %8.1f MiB %12s MiB %10s\n", "resident memory beyond guest RAM", kr / 1024, (qr == "n/a" ? "n/a" : sprintf("%.1f", qr / 1024)), (qr == "n/a" ? "n/a" : sprintf("%.2f", kr / qr))
}'
