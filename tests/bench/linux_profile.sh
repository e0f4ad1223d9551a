#!/usr/bin/env bash
# make profile-linux: where `make bench-linux`'s Linux boot under keel spends its time on a host that emulates
# the guest's ring 0 (kvm_pvm): bpftrace counts, by guest RIP, every instruction KVM's emulator runs for keel's
# vCPUs (kvm:kvm_emulate_insn) and, by reason, every exit to keel (kvm:kvm_userspace_exit), while
# tests/bench/linux_boot.py boots the guest; tests/bench/linux_profile.py names the functions with the kernel's
# System.map (from Debian's linux-image-VERSION-dbg, fetched with apt-get download and cached beside the
# kernel) and prints the report. Root (bpftrace). Never judges the figures.
#   PROFILE_LINUX_STOP=REGEX   stop the boot at the first console line matching REGEX (default: run to power-off)
#   PROFILE_LINUX_TIMEOUT=S    kill the boot after S seconds (default 2400)
#   KEEL=PATH (default build/keel), LINUX_DIR=DIR (default build/linux), PROFILE_LINUX_OUT=DIR (default
#   build/bench/linux-profile: boot.log, bpftrace.txt, report.txt, report.json)
# On VT-x/AMD-V hosts the guest's ring 0 runs natively and almost nothing is emulated: the report says so.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
LINUX_DIR=${LINUX_DIR:-build/linux}
KEEL=${KEEL:-build/keel}
OUT=${PROFILE_LINUX_OUT:-build/bench/linux-profile}
STOP=${PROFILE_LINUX_STOP:-}
TIMEOUT=${PROFILE_LINUX_TIMEOUT:-2400}
CPUS=2 MEM=1G	# as tests/linux/harness.sh's linux_test_cmdline says to /init
die() { echo "profile-linux: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "bpftrace needs root"
bash mk/deps.sh profile || exit 1
[ -x "$KEEL" ] || die "$KEEL is missing: run make first"
for tp in kvm_emulate_insn kvm_userspace_exit; do
	[ -d /sys/kernel/tracing/events/kvm/$tp ] || [ -d /sys/kernel/debug/tracing/events/kvm/$tp ] ||
		die "the host kernel has no tracepoint kvm:$tp (is the kvm module loaded and tracefs mounted?)"
done
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory linux-guest LINUX_DIR="$LINUX_DIR" ||
	die "make linux-guest failed: no Linux guest to boot"
ver=$(cat "$LINUX_DIR/version") || die "$LINUX_DIR/version is missing"

# The kernel's symbols: System.map from the -dbg package of the same build (280 MB, fetched once)
map=$(bash tests/linux/system_map.sh "$LINUX_DIR") || die "no System.map for Linux $ver"

mkdir -p "$OUT" || die "cannot create $OUT"
rm -f "$OUT/boot.log" "$OUT/bpftrace.txt" "$OUT/report.txt" "$OUT/report.json"
cmdline=$(bash -c '. tests/linux/harness.sh && linux_test_cmdline bench') || die "cannot read tests/linux/harness.sh"

# bpftrace: the maps are printed when it gets SIGINT. Every distinct RIP is a key: allow a million. Its
# output goes to a file through stdout, line-buffered, so that the BEGIN line says when it is attached
# (with -o the file is written only at exit). It may warn that it cannot raise RLIMIT_MEMLOCK: BPF maps
# are charged to the memory cgroup on Linux 5.11 and later, and it runs anyway.
BPFTRACE_MAP_KEYS_MAX=1048576 bpftrace -B line -e '
BEGIN { printf("profile-linux: tracing\n"); }
tracepoint:kvm:kvm_emulate_insn /strncmp(comm, "keel-vcpu", 9) == 0/ { @insn[args->rip] = count(); }
tracepoint:kvm:kvm_userspace_exit /strncmp(comm, "keel-vcpu", 9) == 0/ { @exit[args->reason] = count(); }
' >"$OUT/bpftrace.txt" 2>"$OUT/bpftrace.err" &
bt=$!
for _ in $(seq 1 600); do
	grep -q "profile-linux: tracing" "$OUT/bpftrace.txt" 2>/dev/null && break
	kill -0 "$bt" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q "profile-linux: tracing" "$OUT/bpftrace.txt" 2>/dev/null; then
	kill -INT "$bt" 2>/dev/null
	wait "$bt"
	sed 's/^/  | /' "$OUT/bpftrace.err" >&2
	die "bpftrace did not start (its stderr above)"
fi

echo "# profile-linux: Linux $ver under keel on KVM $(for m in kvm_intel kvm_amd kvm_pvm; do
	[ -d /sys/module/$m ] && echo $m; done | tail -n 1); ${STOP:+stopped at /$STOP/; }this takes as long as a boot" >&2
python3 tests/bench/linux_boot.py run --log "$OUT/boot.log" --timeout "$TIMEOUT" ${STOP:+--stop-on "$STOP"} \
	--label "keel (profiled)" -- "$KEEL" run --kernel "$LINUX_DIR/vmlinuz" --initrd "$LINUX_DIR/initramfs.cpio" \
	--mem "$MEM" --cpus "$CPUS" --cmdline "$cmdline"
rc=$?
kill -INT "$bt" 2>/dev/null
wait "$bt"
[ "$rc" = 0 ] || die "the timing helper failed"
python3 tests/bench/linux_profile.py --map "$map" --trace "$OUT/bpftrace.txt" --boot "$OUT/boot.log" \
	--json "$OUT/report.json" | tee "$OUT/report.txt"
