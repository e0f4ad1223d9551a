/* System call checks: each call from a user task, bad numbers and pointers, registers, and nothing leaking. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/pte.h"
#include "guest/arch/x86/umode.h"
#include "guest/kernel/check_util.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/time.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"
#include "guest/user/progs.h"

#define YIELDERS 2
#define EXIT_CODE 42

/* Run "sys" in @mode on the last CPU and expect exit 0. */
static enum check_status sys_mode(struct check_ctx *ctx, uint64_t mode)
{
	return expect_exit(ctx, run_task(ctx, "sys", last_cpu(), mode, 0, 0, 0), 0);
}

/* The boot probe found a way into ring 0 for syscalls, and user syscalls do go that way. */
enum check_status check_syscall_entry_mode(struct check_ctx *ctx)
{
	const struct umode_result *r = &umode_result;
	uint64_t trapped = umode_trapped_syscalls, total = syscall_count;
	struct task *t;

	check_note(ctx, "syscall: %s; return: %s", r->syscall_native ? "native" : r->syscall_trapped ?
		   "lands in ring 3, completed by the #PF handler" : "broken", sysret_enabled ? "sysretq" : "iretq");
	if (!r->syscall_native && !r->syscall_trapped)
		return check_fail(ctx, "no way for syscalls to reach the kernel");
	t = run_task(ctx, "sys", last_cpu(), SYS_T_GETPID, 0, 0, 0);
	if (expect_exit(ctx, t, 0) != CHECK_PASS)
		return CHECK_FAIL;
	if (syscall_count == total || (r->syscall_trapped && umode_trapped_syscalls == trapped))
		return check_fail(ctx, "the task's syscalls did not come the way the probe said");
	return CHECK_PASS;
}

/* write(1) lands in the task's output; a bad fd gets -EBADF. */
enum check_status check_syscall_write(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_WRITE, 0, 0, 0);

	if (t && strcmp(t->out, "hello from user mode\n")) {
		task_reap(t);
		return check_fail(ctx, "the output is \"%s\"", t->out);
	}
	return expect_exit(ctx, t, 0);
}

/* getpid() returns the pid the kernel gave the task, the same each time. */
enum check_status check_syscall_getpid(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_GETPID, 0, 0, 0);
	char want[32];

	if (!t)
		return CHECK_FAIL;
	snprintf(want, sizeof(want), "pid=%d", t->pid);
	if (strcmp(t->out, want)) {
		task_reap(t);
		return check_fail(ctx, "the task says \"%s\", want \"%s\"", t->out, want);
	}
	return expect_exit(ctx, t, 0);
}

/* Two tasks on one CPU, started together, yield 20 times each: every yield returns 0 and hands the CPU over. */
enum check_status check_syscall_yield(struct check_ctx *ctx)
{
	struct task *t[YIELDERS];
	enum check_status st = CHECK_PASS;

	if (!go_close(ctx) || !spawn_n(ctx, t, YIELDERS, "sys", last_cpu(), SYS_T_YIELD, 0, 0, 0))
		return CHECK_FAIL;
	go_open(rdtsc(), rdtsc() + 1);
	wait_n(ctx, t, YIELDERS);
	for (unsigned int i = 0; i < YIELDERS; i++) {
		check_note(ctx, "pid %d: %lu slices", t[i]->pid, t[i]->slices);
		if (t[i]->slices < 10)
			st = check_fail(ctx, "pid %d ran in only %lu slices for 20 yields", t[i]->pid, t[i]->slices);
	}
	for (unsigned int i = 0; i < YIELDERS; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}

/* CLOCK_MONOTONIC never goes back and agrees with the TSC; CLOCK_TSC_HZ is the rate; others -EINVAL. */
enum check_status check_syscall_clock(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_CLOCK, 0, 0, 0);

	if (t)
		check_note(ctx, "%s (bound: between them, 1 us of rounding either way)", t->out);
	return expect_exit(ctx, t, 0);
}

/* sleep(30 ms) returns 0 after at least 30 ms; 20 s is refused with -EINVAL. */
enum check_status check_syscall_sleep(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_SLEEP, 0, 0, 0);

	if (t)
		check_note(ctx, "%s", t->out);
	return expect_exit(ctx, t, 0);
}

/* mmap(64 KiB): page-aligned, in the mmap area, zero-filled, one demand fault per page touched. */
enum check_status check_syscall_mmap(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_MMAP, 0, 0, 0);

	if (t)
		check_note(ctx, "%s", t->out);
	return expect_exit(ctx, t, 0);
}

/* munmap of a page in the middle: the rest stays, touching the hole kills the task (not present). */
enum check_status check_syscall_munmap(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_MUNMAP, 0, 0, 0);
	const char *at;

	if (!t)
		return CHECK_FAIL;
	at = strstr(t->out, "hole at ");
	if (!at) {
		check_note(ctx, "the task said \"%s\" and exited with %d", t->out, t->exit_code);
		task_reap(t);
		return check_fail(ctx, "it did not get as far as the hole");
	}
	return expect_killed(ctx, t, 14, PF_ERR_U, strtoul(at + 8, NULL, 16));
}

/* mmap and munmap refuse zero, huge and odd arguments, and the program image. */
enum check_status check_syscall_mmap_bad_args(struct check_ctx *ctx)
{
	return sys_mode(ctx, SYS_T_MMAP_BAD);
}

/* Unknown syscall numbers (SYS_COUNT, 9999, -1, 2^40) get -ENOSYS. */
enum check_status check_syscall_bad_number(struct check_ctx *ctx)
{
	uint64_t before = syscall_enosys;
	enum check_status st = sys_mode(ctx, SYS_T_BAD_NUMBER);

	if (st == CHECK_PASS && syscall_enosys - before != 4)
		return check_fail(ctx, "the kernel counted %lu -ENOSYS, want 4", syscall_enosys - before);
	return st;
}

/* Kernel, NULL, unmapped, top-crossing and read-only buffers get -EFAULT; the kernel is unharmed. */
enum check_status check_syscall_bad_pointer(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "sys", last_cpu(), SYS_T_BAD_POINTER, 0, 0, 0);

	if (t && t->exit_code && !t->killed)
		check_note(ctx, "cases that were not refused (bits): %#x", t->exit_code);
	return expect_exit(ctx, t, 0);
}

/* Every register but RAX, RCX and R11 is the same after a syscall. */
enum check_status check_syscall_regs_preserved(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "regs", last_cpu(), REGS_T_SYSCALL, 0, 0, 0);

	if (t && t->exit_code && !t->killed)
		check_note(ctx, "register %d of rax rbx rcx rdx rsi rdi rbp r8-r15 changed", t->exit_code - 1);
	return expect_exit(ctx, t, 0);
}

/* exit(42) is what the spawner sees. */
enum check_status check_syscall_exit_code(struct check_ctx *ctx)
{
	return expect_exit(ctx, run_task(ctx, "sys", last_cpu(), SYS_T_EXIT, EXIT_CODE, 0, 0), EXIT_CODE);
}

/* After tasks that exit, fault and abuse syscalls, every frame is back and no task is left. */
enum check_status check_syscall_no_leaks(struct check_ctx *ctx)
{
	static const uint64_t modes[] = { SYS_T_MMAP, SYS_T_MUNMAP, SYS_T_BAD_POINTER, SYS_T_WRITE };
	uint64_t before = frame_free_count();

	for (unsigned int i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct task *t = run_task(ctx, "sys", last_cpu(), modes[i], 0, 0, 0);

		if (!t)
			return CHECK_FAIL;
		task_reap(t);
	}
	check_note(ctx, "free frames: %lu before, %lu after; tasks alive: %u", before, frame_free_count(),
		   task_count_alive());
	if (frame_free_count() != before || task_count_alive())
		return check_fail(ctx, "something was not given back");
	return CHECK_PASS;
}
