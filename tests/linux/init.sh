#!/bin/sh
# /init of the Linux guest the test suite boots (busybox sh): checks the machine Linux saw, prints TAP on the
# console (ttyS0), a summary line "keeltest: N passed, M failed", and powers off (reboot(RB_POWER_OFF): ACPI S5).
# Parameters it reads from the kernel command line (all optional; a check whose parameter is absent is skipped):
#   keeltest.cpus=N          N vCPUs must be online
#   keeltest.mem=MIB         MemTotal must be between 85% and 100% of MIB
#   keeltest.token=STR       echoed back, so the harness sees the command line arrive intact
#   keeltest.end             the last word of the command line: nothing was cut off after the token
#   keeltest.modprobe=A,B    modprobe each module (the initramfs carries them: mkinitramfs.py --modules)
#   keeltest.execs=N         start N programs (fork+exec) pinned to CPU 0, then N free to run on CPUs 0-1
#   keeltest.virtio=N        the virtio checks of /virtio.sh (tests/linux/virtio.sh, which lists its own
#                            parameters: keeltest.mac=, keeltest.tcp=, keeltest.hvc=, keeltest.last=,
#                            keeltest.peer=, keeltest.kill=, keeltest.blocks=, keeltest.rng=, keeltest.fwcfg=,
#                            and keeltest.bench=SECS, make bench-linux-io's work instead of the checks)
# Every fork+exec costs seconds under emulated ring 0: the checks use shell built-ins wherever they can
# (8 commands in all: 3 mounts, dd, dmesg, grep, poweroff, plus one modprobe per module asked for, and
# what the virtio checks run).
# shellcheck disable=SC3043,SC2086,SC2116  # busybox ash has local; $(echo $x) joins a message's lines
# shellcheck disable=SC2034  # the vt_* variables are read by /virtio.sh
PATH=/bin
export PATH
n=0
passed=0
failed=0

ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1 # $2"; }
skip() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $1 # SKIP $2"; }
diag() {	# diag TEXT: each line of TEXT as a TAP comment
	local IFS='
' l
	for l in $1; do echo "#   $l"; done
}
finish() {
	trap - EXIT
	echo "1..$n"
	echo "keeltest: $passed passed, $failed failed"
	# keeltest.kill=1: the host kills keel with SIGKILL once our data is synced (tests/linux/virtio.sh)
	[ -n "$vt_kill" ] && vt_kill_phase
	poweroff -f
	echo "keeltest: poweroff -f returned" # init exiting next makes the kernel panic (panic=-1 reboots)
}
# A syntax or run-time error that ends the script still reports and powers off.
trap finish EXIT

# The first programs /init starts: a failure is reported below (and the mount retried once, so that the
# other checks can still run).
mountfail=""
for m in "proc /proc" "sysfs /sys" "devtmpfs /dev"; do
	set -- $m
	mount -t "$1" "$1" "$2"
	st=$?
	if [ $st != 0 ]; then
		mountfail="$mountfail $1(status $st)"
		mount -t "$1" "$1" "$2"
	fi
done
read -r cmdline </proc/cmdline
cpus="" mem="" token="" end=0 mods="" taint_ok=0 execs=0 vt_want="" vt_mac="" vt_tcp="" vt_hvc="" vt_last="" vt_secs="" vt_peer="" vt_kill="" vt_blocks=2048 vt_rngbytes=1048576 vt_fwcfg="" vt_vsock=""
for w in $cmdline; do
	case $w in
	clearcpuid=*) taint_ok=4 ;; # clearcpuid= taints the kernel with S (CPU out of spec, bit 2) on purpose
	keeltest.cpus=*) cpus=${w#*=} ;;
	keeltest.mem=*) mem=${w#*=} ;;
	keeltest.token=*) token=${w#*=} ;;
	keeltest.modprobe=*) mods=${w#*=} ;;
	keeltest.execs=*) execs=${w#*=} ;;
	keeltest.virtio=*) vt_want=${w#*=} ;;
	keeltest.mac=*) vt_mac=${w#*=} ;;
	keeltest.tcp=*) vt_tcp=${w#*=} ;;
	keeltest.hvc=*) vt_hvc=${w#*=} ;;
	keeltest.last=*) vt_last=${w#*=} ;;
	keeltest.bench=*) vt_secs=${w#*=} ;;
	keeltest.peer=*) vt_peer=${w#*=} ;;
	keeltest.kill=*) vt_kill=${w#*=} ;;
	keeltest.blocks=*) vt_blocks=${w#*=} ;;
	keeltest.rng=*) vt_rngbytes=${w#*=} ;;
	keeltest.fwcfg=*) vt_fwcfg=${w#*=} ;;
	keeltest.vsock=*) vt_vsock=${w#*=} ;;
	keeltest.end) end=1 ;;
	esac
done
# modules stripped of their signatures (mkinitramfs.py) taint the kernel with E (unsigned module, bit 13)
[ -n "$mods$vt_want$vt_secs" ] && taint_ok=$((taint_ok | 8192))
exec </dev/console >/dev/console 2>&1
# The virtio drivers load while the console still prints everything, so that hvc0 (console=hvc0) gets
# kernel messages too (tests/linux/virtio.sh).
if [ -n "$vt_want$vt_secs" ]; then
	# shellcheck source=tests/linux/virtio.sh
	. /virtio.sh
	vt_modprobe
fi
# Kernel messages after this point would land in the middle of TAP lines: only emergencies reach the
# console now (the power-off message and panics); dmesg still sees everything.
echo 1 >/proc/sys/kernel/printk
echo "keeltest: /init started"

if [ -z "$mountfail" ]; then
	ok "mount proc, sysfs, devtmpfs"
else
	notok "mount proc, sysfs, devtmpfs" "failed:$mountfail"
fi


# (a) every vCPU online: count the ranges of /sys/devices/system/cpu/online ("0-1", "0,2-3")
read -r online </sys/devices/system/cpu/online
count=0
IFS=,
for r in $online; do
	case $r in
	*-*) count=$((count + ${r#*-} - ${r%-*} + 1)) ;;
	*) count=$((count + 1)) ;;
	esac
done
unset IFS
if [ -z "$cpus" ]; then
	skip "every vCPU online ($count: $online)" "no keeltest.cpus="
elif [ "$count" = "$cpus" ]; then
	ok "every vCPU online ($count: $online)"
else
	notok "every vCPU online" "online: $online ($count), keeltest.cpus=$cpus"
fi

# (e) the command line arrived whole: the token is there, and so is the last word
if [ -z "$token" ]; then
	skip "command line intact" "no keeltest.token="
elif [ "$end" = 1 ]; then
	ok "command line intact (token $token)"
else
	notok "command line intact (token $token)" "no keeltest.end at the end: $cmdline"
fi

# (f) the memory map: MemTotal close to what the VM was given
read -r _ kb _ </proc/meminfo
if [ -z "$mem" ]; then
	skip "memory size (MemTotal $((kb / 1024)) MiB)" "no keeltest.mem="
elif [ "$kb" -le $((mem * 1024)) ] && [ "$kb" -ge $((mem * 1024 * 85 / 100)) ]; then
	ok "memory size (MemTotal $((kb / 1024)) MiB of $mem)"
else
	notok "memory size" "MemTotal $kb kB, keeltest.mem=$mem MiB"
fi

# (d) a system-call storm from user space: 3000 reads and 3000 writes, every one must succeed
out=$(dd if=/dev/zero of=/dev/null bs=1 count=3000 2>&1)
case $out in
*"3000+0 records in"*"3000+0 records out"*) ok "6000 system calls from user space (dd)" ;;
*) notok "6000 system calls from user space (dd)" "$(echo $out)" ;;
esac

# optional: start programs, each a fork and an exec of busybox, whose C library start-up reads its
# thread-local data through %fs (pinned to CPU 0 first, then free to use both: a difference points at
# the CPUs; isolcpus=1 on the command line keeps them all on CPU 0 anyway)
if [ "$execs" -gt 0 ]; then
	for where in "with affinity CPU 0:1" "with affinity CPUs 0-1:3"; do
		taskset -p "${where##*:}" $$ >/dev/null
		i=0 bad=0 st=""
		while [ $i -lt "$execs" ]; do
			/bin/busybox true
			r=$?
			[ $r = 0 ] || { bad=$((bad + 1)); st="$st $r"; }
			i=$((i + 1))
		done
		if [ $bad = 0 ]; then
			ok "$execs programs started ${where%:*}"
		else
			notok "$execs programs started ${where%:*}" "$bad failed, status:$st"
		fi
	done
fi

# optional: load the modules asked for
IFS=,
for m in $mods; do
	unset IFS
	if r=$(modprobe "$m" 2>&1); then ok "modprobe $m"; else notok "modprobe $m" "$(echo $r)"; fi
done
unset IFS

# optional: Linux's virtio drivers against keel's devices (tests/linux/virtio.sh)
if [ -n "$vt_secs" ]; then vt_bench; elif [ -n "$vt_want" ]; then vt_run; fi

# Everything the kernel logged, read once; one grep picks every line the next checks look at, and the
# taint mask too: a sysctl file must be read in one read() (at a non-zero offset it reads as empty,
# and the shell's `read` takes one byte at a time).
dmesg >/tmp/dmesg
found=$(grep -H -iE 'unpack|ACPI (BIOS )?(Error|Warning)|can.t find IRQ for PCI INT|(^|\] )(BUG|WARNING):|Oops|Kernel panic|segfault at|traps: |^[0-9]+$' \
	/tmp/dmesg /proc/sys/kernel/tainted)
unpacked=0 unpackfail="" acpi="" trace="" taint="" userfault=""
IFS='
'
for l in $found; do
	case $l in
	/proc/sys/kernel/tainted:*) taint=${l#*:} ;;
	*"Initramfs unpacking failed"*) unpackfail="$unpackfail${l#*:}
" ;;
	*"Unpacking initramfs"* | *"Trying to unpack rootfs"*) unpacked=1 ;;
	*[Aa][Cc][Pp][Ii]\ *[Ee][Rr][Rr][Oo][Rr]* | *[Aa][Cc][Pp][Ii]\ *[Ww][Aa][Rr][Nn][Ii][Nn][Gg]* | *"IRQ for PCI INT"*)
		acpi="$acpi${l#*:}
" ;;
	*BUG:* | *WARNING:* | *Oops* | *"Kernel panic"*) trace="$trace${l#*:}
" ;;
	*"segfault at"* | *"traps: "*) userfault="$userfault${l#*:}
" ;;
	esac
done
unset IFS

# (b) the initrd was found and unpacked
if [ "$unpacked" = 1 ] && [ -z "$unpackfail" ]; then
	ok "initramfs unpacked"
elif [ -n "$unpackfail" ]; then
	notok "initramfs unpacked" "the kernel says:"
	diag "$unpackfail"
else
	notok "initramfs unpacked" "dmesg does not say it unpacked the initramfs"
fi

# (c) no ACPI error or warning, every PCI interrupt routed
if [ -z "$acpi" ]; then
	ok "no ACPI errors or warnings, PCI interrupts routed"
else
	notok "no ACPI errors or warnings, PCI interrupts routed" "dmesg:"
	diag "$acpi"
fi

# (g) no kernel warning, BUG or oops, and the kernel is not tainted (but for what clearcpuid= does)
if [ -n "$taint" ] && [ -z "$trace" ] && [ $((taint & ~taint_ok)) = 0 ]; then
	ok "no kernel warnings or oopses (tainted=$taint)"
else
	notok "no kernel warnings or oopses" "tainted=${taint:-unreadable} (see Documentation/admin-guide/tainted-kernels.rst)"
	diag "$trace"
fi

# (h) no process was killed by a fault: a system call, a page fault or an FPU state the host's
# workarounds (SYSCALL, fwait) got wrong shows as "segfault at" or "traps:" in the kernel's log
if [ -z "$userfault" ]; then
	ok "no process killed by a fault"
else
	notok "no process killed by a fault" "dmesg:"
	diag "$userfault"
	# with print-fatal-signals=1 the kernel also logged each one's registers (FS base included)
	diag "$(grep -E 'potentially unexpected fatal signal|^\[[ 0-9.]+\] (RIP|RSP|RAX|RDX|RBP|R10|R13|FS|CS):' /tmp/dmesg)"
fi

finish
