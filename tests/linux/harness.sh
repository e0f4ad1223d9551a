# Shared by the integration tests that boot Debian's kernel (tests/integration/t_linux*.sh): sourced after
# tests/integration/lib.sh, which gives pass, fail, check, keel, $TMP and $LIMIT.
# shellcheck shell=bash
#   KEEL_LINUX_DIR   where `make linux-guest` leaves the kernel and the initramfs (default build/linux,
#                    shared by the plain and the sanitizer build: the download happens once)

LINUX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LINUX_DIR=${KEEL_LINUX_DIR:-$LINUX_ROOT/build/linux}

# Parameters the tests add on kvm_pvm hosts (see the project's HOST.md), not on ordinary KVM. What the
# kernel needs to run there at all (noxsave clearcpuid=308,151,137,145,298, and isolcpus=1 with 2 vCPUs: user
# space on vCPU 0, README "On kvm_pvm hosts") keel appends itself (--host-workarounds auto): the tests
# leave that to keel, so they prove it. They only add
#   nowatchdog   ring-0 work is so slow there that ftrace's boot-time check of its call sites holds a
#                CPU for 100 s and more, which the soft-lockup detector reports as a BUG (taint L).
#   sysctl.kernel.hung_task_timeout_secs=0   and holds ftrace's event_mutex as long, so that the
#                boot's own init task waits 120 s and more for it (init_kprobe_trace): a report of
#                a blocked task, with its stack, in the middle of the boot log.
#   mitigations=off   the speculation mitigations put a return thunk behind every ring-0 `ret` (AMD's
#                SRSO: srso_alias_return_thunk and srso_alias_safe_ret were the three most emulated
#                instructions in a bpftrace sample of a Linux guest on 2026-12-03); the tests' guest
#                runs nothing it must be protected from.
linux_host_params() {
	if [ -d /sys/module/kvm_pvm ]; then echo "nowatchdog sysctl.kernel.hung_task_timeout_secs=0 mitigations=off"; fi
}

# linux_test_cmdline TOKEN : the command line the full boot of t_linux.sh, make bench-linux and make
# profile-linux give Debian's kernel, /init's keeltest.* included (2 vCPUs, 1 GiB):
#   console=ttyS0        the kernel's console and /init's TAP lines on COM1 (keel's stdout)
#   panic=-1             a panic reboots at once (keel exits) instead of hanging until the timeout
#   cryptomgr.notests    the crypto self-tests run in ring 0 and add 10+ minutes on kvm_pvm hosts
#   ipv6.disable=1       IPv6's initialisation costs 60-140 s there, and nothing here uses a network
#   + linux_host_params  what the tests add on kvm_pvm hosts (keel adds its workarounds' own)
# Deliberately not `quiet`: the boot log is what tells a hang from a slow boot.
linux_test_cmdline() {
	local p
	p=$(linux_host_params)
	echo "console=ttyS0 panic=-1 cryptomgr.notests ipv6.disable=1${p:+ $p} keeltest.cpus=2 keeltest.mem=1024 keeltest.token=$1 keeltest.end"
}

# linux_guest : fetch Debian's kernel and busybox and build the initramfs (make linux-guest), once per run.
# Returns 1 after one failed check saying why (no route to Debian's mirror, apt-get missing, ...).
LINUX_GUEST_STATE=${LINUX_GUEST_STATE:-}
linux_guest() {
	case $LINUX_GUEST_STATE in
	ok) return 0 ;;
	failed) echo "# the Linux guest could not be made (the failure above): these checks cannot run"; return 1 ;;
	esac
	# a fresh make: not the outer one's flags (SAN=1, -j, ONLY=...)
	if env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$LINUX_ROOT" --no-print-directory linux-guest \
		LINUX_DIR="$LINUX_DIR" >"$TMP/linux-guest.log" 2>&1; then
		LINUX_GUEST_STATE=ok
		sed -n 's/^fetch\.sh: /# linux guest: /p' "$TMP/linux-guest.log"
		return 0
	fi
	LINUX_GUEST_STATE=failed
	local why
	why=$(grep -E '^(fetch\.sh|mkinitramfs\.py): ' "$TMP/linux-guest.log" | tail -n 1)
	FAILED=$((FAILED + 1))
	echo "not ok - linux/guest: cannot fetch and build the Linux guest (these tests need Debian's package mirror): ${why:-make linux-guest failed}"
	tail -n 5 "$TMP/linux-guest.log" | sed 's/^/  | /'
	return 1
}
