/* User program "sys": exercises one system call per mode (progs.h) and reports what it saw on fd 1. */
#include "guest/lib/ticks.h"
#include "guest/user/lib/ulib.h"
#include "guest/user/progs.h"

#define MS 1000000ull
#define PAGE 4096ul
#define KERNEL_ADDR 0xffffffff80100000ul
#define UNMAPPED_ADDR 0x300000ul		/* below the image: never mapped */

static const char greeting[] = "hello from user mode\n";
static int initialised = 0x5eed;
static long zeroed[64];

static long raw_syscall(long nr)
{
	return syscall3(nr, 0, 0, 0);
}

static int t_write(void)
{
	long n = u_write(1, greeting, sizeof(greeting) - 1);

	if (n != (long)sizeof(greeting) - 1)
		return 1;
	return u_write(7, greeting, 1) == -EBADF ? 0 : 2;
}

static int t_getpid(void)
{
	long a = u_getpid(), b = u_getpid();

	u_printf("pid=%ld", a);
	return a > 0 && a == b ? 0 : 1;
}

/* Wait at the start line (so that every yielder is there), then yield 20 times. */
static int t_yield(void)
{
	u_wait_go();
	for (int i = 0; i < 20; i++)
		if (u_yield() != 0)
			return 1;
	return 0;
}

/*
 * CLOCK_MONOTONIC never goes back, and agrees with the TSC over 50 ms of spinning: each clock read
 * is bracketed by two TSC reads, so the clock's interval lies between the TSC's inner and outer
 * intervals (within 1 us of rounding), however long the host keeps the vCPU away in between.
 */
static int t_clock(void)
{
	long hz = u_clock(CLOCK_TSC_HZ), prev = u_clock(CLOCK_MONOTONIC), c0, c1;
	uint64_t a0, b0, a1, b1, inner, outer;

	if (hz <= 0 || prev < 0 || u_clock(99) != -EINVAL)
		return 1;
	for (int i = 0; i < 50; i++) {
		long now = u_clock(CLOCK_MONOTONIC);

		if (now < prev)
			return 2;
		prev = now;
	}
	a0 = u_rdtsc();
	c0 = u_clock(CLOCK_MONOTONIC);
	b0 = u_rdtsc();
	while (u_rdtsc() - b0 < (uint64_t)hz / 20)
		;
	a1 = u_rdtsc();
	c1 = u_clock(CLOCK_MONOTONIC);
	b1 = u_rdtsc();
	inner = ticks_to_ns(a1 - b0, (uint64_t)hz);
	outer = ticks_to_ns(b1 - a0, (uint64_t)hz);
	u_printf("tsc %ld Hz; CLOCK_MONOTONIC moved %ld us, the TSC around it %lu to %lu us", hz, (c1 - c0) / 1000,
		 inner / 1000, outer / 1000);
	return (uint64_t)(c1 - c0) + 1000 >= inner && (uint64_t)(c1 - c0) <= outer + 1000 ? 0 : 3;
}

static int t_sleep(void)
{
	long c0 = u_clock(CLOCK_MONOTONIC), c1;

	if (u_sleep_ns(30 * MS) != 0)
		return 1;
	c1 = u_clock(CLOCK_MONOTONIC);
	u_printf("sleep(30 ms) took %ld us", (c1 - c0) / 1000);
	if (u_sleep_ns(20000000000ull) != -EINVAL)
		return 2;
	return c1 - c0 >= 30 * (long)MS ? 0 : 3;
}

static int t_bad_number(void)
{
	static const long bad[] = { SYS_COUNT, 9999, -1, 1l << 40 };
	int fails = 0;

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		fails += raw_syscall(bad[i]) != -ENOSYS;
	return fails;
}

/* Each bad buffer gets -EFAULT (or -EINVAL for an absurd length); bit i set when case i did not. */
static int t_bad_pointer(void)
{
	struct task_info ti;
	int fails = 0;

	fails |= (u_write(1, (void *)KERNEL_ADDR, 8) != -EFAULT) << 0;
	fails |= (u_write(1, (void *)0, 8) != -EFAULT) << 1;
	fails |= (u_write(1, (void *)UNMAPPED_ADDR, 8) != -EFAULT) << 2;
	fails |= (u_write(1, (void *)0x7ffffffffff0ul, 0x20) != -EFAULT) << 3;	/* crosses the top */
	fails |= (u_write(1, greeting, 1ul << 62) != -EINVAL) << 4;
	fails |= (u_taskinfo((void *)KERNEL_ADDR) != -EFAULT) << 5;
	fails |= (u_taskinfo((void *)0x400000) != -EFAULT) << 6;	/* its own text: read-only */
	fails |= (u_taskinfo(&ti) != 0) << 7;
	return fails;
}

static int t_mmap(void)
{
	struct task_info before, after;
	long p = u_mmap(16 * PAGE, PROT_READ | PROT_WRITE);
	volatile long *w;

	if (p < 0x40000000l || p >= 0x80000000l || (p & (PAGE - 1)))
		return 1;
	u_taskinfo(&before);
	for (unsigned long i = 0; i < 16; i++) {
		w = (volatile long *)(p + i * PAGE);
		if (*w != 0)
			return 2;
		*w = (long)i + 1;
	}
	for (unsigned long i = 0; i < 16; i++)
		if (*(volatile long *)(p + i * PAGE) != (long)i + 1)
			return 3;
	u_taskinfo(&after);
	u_printf("mmap at %#lx: %lu demand faults for 16 pages", p, after.demand_faults - before.demand_faults);
	return after.demand_faults - before.demand_faults == 16 ? 0 : 4;
}

static int t_munmap(void)
{
	long p = u_mmap(4 * PAGE, PROT_READ | PROT_WRITE);

	if (p < 0)
		return 1;
	for (int i = 0; i < 4; i++)
		*(volatile long *)(p + i * PAGE) = i;
	if (u_munmap((void *)(p + PAGE), PAGE) != 0 || u_munmap((void *)(p + 1), PAGE) != -EINVAL)
		return 2;
	if (*(volatile long *)p != 0 || *(volatile long *)(p + 2 * PAGE) != 2)
		return 3;
	u_printf("hole at %#lx", p + PAGE);
	return (int)*(volatile long *)(p + PAGE) + 100;	/* faults: the task dies here */
}

static int t_mmap_bad(void)
{
	int fails = 0;

	fails |= (u_mmap(0, PROT_READ) != -EINVAL) << 0;
	fails |= (u_mmap(1ul << 40, PROT_READ) != -EINVAL) << 1;
	fails |= (u_mmap(PAGE, 0x10) != -EINVAL) << 2;
	fails |= (u_munmap((void *)0x400000, PAGE) != -EINVAL) << 3;
	fails |= (u_munmap((void *)0x40000000, 0) != -EINVAL) << 4;
	return fails;
}

static int t_elf(void)
{
	for (unsigned int i = 0; i < sizeof(zeroed) / sizeof(zeroed[0]); i++)
		if (zeroed[i])
			return 1;
	if (initialised != 0x5eed || greeting[0] != 'h')
		return 2;
	initialised = (int)u_getpid();		/* a write to .data: the next instance must not see it */
	zeroed[0] = 1;
	return 0;
}

/* Same address, other tasks running in between: each must keep seeing its own value. */
static int t_isolate(void)
{
	long pid = u_getpid();

	if (t_elf())
		return 1;
	initialised = (int)pid;
	for (int i = 0; i < 10; i++) {
		u_yield();
		if (initialised != (int)pid)
			return 2;
	}
	return 0;
}

int main(uint64_t mode, uint64_t a1, uint64_t a2)
{
	(void)a2;
	switch (mode) {
	case SYS_T_WRITE:
		return t_write();
	case SYS_T_GETPID:
		return t_getpid();
	case SYS_T_YIELD:
		return t_yield();
	case SYS_T_CLOCK:
		return t_clock();
	case SYS_T_SLEEP:
		return t_sleep();
	case SYS_T_BAD_NUMBER:
		return t_bad_number();
	case SYS_T_BAD_POINTER:
		return t_bad_pointer();
	case SYS_T_EXIT:
		u_exit((int)a1);
	case SYS_T_MMAP:
		return t_mmap();
	case SYS_T_MUNMAP:
		return t_munmap();
	case SYS_T_MMAP_BAD:
		return t_mmap_bad();
	case SYS_T_ELF:
		return t_elf();
	case SYS_T_ISOLATE:
		return t_isolate();
	default:
		return 127;
	}
}
