#!/usr/bin/env bash
# make bench-gpu: the bundled guest's gpu-bench= (full-screen 2D updates at 1280x800, virgl clears) under keel and under
# QEMU (virtio-gpu-pci / virtio-gpu-gl-pci) in one run; frames/s, clears/s and keel/QEMU ratios as a markdown table.
# The rates come from the guest's own clock around its loop. Every run is bounded by a time limit.
set -u
: "${KEEL:?}" "${GUEST_ELF:?}"
FRAMES=${BENCH_GPU_FRAMES:-500}
CLEARS=${BENCH_GPU_CLEARS:-1000}
ROUNDS=${BENCH_GPU_ROUNDS:-3}
LIMIT=${BENCH_GPU_LIMIT:-600}
MD=${BENCH_GPU_MD:-build/bench-gpu.md}
tmp=$(mktemp -d /tmp/keel-bench-gpu.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

flavour=unknown
for m in kvm_intel kvm_amd kvm_pvm; do [ -d /sys/module/$m ] && flavour=$m; done

# qemu NAME ARGS... : the bundled guest under QEMU with -accel kvm, as t_qemu.sh boots it
qemu() {
	local name=$1
	shift
	timeout -k 5 "$LIMIT" qemu-system-x86_64 -accel kvm -M pc -m 256M -smp 1 -nodefaults -no-user-config \
		-serial stdio -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=4 "$@" \
		-kernel "$GUEST_ELF" -append "$cmdline" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
}

# keel NAME ARGS... : the bundled guest under keel
keel() {
	local name=$1
	shift
	timeout -k 5 "$LIMIT" "$KEEL" run "$@" --cmdline "$cmdline" </dev/null >"$tmp/$name.out" 2>"$tmp/$name.err"
}

# rate NAME WHAT : WHAT per second from the guest's "gpu-bench: KIND WHAT=N ns=T" line, or nothing
rate() {
	sed -nE "s/^gpu-bench: [a-z0-9]+ $2=([0-9]+) ns=([0-9]+)\$/\\1 \\2/p" "$tmp/$1.out" |
		awk '$2 > 0 { printf "%.2f", $1 * 1e9 / $2 }'
}

# why NAME : one line saying why a run gave no rate (a failed check's note, else stderr's first line)
why() {
	local line
	line=$(grep -A2 '^not ok .*gpu: bench' "$tmp/$1.out" | grep '^#' | head -n 1 | sed 's/^# //')
	[ -n "$line" ] || line=$(grep -v 'warning: host doesn.t support requested feature' "$tmp/$1.err" | head -n 1)
	[ -n "$line" ] || line="no gpu-bench line (exit status $2)"
	printf '%s' "$line" | tr '|' '/' | cut -c1-160
}

# mode NAME : output 0's mode as the guest read it from GET_DISPLAY_INFO (its gpu: display-info note)
mode() { sed -nE 's/^# virtio-gpu .*output 0: ([0-9]+x[0-9]+).*/\1/p' "$tmp/$1.out" | head -n 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "-" }'; }

have_qemu=1
command -v qemu-system-x86_64 >/dev/null || have_qemu=0

# median RATE... : the middle one of the rates given (empty when none)
median() { printf '%s\n' "$@" | grep . | sort -g | awk '{ r[NR] = $1 } END { if (NR) print r[int((NR + 1) / 2)] }'; }

# Rounds alternate keel and QEMU so that a busy spell of the host weighs on both; each rate is the median.
k2d_all=() q2d_all=() k3d_all=() q3d_all=()
k2d_st=0 q2d_st=127 k3d_st=0 q3d_st=127
for r in $(seq 1 "$ROUNDS"); do
	cmdline="tests=gpu* gpu-bench=2d:$FRAMES"
	keel "k2d.$r" --gpu 2d
	k2d_st=$?
	k2d_all+=("$(rate "k2d.$r" frames)")
	if [ "$have_qemu" -eq 1 ]; then
		qemu "q2d.$r" -display none -device virtio-gpu-pci,xres=1280,yres=800
		q2d_st=$?
		q2d_all+=("$(rate "q2d.$r" frames)")
	fi
	cmdline="tests=gpu* gpu-bench=virgl:$CLEARS"
	keel "k3d.$r" --gpu virgl
	k3d_st=$?
	k3d_all+=("$(rate "k3d.$r" clears)")
	if [ "$have_qemu" -eq 1 ] && { [ "$r" -eq 1 ] || [ -n "${q3d_all[0]}" ]; }; then	# no retry of a QEMU that cannot
		qemu "q3d.$r" -display egl-headless -device virtio-gpu-gl-pci
		q3d_st=$?
		q3d_all+=("$(rate "q3d.$r" clears)")
	fi
	last=$r
done

k2d_mode=$(mode k2d.1)
q2d_mode=
[ "$have_qemu" -eq 1 ] && q2d_mode=$(mode q2d.1)
k2d=$(median "${k2d_all[@]}")
k3d=$(median "${k3d_all[@]}")
q2d=$(median "${q2d_all[@]}")
q3d=$(median "${q3d_all[@]}")

# cell RATE NAME STATUS : the rate, or why there is none (from the last run of NAME)
cell() {
	local f=$2.$last
	[ -e "$tmp/$f.out" ] || f=$2.1
	if [ -n "$1" ]; then printf '%s' "$1"
	elif [ "$have_qemu" -eq 0 ] && [ "${2#q}" != "$2" ]; then printf 'not run: qemu-system-x86_64 is not installed'
	else printf 'not measured: %s' "$(why "$f" "$3")"; fi
}

{
	echo "# keel GPU benchmark"
	echo
	echo "$(date -u +%Y-%m-%d), host KVM: $flavour, $(nproc) CPUs; the bundled guest (1 vCPU, 256 MiB) times its own loop;"
	echo "each rate is the median of $ROUNDS runs, keel and QEMU alternating."
	echo "2D: $FRAMES frames, each the whole 1280x800 B8G8R8X8 resource rewritten in guest memory, TRANSFER_TO_HOST_2D,"
	echo "RESOURCE_FLUSH, its fence waited for. virgl: $CLEARS CLEARs of a 256x256 render target, each fenced and waited for."
	echo "keel: \`--gpu 2d\` / \`--gpu virgl\`; QEMU $(qemu-system-x86_64 --version 2>/dev/null | head -n 1 | sed -E 's/.*version ([^ ]+).*/\1/'):"
	echo "\`-accel kvm -device virtio-gpu-pci,xres=1280,yres=800 -display none\` / \`-device virtio-gpu-gl-pci -display egl-headless\`."
	echo
	echo "| what | keel | QEMU | keel/QEMU |"
	echo "|---|---|---|---|"
	echo "| 2D full-screen updates at 1280x800, frames/s | $(cell "$k2d" k2d "$k2d_st") | $(cell "$q2d" q2d "$q2d_st") | $(ratio "$k2d" "$q2d") |"
	echo "| virgl 256x256 clears, clears/s | $(cell "$k3d" k3d "$k3d_st") | $(cell "$q3d" q3d "$q3d_st") | $(ratio "$k3d" "$q3d") |"
	echo
	echo "Higher is better for the rates; a ratio above 1 means keel is faster."
	echo "Output 0 as the guest read it from GET_DISPLAY_INFO: keel ${k2d_mode:-unknown}, QEMU ${q2d_mode:-unknown}."
} >"$tmp/table.md"
mkdir -p "$(dirname "$MD")"
cp "$tmp/table.md" "$MD"
cat "$tmp/table.md"
echo "(written to $MD)"
# keel must have produced both rates; QEMU's are the reference and may be missing (said in the table).
[ -n "$k2d" ] && [ -n "$k3d" ]
