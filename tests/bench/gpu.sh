#!/usr/bin/env bash
# make bench-gpu: the bundled guest's gpu-bench= (full-screen 2D updates at 1280x800, virgl clears) under keel and under
# QEMU (virtio-gpu-pci / virtio-gpu-gl-pci) in one run; frames/s, clears/s and keel/QEMU ratios as a markdown table.
# The rates come from the guest's own clock around its loop. Every run is bounded by a time limit.
set -u
: "${KEEL:?}" "${GUEST_ELF:?}"
FRAMES=${BENCH_GPU_FRAMES:-20}
CLEARS=${BENCH_GPU_CLEARS:-100}
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

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b > 0) printf "%.2f", a / b; else printf "-" }'; }

have_qemu=1
command -v qemu-system-x86_64 >/dev/null || have_qemu=0

cmdline="tests=gpu* gpu-bench=2d:$FRAMES"
keel k2d --gpu 2d
k2d_st=$?
q2d_st=127
if [ "$have_qemu" -eq 1 ]; then
	qemu q2d -display none -device virtio-gpu-pci,xres=1280,yres=800
	q2d_st=$?
fi
cmdline="tests=gpu* gpu-bench=virgl:$CLEARS"
keel k3d --gpu virgl
k3d_st=$?
q3d_st=127
if [ "$have_qemu" -eq 1 ]; then
	qemu q3d -display egl-headless -device virtio-gpu-gl-pci
	q3d_st=$?
fi

k2d=$(rate k2d frames)
k3d=$(rate k3d clears)
q2d=
q3d=
if [ "$have_qemu" -eq 1 ]; then
	q2d=$(rate q2d frames)
	q3d=$(rate q3d clears)
fi

# cell RATE NAME STATUS : the rate, or why there is none
cell() {
	if [ -n "$1" ]; then printf '%s' "$1"
	elif [ "$3" -eq 127 ] && [ "$2" != k2d ] && [ "$2" != k3d ]; then printf 'not run: qemu-system-x86_64 is not installed'
	else printf 'not measured: %s' "$(why "$2" "$3")"; fi
}

{
	echo "# keel GPU benchmark"
	echo
	echo "$(date -u +%Y-%m-%d), host KVM: $flavour, $(nproc) CPUs; the bundled guest (1 vCPU, 256 MiB) times its own loop."
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
} >"$tmp/table.md"
mkdir -p "$(dirname "$MD")"
cp "$tmp/table.md" "$MD"
cat "$tmp/table.md"
echo "(written to $MD)"
# keel must have produced both rates; QEMU's are the reference and may be missing (said in the table).
[ -n "$k2d" ] && [ -n "$k3d" ]
