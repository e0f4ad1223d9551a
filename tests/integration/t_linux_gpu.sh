# Integration: Debian 12's generic kernel drives keel's virtio-gpu and virtio-input with Linux's own drivers
# (virtio-gpu's DRM driver and fbcon, virtio_input): its console on the scanout, read through keel's VNC server
# and by SIGUSR1 screenshots, not blank, changing when the guest writes, and a line typed through VNC arriving
# on the guest's tty1. /init is tests/linux/gpu_init.sh (make linux-gpu-guest).
# shellcheck shell=bash
# Not part of `make test`: `make check-linux-gpu` runs it (KEEL_LINUX_GPU=1). On kvm_pvm hosts it takes about
# 30 minutes (on 2026-12-03: /init at 1046 s of guest time, the DRM modules loaded by 1540 s; fbcon up 28 min
# after the start), too long beside t_linux.sh's boot in the 30 minutes `make test` may take; a minute on
# VT-x/AMD-V. Without KEEL_LINUX_GPU=1 it prints one comment line and counts nothing.
#   KEEL_LINUX_GPU_TIMEOUT=S   give up waiting for the guest's console after S seconds (default 3000)
#   LINUX_GPU_DIR              where the generic kernel and its initramfs go (default build/linux-generic)

# shellcheck disable=SC2154  # here: set by run.sh, which sources this file
lg_root=$(cd "$here/../.." && pwd)
lg_dir=${LINUX_GPU_DIR:-$lg_root/build/linux-generic}
lg_tools=$lg_root/tests/tools

# lg_wait TEXT SECONDS : wait until the guest's serial output has TEXT (or keel has exited); 0 when it has
lg_wait() {
	local i
	for ((i = 0; i < $2 * 2; i++)); do
		tr -d '\r' 2>/dev/null <"$TMP/out" | grep -qF -- "$1" && return 0
		kill -0 "$lg_vm" 2>/dev/null || break
		sleep 0.5
	done
	tr -d '\r' <"$TMP/out" | grep -qF -- "$1"
}
lg_vnc() { timeout -k 5 300 python3 "$lg_tools/vncclient.py" --timeout 240 "127.0.0.1:$lg_port" "$@" >"$TMP/vnc" 2>&1; }
lg_shot_sig() {	# lg_shot_sig FILE : SIGUSR1 to keel (the child of timeout, $lg_vm), then wait for keel to have written FILE
	local i
	rm -f "$1"
	pkill -USR1 -P "$lg_vm" -x keel || return 1
	for ((i = 0; i < 240; i++)); do [ -s "$1" ] && return 0; sleep 0.5; done
	return 1
}

if [ "${KEEL_LINUX_GPU:-0}" != 1 ]; then
	echo "# linux-gpu: not run (make check-linux-gpu runs it: about 30 minutes on kvm_pvm hosts)"
elif ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$lg_root" --no-print-directory linux-gpu-guest \
	LINUX_GPU_DIR="$lg_dir" >"$TMP/lg-guest.log" 2>&1; then
	fail "linux-gpu/guest" "cannot fetch and build the generic Linux guest (Debian's package mirror?): $(tail -n 1 "$TMP/lg-guest.log")"
else
	sed -n 's/^fetch\.sh: /# linux-gpu guest: /p' "$TMP/lg-guest.log"
	lg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	lg_p=""
	[ -d /sys/module/kvm_pvm ] && lg_p=" nowatchdog sysctl.kernel.hung_task_timeout_secs=0 mitigations=off"
	lg_t=${KEEL_LINUX_GPU_TIMEOUT:-3000}
	echo "# linux-gpu: booting $(cat "$lg_dir/version") with --gpu 2d --input keyboard (about 30 min on kvm_pvm hosts; at most $lg_t s)"
	lg_start=$SECONDS
	timeout -k 5 $((lg_t + 600)) "$KEEL" run --kernel "$lg_dir/vmlinuz" --initrd "$lg_dir/initramfs.cpio" --cpus 1 --mem 1G \
		--gpu 2d --input keyboard --display "vnc:$lg_port" --screenshot "$TMP/sig.png" \
		--cmdline "console=ttyS0 panic=-1 cryptomgr.notests ipv6.disable=1$lg_p" \
		</dev/null >"$TMP/out" 2>"$TMP/err" &
	lg_vm=$!
	if ! lg_wait "keeltest: gpu: console up" "$lg_t"; then
		fail "linux-gpu/console-up" "no 'keeltest: gpu: console up' after $((SECONDS - lg_start)) s"
	else
		echo "# linux-gpu: the guest's console is up after $((SECONDS - lg_start)) s"
		pass "linux-gpu/console-up"
		check "linux-gpu/fbdev" "Linux did not register virtio-gpu's frame buffer" out_has "keeltest: gpu: /proc/fb: 0 virtio_gpudrmfb"
		check "linux-gpu/drm" "no /sys/class/drm/card0" out_has "keeltest: gpu: drm card0"
		check "linux-gpu/input-device" "Linux did not find keel's virtio keyboard" out_has "keeltest: input: keel virtio keyboard"
		check "linux-gpu/vnc-shot-1" "vncclient shot failed: $(tail -n 1 "$TMP/vnc" 2>/dev/null)" lg_vnc shot "$TMP/vnc1.png"
		check "linux-gpu/not-blank" "the console on the scanout is blank" python3 "$lg_tools/pngcmp.py" "$TMP/vnc1.png" --not-blank
		check "linux-gpu/sigusr1-shot-1" "SIGUSR1 wrote no screenshot" lg_shot_sig "$TMP/sig.png"
		check "linux-gpu/sigusr1-equals-vnc" "the SIGUSR1 screenshot and the VNC framebuffer differ" \
			python3 "$lg_tools/pngcmp.py" "$TMP/sig.png" "$TMP/vnc1.png"
		check "linux-gpu/keys-sent" "vncclient keys failed" lg_vnc keys "typed through vnc
"
		check "linux-gpu/keys-reach-tty1" "the guest did not read the typed line on tty1" \
			lg_wait "keeltest: gpu: tty1 read: typed through vnc" 600
		check "linux-gpu/guest-wrote" "the guest did not finish writing" lg_wait "keeltest: gpu: wrote" 600
		check "linux-gpu/vnc-shot-2" "vncclient shot failed" lg_vnc shot "$TMP/vnc2.png"
		check "linux-gpu/changes" "the scanout did not change when the guest wrote" \
			python3 "$lg_tools/pngcmp.py" "$TMP/vnc2.png" --differs "$TMP/vnc1.png"
		mkdir -p "$lg_dir/shots" && cp "$TMP/vnc1.png" "$TMP/vnc2.png" "$lg_dir/shots/" 2>/dev/null
		check "linux-gpu/done-sent" "vncclient keys failed" lg_vnc keys "done
"
		check "linux-gpu/powered-off" "the guest did not power off after 'done'" lg_wait "keeltest: gpu: done" 600
	fi
	wait "$lg_vm"
	STATUS=$?
	echo "# linux-gpu: keel exited with status $STATUS after $((SECONDS - lg_start)) s"
	expect_status "linux-gpu/status" 0
	check "linux-gpu/no-panic" "the kernel panicked" out_lacks "Kernel panic"
	check "linux-gpu/no-oops" "the kernel reported a bug or a fault" out_lacks "Oops"
	check "linux-gpu/no-warning" "the kernel warned" out_lacks "WARNING:"
fi
