/* The system call dispatcher and the calls about tasks, time and output. */
#include "guest/kernel/syscall.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/umode.h"
#include "guest/kernel/bench.h"
#include "guest/kernel/console.h"
#include "guest/kernel/errno.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/time.h"
#include "guest/lib/spinlock.h"
#include "guest/lib/string.h"

#define COUNTERS 4

uint64_t syscall_count, syscall_enosys;
static struct spinlock counter_lock;
static uint64_t counters[COUNTERS];

static void sys_exit(struct trap_frame *f, struct task *t)
{
	(void)t;
	task_exit_current(f, (int)f->rdi);
}

static void sys_write(struct trap_frame *f, struct task *t)
{
	uint64_t fd = f->rdi, buf = f->rsi, len = f->rdx;

	if (fd != 1 && fd != 2) {
		f->rax = (uint64_t)-EBADF;
		return;
	}
	if (len > SYSCALL_WRITE_MAX) {
		f->rax = (uint64_t)-EINVAL;
		return;
	}
	if (aspace_check_user(&t->as, buf, len, false)) {
		f->rax = (uint64_t)-EFAULT;
		return;
	}
	/* The task's page tables are loaded and the range is mapped: read it where it is. */
	if (fd == 1)
		task_output(t, (const char *)(uintptr_t)buf, len);
	else
		kprintf("# task %d (%s): %.*s", t->pid, t->name, (int)len, (const char *)(uintptr_t)buf);
	f->rax = len;
}

static void sys_getpid(struct trap_frame *f, struct task *t)
{
	f->rax = (uint64_t)t->pid;
}

static void sys_yield(struct trap_frame *f, struct task *t)
{
	f->rax = 0;
	t->state = TASK_RUNNABLE;
	sched_switch(f);
}

static void sys_sleep(struct trap_frame *f, struct task *t)
{
	uint64_t ns = f->rdi;

	if (ns > SYSCALL_SLEEP_MAX_NS) {
		f->rax = (uint64_t)-EINVAL;
		return;
	}
	f->rax = 0;
	sched_sleep(f, t, ns);
}

static void sys_clock(struct trap_frame *f, struct task *t)
{
	(void)t;
	if (f->rdi == CLOCK_MONOTONIC)
		f->rax = time_now_ns();
	else if (f->rdi == CLOCK_TSC_HZ)
		f->rax = time_info.tsc_hz;
	else
		f->rax = (uint64_t)-EINVAL;
}

static void sys_getcpu(struct trap_frame *f, struct task *t)
{
	f->rax = t->cpu;
}

static void sys_counter_add(struct trap_frame *f, struct task *t)
{
	(void)t;
	if (f->rdi >= COUNTERS) {
		f->rax = (uint64_t)-EINVAL;
		return;
	}
	spin_lock(&counter_lock);
	f->rax = counters[f->rdi] += f->rsi;
	spin_unlock(&counter_lock);
}

static void sys_taskinfo(struct trap_frame *f, struct task *t)
{
	struct task_info info = {
		.pid = (unsigned long)t->pid, .cpu = t->cpu, .slices = t->slices,
		.preemptions = t->preemptions, .syscalls = t->syscalls, .demand_faults = t->as.demand_faults,
	};

	if (aspace_check_user(&t->as, f->rdi, sizeof(info), true)) {
		f->rax = (uint64_t)-EFAULT;
		return;
	}
	memcpy((void *)(uintptr_t)f->rdi, &info, sizeof(info));
	f->rax = 0;
}

uint64_t syscall_counter(unsigned int key)
{
	return key < COUNTERS ? __atomic_load_n(&counters[key], __ATOMIC_ACQUIRE) : 0;
}

void syscall_counter_reset(unsigned int key)
{
	if (key < COUNTERS)
		__atomic_store_n(&counters[key], 0, __ATOMIC_RELEASE);
}

typedef void (*syscall_fn)(struct trap_frame *f, struct task *t);

static const syscall_fn table[SYS_COUNT] = {
	[SYS_EXIT] = sys_exit,
	[SYS_WRITE] = sys_write,
	[SYS_GETPID] = sys_getpid,
	[SYS_YIELD] = sys_yield,
	[SYS_SLEEP] = sys_sleep,
	[SYS_CLOCK] = sys_clock,
	[SYS_MMAP] = sys_mmap,
	[SYS_MUNMAP] = sys_munmap,
	[SYS_GETCPU] = sys_getcpu,
	[SYS_SHM] = sys_shm,
	[SYS_COUNTER_ADD] = sys_counter_add,
	[SYS_TASKINFO] = sys_taskinfo,
	[SYS_MAP_DEVICE] = sys_map_device,
	[SYS_BENCH] = sys_bench,
	[SYS_GPU_FRAME] = sys_gpu_frame,
};

void syscall_entry_c(struct trap_frame *f)
{
	struct task *t;
	uint64_t nr = f->rax;

	if (umode_probe_active && umode_probe_syscall(f))
		return;
	t = task_current();
	t->syscalls++;
	__atomic_add_fetch(&syscall_count, 1, __ATOMIC_RELAXED);
	if (nr >= SYS_COUNT || !table[nr]) {
		__atomic_add_fetch(&syscall_enosys, 1, __ATOMIC_RELAXED);
		f->rax = (uint64_t)-ENOSYS;
	} else {
		table[nr](f, t);
	}
	if (__atomic_load_n(&t->kill_req, __ATOMIC_ACQUIRE))
		task_handle_kill_requests(f);
	/* SYSRET to a non-canonical RIP faults in ring 0 on some CPUs: such a return takes iretq. */
	if (f->vector == VEC_SYSCALL && f->rip >= USER_TOP)
		f->vector = 0;
}
