#!/usr/bin/env bash
# make bench-linux: Debian 12's stock kernel (the guest of tests/integration/t_linux.sh) booted to /init and
# power-off under keel and under QEMU, same kernel, initramfs, RAM, vCPUs and command line, in one run.
# Every console line is timestamped on the host as it arrives (tests/bench/linux_boot.py: time.monotonic()
# from just before execve); the kernel's printk timestamps split the boot into phases. Prints a table,
# writes build/bench/linux.json, keeps each boot's console in build/bench/linux-logs/. Never asserts times;
# fails (status 1) when a boot fails: keel's status is not 0, no power-off, or a failed /init check.
#   BENCH_LINUX_RUNS=N          boots per VMM (default 1); the table shows medians
#   BENCH_LINUX_VMMS="keel qemu"  which VMMs (default both; the ratio needs both)
#   BENCH_LINUX_TIMEOUT=S       a boot that has not exited after S seconds is killed and failed (default 1800)
#   BENCH_LINUX_QEMU_ACCEL=tcg|kvm  QEMU's accelerator (default: tcg on kvm_pvm hosts, where QEMU with KVM
#                               cannot boot this kernel; elsewhere kvm when `qemu-system-x86_64 -accel kvm`
#                               starts, else tcg)
#   KEEL=PATH (default build/keel), LINUX_DIR=DIR (default build/linux), BENCH_LINUX_JSON=FILE
# Slow on kvm_pvm hosts: keel takes 10-20 minutes there (the guest's ring 0 is emulated), QEMU's TCG seconds.
set -u
set -o pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root" || exit 1
KEEL=${KEEL:-build/keel}
LINUX_DIR=${LINUX_DIR:-build/linux}
RUNS=${BENCH_LINUX_RUNS:-1}
VMMS=${BENCH_LINUX_VMMS:-keel qemu}
TIMEOUT=${BENCH_LINUX_TIMEOUT:-1800}
JSON=${BENCH_LINUX_JSON:-build/bench/linux.json}
LOGS=$(dirname "$JSON")/linux-logs
MEM=1G CPUS=2	# as tests/linux/harness.sh's linux_test_cmdline says to /init
py=(python3 "$root/tests/bench/linux_boot.py")
die() { echo "bench-linux: $*" >&2; exit 1; }

case $RUNS in '' | *[!0-9]* | 0) die "BENCH_LINUX_RUNS must be a positive number (got '$RUNS')" ;; esac
for v in $VMMS; do case $v in keel | qemu) ;; *) die "BENCH_LINUX_VMMS: unknown VMM '$v' (keel, qemu)" ;; esac; done
bash mk/deps.sh bench || exit 1
[ -x "$KEEL" ] || die "$KEEL is missing: run make first"
# the guest: Debian's kernel and the busybox initramfs (a fresh make: not the outer one's flags)
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory linux-guest LINUX_DIR="$LINUX_DIR" ||
	die "make linux-guest failed: no Linux guest to boot"
kernel=$LINUX_DIR/vmlinuz initrd=$LINUX_DIR/initramfs.cpio
mkdir -p "$LOGS" || die "cannot create $LOGS"
rm -f "$LOGS"/*.log

flavour=unknown
for m in kvm_intel kvm_amd kvm_pvm; do [ -d /sys/module/$m ] && flavour=$m; done

# QEMU's accelerator: said in the output, with the reason
accel=${BENCH_LINUX_QEMU_ACCEL:-}
if [ -n "$accel" ]; then
	why="BENCH_LINUX_QEMU_ACCEL=$accel"
elif [ -d /sys/module/kvm_pvm ]; then
	accel=tcg why="kvm_pvm host: QEMU with KVM cannot boot this kernel here, so QEMU emulates the CPU"
elif echo quit | timeout 30 qemu-system-x86_64 -accel kvm -M none -nodefaults -display none -monitor stdio \
	>/dev/null 2>&1; then
	accel=kvm why="hardware KVM"
else
	accel=tcg why="qemu-system-x86_64 -accel kvm does not start on this host"
fi
case $accel in kvm) qcpu=host ;; tcg) qcpu=max ;; *) die "BENCH_LINUX_QEMU_ACCEL must be tcg or kvm" ;; esac

# t_linux.sh's command line, with the parameters the tests add on this kind of host (linux_host_params in
# tests/linux/harness.sh: nowatchdog on kvm_pvm). keel appends its host workarounds' parameters itself
# (kvm_pvm), and QEMU gets the same ones, read from keel's -v line "host workarounds (...): ... Linux command
# line += ...", so that both kernels do the same work.
cmdline=$(bash -c '. tests/linux/harness.sh && linux_test_cmdline bench') || die "cannot read tests/linux/harness.sh"
keel_cmd=("$KEEL" run -v --kernel "$kernel" --initrd "$initrd" --mem "$MEM" --cpus "$CPUS" --cmdline "$cmdline")
"${py[@]}" run --log "$LOGS/keel-probe.log" --timeout 120 --label "keel -v, killed once it names its host workarounds" \
	--stop-on 'Linux command line \+= |Linux version ' -- "${keel_cmd[@]}" || die "cannot run keel"
probe_err=$(jq -r 'select(.fd == "err") | .line' "$LOGS/keel-probe.log")
host_params=$(sed -n 's/.*Linux command line += *//p' <<<"$probe_err" | head -n 1 | sed 's/ *$//')
if ! grep -q 'Linux version ' <(jq -r 'select(.fd == "out") | .line' "$LOGS/keel-probe.log") &&
	[ -z "$host_params" ]; then
	printf '%s\n' "$probe_err" | tail -n 5 | sed 's/^/  | /' >&2
	die "keel did not start the kernel (its stderr above)"
fi
qemu_cmdline=$cmdline${host_params:+ $host_params}
qemu_cmd=(qemu-system-x86_64 -accel "$accel" -cpu "$qcpu" -M pc -smp "$CPUS" -m "$MEM" -nodefaults -no-user-config
	-display none -monitor none -serial stdio -no-reboot -kernel "$kernel" -initrd "$initrd" -append "$qemu_cmdline")

jq -n --arg date "$(date -u +%Y-%m-%d)" --arg time "$(date -u +%FT%TZ)" --argjson runs "$RUNS" \
	--arg kvm "$flavour" --arg hostkernel "$(uname -r)" --argjson cpus "$(nproc)" \
	--arg loadavg "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--arg qver "$(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p')" \
	--arg accel "$accel" --arg why "$why" --arg qcmd "${qemu_cmd[*]}" \
	--arg kver "$("$KEEL" --version 2>&1 | head -n 1)" --arg kcmd "${keel_cmd[*]}" \
	--arg gk "$(cat "$LINUX_DIR/version" 2>/dev/null || echo unknown)" --arg mem "$MEM" --argjson gcpus "$CPUS" \
	--arg cmdline "$cmdline" --arg hp "$host_params" \
	'{date: $date, time: $time, runs: $runs,
	  host: {kvm: $kvm, kernel: $hostkernel, cpus: $cpus, loadavg: $loadavg},
	  qemu: {version: $qver, accel: $accel, accel_why: $why, command: $qcmd},
	  keel: {version: $kver, command: $kcmd},
	  guest: {kernel: $gk, mem: $mem, cpus: $gcpus, cmdline: $cmdline, host_params: $hp}}' >"$LOGS/meta.json" ||
	die "cannot write $LOGS/meta.json"

echo "# bench-linux: $RUNS boot(s) each of Linux $(cat "$LINUX_DIR/version") under: $VMMS; KVM $flavour;" \
	"QEMU accelerator $accel; load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
[ "$flavour" = kvm_pvm ] && echo "# bench-linux: keel takes 10-20 minutes per boot on this host" >&2
# QEMU boots first in each round: seconds, where keel's boot can take many minutes here
order=$(for v in $VMMS; do echo "$v"; done | sort -r | tr '\n' ' ')
declare -A logs
for i in $(seq 1 "$RUNS"); do
	for v in $order; do
		log=$LOGS/$v-$i.log
		if [ "$v" = keel ]; then cmd=("${keel_cmd[@]}"); else cmd=("${qemu_cmd[@]}"); fi
		"${py[@]}" run --log "$log" --timeout "$TIMEOUT" --label "$v run $i/$RUNS" -- "${cmd[@]}" ||
			die "the timing helper failed on $v"
		logs[$v]=${logs[$v]:+${logs[$v]},}$log
	done
done
args=()
for v in $VMMS; do args+=(--vmm "$v=${logs[$v]}"); done
"${py[@]}" report --meta "$LOGS/meta.json" --json "$JSON" "${args[@]}"
