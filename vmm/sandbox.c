/* seccomp system-call filters per thread kind (libseccomp), the SIGSYS report, and the self-test knob. */
#include "vmm/sandbox.h"

#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/sigfwd.h"
#include "vmm/term.h"
#include "syscall_names.h"

#include <errno.h>
#include <pthread.h>
#include <linux/filter.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/if_tun.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1	/* si_code of a filter's SIGSYS (linux/include/uapi/asm-generic/siginfo.h) */
#endif

#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SAN 1
#else
#define SANDBOX_SAN 0
#endif

static const char *const sandbox_kind_names[SANDBOX_NKINDS] = {
	[SANDBOX_MAIN] = "main", [SANDBOX_VCPU] = "vcpu", [SANDBOX_IO] = "io",
	[SANDBOX_RENDER] = "render", [SANDBOX_DISPLAY] = "display", [SANDBOX_API] = "api",
};

/* Every thread: memory, locks, signals, time, its own end, and reads and writes on what it holds. */
static const int sb_base[] = {
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(pread64),
	SCMP_SYS(pwrite64), SCMP_SYS(close), SCMP_SYS(lseek), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigaction), SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall),
	SCMP_SYS(exit), SCMP_SYS(exit_group), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
	SCMP_SYS(madvise), SCMP_SYS(mprotect), SCMP_SYS(brk), SCMP_SYS(clock_gettime),
	SCMP_SYS(clock_getres), SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(clock_nanosleep),
	SCMP_SYS(nanosleep), SCMP_SYS(gettid), SCMP_SYS(getpid), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(getrandom), SCMP_SYS(poll), SCMP_SYS(ppoll),
};

/* The main thread: the event loop, console, gdb stub, API commands, screenshots, the VM's end. */
static const int sb_main[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_create1),
	SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(rename),
	SCMP_SYS(renameat), SCMP_SYS(renameat2), SCMP_SYS(ftruncate), SCMP_SYS(fallocate), SCMP_SYS(fsync),
	SCMP_SYS(fdatasync), SCMP_SYS(fcntl), SCMP_SYS(flock), SCMP_SYS(dup), SCMP_SYS(dup2), SCMP_SYS(dup3),
	SCMP_SYS(pipe2), SCMP_SYS(eventfd2), SCMP_SYS(timerfd_create), SCMP_SYS(timerfd_settime),
	SCMP_SYS(timerfd_gettime), SCMP_SYS(signalfd4), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(bind),
	SCMP_SYS(listen), SCMP_SYS(connect), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(shutdown), SCMP_SYS(sendto),
	SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(readlink), SCMP_SYS(readlinkat),
	SCMP_SYS(getcwd), SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2), SCMP_SYS(statx),
	SCMP_SYS(statfs), SCMP_SYS(fstatfs), SCMP_SYS(uname), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(getppid), SCMP_SYS(umask), SCMP_SYS(fchmod),
	SCMP_SYS(getdents64), SCMP_SYS(sysinfo), SCMP_SYS(select), SCMP_SYS(pselect6),
	SCMP_SYS(prlimit64), SCMP_SYS(getrusage), SCMP_SYS(io_uring_enter),
};

/* A vCPU: KVM_RUN and what the exits' handlers do (device registers, eventfds, the console). */
static const int sb_vcpu[] = {
	SCMP_SYS(fsync), SCMP_SYS(fdatasync),
};

/* The I/O thread: the io_uring and what the virtio backends call outside it. */
static const int sb_io[] = {
	SCMP_SYS(io_uring_enter), SCMP_SYS(io_uring_register), SCMP_SYS(eventfd2), SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(connect),
	SCMP_SYS(sendto), SCMP_SYS(recvfrom), SCMP_SYS(sendmsg), SCMP_SYS(recvmsg), SCMP_SYS(shutdown),
	SCMP_SYS(getsockopt), SCMP_SYS(setsockopt), SCMP_SYS(getsockname), SCMP_SYS(getpeername),
	SCMP_SYS(fcntl), SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(fallocate), SCMP_SYS(ftruncate),
};

/*
 * The render thread: virglrenderer and Mesa llvmpipe find and load their drivers, compile
 * shaders with LLVM (executable mappings), keep a shader cache (its directory from the user's
 * passwd entry: NSS may ask nscd on a Unix socket) and start their worker threads (llvmpipe's,
 * Mesa's disk-cache queue, virglrenderer's vrend-sync).
 */
static const int sb_render[] = {
	SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(faccessat2),
	SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(getdents64), SCMP_SYS(statx), SCMP_SYS(statfs),
	SCMP_SYS(fstatfs), SCMP_SYS(fcntl), SCMP_SYS(flock), SCMP_SYS(dup), SCMP_SYS(dup3), SCMP_SYS(pipe2),
	SCMP_SYS(eventfd2), SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(getcwd), SCMP_SYS(getuid),
	SCMP_SYS(geteuid), SCMP_SYS(getgid), SCMP_SYS(getegid), SCMP_SYS(sched_setaffinity),
	SCMP_SYS(sched_getparam), SCMP_SYS(sched_setparam), SCMP_SYS(sched_getscheduler),
	SCMP_SYS(sched_setscheduler), SCMP_SYS(sched_get_priority_min), SCMP_SYS(sched_get_priority_max),
	SCMP_SYS(getpriority), SCMP_SYS(setpriority), SCMP_SYS(memfd_create), SCMP_SYS(ftruncate),
	SCMP_SYS(fallocate), SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(rename), SCMP_SYS(renameat),
	SCMP_SYS(renameat2), SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(utimensat), SCMP_SYS(fsync),
	SCMP_SYS(fdatasync), SCMP_SYS(prlimit64), SCMP_SYS(getrusage), SCMP_SYS(membarrier),
	SCMP_SYS(set_tid_address), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_create1),
	SCMP_SYS(get_mempolicy), SCMP_SYS(mlock), SCMP_SYS(munlock), SCMP_SYS(msync), SCMP_SYS(connect),
};

/* The VNC thread: libvncserver's clients (select, accept, socket I/O, its fd limit) and the input devices' kicks. */
static const int sb_display[] = {
	SCMP_SYS(prlimit64), SCMP_SYS(getrlimit), SCMP_SYS(select), SCMP_SYS(pselect6), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(recvfrom),
	SCMP_SYS(sendto), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
	SCMP_SYS(getpeername), SCMP_SYS(getsockname), SCMP_SYS(shutdown), SCMP_SYS(fcntl),
};

/* The API thread: libmicrohttpd on its Unix socket, the eventfd to the main thread. */
static const int sb_api[] = {
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_create1),
	SCMP_SYS(select), SCMP_SYS(pselect6), SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(recvfrom),
	SCMP_SYS(sendto), SCMP_SYS(recvmsg), SCMP_SYS(sendmsg), SCMP_SYS(setsockopt), SCMP_SYS(getsockopt),
	SCMP_SYS(getpeername), SCMP_SYS(getsockname), SCMP_SYS(shutdown), SCMP_SYS(fcntl), SCMP_SYS(eventfd2),
	SCMP_SYS(pipe2),
};

/*
 * What the sanitizers' runtime calls (SAN=1 builds) when it starts a thread's fake stacks and
 * when it reports: it reads /proc/self/maps, /proc/PID/task and the binary to symbolize, and
 * checks its limits. On x86-64 its internal calls are the old ones (open, stat, getdents), not
 * the *at and 64 forms glibc uses.
 */
static const int sb_san[] = {
	SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(readlink), SCMP_SYS(readlinkat), SCMP_SYS(getdents64),
	SCMP_SYS(getdents), SCMP_SYS(stat), SCMP_SYS(lstat), SCMP_SYS(prctl), SCMP_SYS(prlimit64),
	SCMP_SYS(getrlimit), SCMP_SYS(uname), SCMP_SYS(getppid), SCMP_SYS(access), SCMP_SYS(faccessat),
	SCMP_SYS(statx), SCMP_SYS(sysinfo), SCMP_SYS(dup2), SCMP_SYS(pipe), SCMP_SYS(pipe2),
	SCMP_SYS(arch_prctl),
};

/*
 * LeakSanitizer's check at exit runs on the main thread: a clone (not a thread, with every
 * signal blocked, so a refused call kills it silently and the main thread waits for it
 * forever) that lists /proc/PID/task and ptraces the process's threads to read their
 * registers, waited for with wait4.
 */
static const int sb_san_main[] = {
	SCMP_SYS(clone), SCMP_SYS(ptrace), SCMP_SYS(wait4), SCMP_SYS(kill), SCMP_SYS(tgkill),
};

/* With --reboot restart (SANDBOX_EXEC) the main thread refuses these, and allows the rest. */
static const int sb_deny[] = {
	SCMP_SYS(process_vm_readv), SCMP_SYS(process_vm_writev), SCMP_SYS(mount), SCMP_SYS(umount2),
	SCMP_SYS(pivot_root), SCMP_SYS(chroot), SCMP_SYS(kexec_load), SCMP_SYS(kexec_file_load),
	SCMP_SYS(init_module), SCMP_SYS(finit_module), SCMP_SYS(delete_module), SCMP_SYS(bpf),
	SCMP_SYS(perf_event_open), SCMP_SYS(keyctl), SCMP_SYS(add_key), SCMP_SYS(request_key),
	SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid), SCMP_SYS(setregid), SCMP_SYS(setresuid),
	SCMP_SYS(setresgid), SCMP_SYS(setgroups), SCMP_SYS(setfsuid), SCMP_SYS(setfsgid), SCMP_SYS(capset),
	SCMP_SYS(reboot), SCMP_SYS(swapon), SCMP_SYS(swapoff), SCMP_SYS(unshare), SCMP_SYS(setns),
	SCMP_SYS(userfaultfd), SCMP_SYS(acct), SCMP_SYS(quotactl), SCMP_SYS(syslog), SCMP_SYS(iopl),
	SCMP_SYS(ioperm), SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at), SCMP_SYS(kcmp),
	SCMP_SYS(personality), SCMP_SYS(settimeofday), SCMP_SYS(clock_settime), SCMP_SYS(clock_adjtime),
	SCMP_SYS(adjtimex), SCMP_SYS(sethostname), SCMP_SYS(setdomainname), SCMP_SYS(vhangup),
	SCMP_SYS(fanotify_init), SCMP_SYS(lookup_dcookie),
};

/* ioctl type bytes (bits 8-15 of the request) a kind may use, and single requests. */
#define SB_IOC_KVM	KVMIO	/* KVM's system, VM and vCPU fds */
#define SB_IOC_TTY	0x54u	/* 'T': the terminal (TCGETS, TIOCGWINSZ, FIONREAD, FIONBIO) and the tap */
#define SB_IOC_BLK	0x12u	/* block devices' size (a swapped drive) */
#define SB_IOC_DRM	0x64u	/* 'd': a DRM render node, when Mesa finds one */

#define SB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *sandbox_kind_name(enum sandbox_kind kind)
{
	return (unsigned int)kind < SANDBOX_NKINDS ? sandbox_kind_names[kind] : NULL;
}

static int sb_allow(scmp_filter_ctx ctx, const int *nrs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int ret;

		if (nrs[i] < 0)
			continue;	/* not a system call on this architecture */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nrs[i], 0);
		if (ret < 0 && ret != -EEXIST)
			return ret;
	}
	return 0;
}

/* ioctl requests of the @n type bytes @types, and the @nreq requests @reqs. */
static int sb_ioctls(scmp_filter_ctx ctx, const unsigned int *types, size_t n, const unsigned long *reqs, size_t nreq)
{
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xff00u, (scmp_datum_t)types[i] << 8));
	for (size_t i = 0; i < nreq && ret == 0; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				       SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, (scmp_datum_t)reqs[i]));
	return ret;
}

/* socket() of the @n address families @families only. */
static int sb_sockets(scmp_filter_ctx ctx, const int *families, size_t n)
{
	int ret = 0;

	for (size_t i = 0; i < n && ret == 0; i++)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)families[i]));
	return ret;
}

/* New threads only (CLONE_THREAD); clone3, whose flags a filter cannot read, says ENOSYS and glibc falls back to clone. */
static int sb_threads(scmp_filter_ctx ctx)
{
	int ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				   SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));

	return ret ? ret : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(set_tid_address), 0);
}

/* Rules every kind has beyond its list: signals to its own process (tgkill, rt_sigqueueinfo), its name, clone3's ENOSYS. */
static int sb_common(scmp_filter_ctx ctx)
{
	int ret;

	ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1, SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	if (ret == 0) {	/* the SIGSYS report restores a raw terminal (term_restore_now) in whichever thread it runs */
		static const unsigned long tty[] = { TCGETS, TCSETS };

		ret = sb_ioctls(ctx, NULL, 0, tty, SB_ARRAY_SIZE(tty));
	}
	if (ret == 0)	/* a fault signal sent by another process, forwarded to the signalfd (vmm/sigfwd.h) */
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(rt_sigqueueinfo), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid()));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, PR_SET_NAME));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, PR_GET_NAME));
	if (ret == 0)
		ret = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	if (ret == 0)
		ret = sb_allow(ctx, sb_base, SB_ARRAY_SIZE(sb_base));
	if (ret == 0 && SANDBOX_SAN)
		ret = sb_allow(ctx, sb_san, SB_ARRAY_SIZE(sb_san));
	return ret;
}

static int sb_rules_main(scmp_filter_ctx ctx)
{
	static const unsigned int types[] = { SB_IOC_KVM, SB_IOC_TTY, SB_IOC_BLK };
	static const int families[] = { AF_UNIX, AF_INET, AF_INET6 };
	int ret = sb_allow(ctx, sb_main, SB_ARRAY_SIZE(sb_main));

	if (ret == 0)
		ret = sb_ioctls(ctx, types, SB_ARRAY_SIZE(types), NULL, 0);
	if (ret == 0)
		ret = sb_sockets(ctx, families, SB_ARRAY_SIZE(families));
	if (ret == 0 && SANDBOX_SAN)
		ret = sb_allow(ctx, sb_san_main, SB_ARRAY_SIZE(sb_san_main));
	else if (ret == 0)
		ret = sb_threads(ctx);
	return ret;
}

static int sb_rules_vcpu(scmp_filter_ctx ctx)
{
	static const unsigned int types[] = { SB_IOC_KVM };
	static const unsigned long reqs[] = { TUNSETOFFLOAD };
	int ret = sb_allow(ctx, sb_vcpu, SB_ARRAY_SIZE(sb_vcpu));

	return ret ? ret : sb_ioctls(ctx, types, SB_ARRAY_SIZE(types), reqs, SB_ARRAY_SIZE(reqs));
}

static int sb_rules_io(scmp_filter_ctx ctx)
{
	/* interrupts from the backends' completions; the tap's offloads and link state; FIONREAD */
	static const unsigned long reqs[] = { KVM_IRQ_LINE, KVM_IRQ_LINE_STATUS, KVM_SIGNAL_MSI, KVM_SET_GSI_ROUTING,
					      TUNSETOFFLOAD, SIOCGIFFLAGS, FIONREAD, FIONBIO };
	/* vsock's hybrid backend connects to Unix sockets; the tap's link state asks an AF_INET socket */
	static const int families[] = { AF_UNIX, AF_INET };
	int ret = sb_allow(ctx, sb_io, SB_ARRAY_SIZE(sb_io));

	if (ret == 0)
		ret = sb_ioctls(ctx, NULL, 0, reqs, SB_ARRAY_SIZE(reqs));
	return ret ? ret : sb_sockets(ctx, families, SB_ARRAY_SIZE(families));
}

static int sb_rules_render(scmp_filter_ctx ctx)
{
	static const unsigned int types[] = { SB_IOC_DRM };
	static const unsigned long reqs[] = { FIONREAD, TCGETS };
	static const int families[] = { AF_UNIX };
	int ret = sb_allow(ctx, sb_render, SB_ARRAY_SIZE(sb_render));

	if (ret == 0)
		ret = sb_ioctls(ctx, types, SB_ARRAY_SIZE(types), reqs, SB_ARRAY_SIZE(reqs));
	if (ret == 0)
		ret = sb_sockets(ctx, families, SB_ARRAY_SIZE(families));
	return ret ? ret : sb_threads(ctx);
}

static int sb_rules_display(scmp_filter_ctx ctx)
{
	static const unsigned long reqs[] = { FIONREAD, FIONBIO };
	int ret = sb_allow(ctx, sb_display, SB_ARRAY_SIZE(sb_display));

	return ret ? ret : sb_ioctls(ctx, NULL, 0, reqs, SB_ARRAY_SIZE(reqs));
}

static int sb_rules_api(scmp_filter_ctx ctx)
{
	static const unsigned long reqs[] = { FIONREAD, FIONBIO };
	int ret = sb_allow(ctx, sb_api, SB_ARRAY_SIZE(sb_api));

	if (ret == 0)
		ret = sb_ioctls(ctx, NULL, 0, reqs, SB_ARRAY_SIZE(reqs));
	return ret ? ret : sb_threads(ctx);
}

static int (*const sb_rules[SANDBOX_NKINDS])(scmp_filter_ctx ctx) = {
	[SANDBOX_MAIN] = sb_rules_main, [SANDBOX_VCPU] = sb_rules_vcpu, [SANDBOX_IO] = sb_rules_io,
	[SANDBOX_RENDER] = sb_rules_render, [SANDBOX_DISPLAY] = sb_rules_display, [SANDBOX_API] = sb_rules_api,
};

/* The deny-list of SANDBOX_EXEC: everything else is allowed. */
static int sb_rules_deny(scmp_filter_ctx ctx)
{
	for (size_t i = 0; i < SB_ARRAY_SIZE(sb_deny); i++) {
		int ret;

		if (sb_deny[i] < 0)
			continue;
		ret = seccomp_rule_add(ctx, SCMP_ACT_TRAP, sb_deny[i], 0);
		if (ret < 0)
			return ret;
	}
	if (!SANDBOX_SAN) {
		int ret = seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(ptrace), 0);

		if (ret < 0)
			return ret;
	}
	return seccomp_rule_add(ctx, SCMP_ACT_TRAP, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, AF_PACKET));
}

/* Build @kind's filter into *@out (seccomp_release it). */
static int sb_filter(enum sandbox_kind kind, unsigned int flags, scmp_filter_ctx *out)
{
	bool deny = kind == SANDBOX_MAIN && (flags & SANDBOX_EXEC);
	scmp_filter_ctx ctx;
	int ret;

	if ((unsigned int)kind >= SANDBOX_NKINDS)
		return -EINVAL;
	ctx = seccomp_init(deny ? SCMP_ACT_ALLOW : SCMP_ACT_TRAP);
	if (!ctx)
		return -ENOMEM;
	ret = deny ? sb_rules_deny(ctx) : sb_common(ctx);
	if (ret == 0 && !deny)
		ret = sb_rules[kind](ctx);
	if (ret < 0) {
		seccomp_release(ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

int sandbox_build(enum sandbox_kind kind, unsigned int flags)
{
	scmp_filter_ctx ctx;
	int ret = sb_filter(kind, flags, &ctx);

	if (ret == 0)
		seccomp_release(ctx);
	return ret;
}

/* Append @s to @buf (@len bytes, at *@at), async-signal-safe. */
static void sb_put(char *buf, size_t len, size_t *at, const char *s)
{
	while (*s && *at + 1 < len)
		buf[(*at)++] = *s++;
}

static void sb_put_uint(char *buf, size_t len, size_t *at, unsigned int v)
{
	char digits[12];
	size_t n = sizeof(digits) - 1;

	digits[n] = '\0';
	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v && n);
	sb_put(buf, len, at, digits + n);
}

/*
 * SIGSYS from a filter's SECCOMP_RET_TRAP: si_errno carries the filter's data, the exit status
 * and the kind of the thread that installed it (sb_load writes them into the program). One line
 * with write(2), then _exit: nothing here allocates or locks.
 */
static void sb_sigsys(int sig, siginfo_t *info, void *uctx)
{
	unsigned int nr = (unsigned int)info->si_syscall, kind = (unsigned int)info->si_errno & 0xffu;
	unsigned int status = ((unsigned int)info->si_errno >> 8) & 0xffu;
	int code = status ? (int)status : KEEL_EXIT_SECCOMP;
	const char *name = nr < SB_ARRAY_SIZE(syscall_names) && syscall_names[nr] ? syscall_names[nr] : "unknown";
	const char *kname = kind < SANDBOX_NKINDS ? sandbox_kind_names[kind] : "unknown";
	char line[256];
	size_t at = 0;

	if (info->si_code != SYS_SECCOMP) {
		sigfwd_handler(sig, info, uctx);	/* not a filter's: another process's kill, or a fault */
		return;
	}
	sb_put(line, sizeof(line), &at, "keel: error: system call ");
	sb_put_uint(line, sizeof(line), &at, nr);
	sb_put(line, sizeof(line), &at, " (");
	sb_put(line, sizeof(line), &at, name);
	sb_put(line, sizeof(line), &at, ") is not allowed in the ");
	sb_put(line, sizeof(line), &at, kname);
	sb_put(line, sizeof(line), &at, " thread: stopping (seccomp; --no-seccomp turns the filters off)\n");
	term_restore_now();	/* _exit runs no atexit hook */
	if (write(STDERR_FILENO, line, at) < 0)
		_exit(code);	/* stderr is gone: the status still tells */
	_exit(code);
}

/*
 * Load @ctx on this thread with its traps carrying @kind and @status: libseccomp's program is
 * exported to a memfd, read back, each SECCOMP_RET_TRAP given @status << 8 | @kind as its data
 * (libseccomp's own traps carry none), and loaded with seccomp(2).
 */
static int sb_load(scmp_filter_ctx ctx, enum sandbox_kind kind, unsigned int status)
{
	struct sock_fprog prog;
	struct sock_filter *insns = NULL;
	off_t size;
	int fd, ret;

	fd = memfd_create("keel-seccomp", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = seccomp_export_bpf(ctx, fd);
	if (ret < 0)
		goto out;
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % sizeof(*insns) || size / sizeof(*insns) > BPF_MAXINSNS) {
		ret = -EINVAL;
		goto out;
	}
	insns = malloc((size_t)size);
	if (!insns) {
		ret = -ENOMEM;
		goto out;
	}
	if (pread(fd, insns, (size_t)size, 0) != size) {
		ret = -EIO;
		goto out;
	}
	for (off_t i = 0; i < size / (off_t)sizeof(*insns); i++)
		if (insns[i].code == (BPF_RET | BPF_K) && insns[i].k == SECCOMP_RET_TRAP)
			insns[i].k = SECCOMP_RET_TRAP | (status & 0xffu) << 8 | (uint32_t)kind;
	prog.len = (unsigned short)(size / sizeof(*insns));
	prog.filter = insns;
	ret = 0;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		ret = -errno;
out:
	free(insns);
	close(fd);
	return ret;
}

/* The self-test: one call every kind's filter refuses, when KEEL_SECCOMP_SELFTEST names @kind. */
static void sb_selftest(enum sandbox_kind kind)
{
	const char *want = getenv(SANDBOX_SELFTEST_ENV);
	int fd;

	if (!want || strcmp(want, sandbox_kind_names[kind]) != 0)
		return;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	log_error("%s=%s: socket(AF_PACKET) was not stopped (%d)", SANDBOX_SELFTEST_ENV, want, fd < 0 ? -errno : 0);
	if (fd >= 0)
		close(fd);
}

int sandbox_enter(enum sandbox_kind kind, unsigned int status, unsigned int flags)
{
	scmp_filter_ctx ctx;
	struct sigaction sa;
	int ret;

	if (status == 0)
		return 0;
	if ((unsigned int)kind >= SANDBOX_NKINDS || status > 255)
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sb_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) < 0) {
		ret = -errno;
		log_error("seccomp: cannot handle SIGSYS: %s", strerror(-ret));
		return ret;
	}
	/* a thread that blocks SIGSYS would be killed by the kernel without the handler's line */
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGSYS);
	ret = -pthread_sigmask(SIG_UNBLOCK, &sa.sa_mask, NULL);
	if (ret < 0) {
		log_error("seccomp: cannot unblock SIGSYS: %s", strerror(-ret));
		return ret;
	}
	/* glibc reads /etc/localtime at a thread's first local time (the API's and logs' dates): now, not under the filter */
	tzset();
	/* the re-executed keel of --reboot restart already carries this filter on its main thread */
	if (kind == SANDBOX_MAIN && (flags & SANDBOX_EXEC) && getenv(SANDBOX_INHERITED_ENV))
		goto selftest;
	ret = sb_filter(kind, flags, &ctx);
	if (ret == 0) {
		ret = sb_load(ctx, kind, status);
		seccomp_release(ctx);
	}
	if (ret < 0) {
		log_error("seccomp: cannot install the %s thread's filter: %s", sandbox_kind_names[kind], strerror(-ret));
		return ret;
	}
selftest:
	sb_selftest(kind);
	return 0;
}
