/* The user programs' library: system call wrappers (guest/user/abi.h), output, time. */
#ifndef KEEL_GUEST_USER_LIB_ULIB_H
#define KEEL_GUEST_USER_LIB_ULIB_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/user/abi.h"

struct go_page;

int main(uint64_t a0, uint64_t a1, uint64_t a2);

static inline long syscall3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static inline long u_write(int fd, const void *buf, size_t len)
{
	return syscall3(SYS_WRITE, fd, (long)buf, (long)len);
}

static inline __attribute__((noreturn)) void u_exit(int code)
{
	syscall3(SYS_EXIT, code, 0, 0);
	__builtin_unreachable();
}

static inline long u_getpid(void) { return syscall3(SYS_GETPID, 0, 0, 0); }
static inline long u_yield(void) { return syscall3(SYS_YIELD, 0, 0, 0); }
static inline long u_sleep_ns(uint64_t ns) { return syscall3(SYS_SLEEP, (long)ns, 0, 0); }
static inline long u_clock(int clock) { return syscall3(SYS_CLOCK, clock, 0, 0); }
static inline long u_mmap(size_t len, int prot) { return syscall3(SYS_MMAP, (long)len, prot, 0); }
static inline long u_munmap(void *p, size_t len) { return syscall3(SYS_MUNMAP, (long)p, (long)len, 0); }
static inline long u_getcpu(void) { return syscall3(SYS_GETCPU, 0, 0, 0); }
static inline long u_shm(int key) { return syscall3(SYS_SHM, key, 0, 0); }
static inline long u_counter_add(int key, long delta) { return syscall3(SYS_COUNTER_ADD, key, delta, 0); }
static inline long u_taskinfo(struct task_info *ti) { return syscall3(SYS_TASKINFO, (long)ti, 0, 0); }

static inline uint64_t u_rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

/*
 * Wait at the start line (progs.h GO_KEY) until the spawner opens it and its start instant has
 * come. The page, whose end the spawner may move (NULL when there is none: nothing to wait for).
 */
const volatile struct go_page *u_wait_go(void);

/* printf to fd 1 (the task's output, which its spawner reads); returns the write's result. */
long u_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A spinlock in shared memory (xchg), yielding after a while so a preempted holder gets to run. */
void u_lock(volatile uint32_t *l);
void u_unlock(volatile uint32_t *l);

#endif
