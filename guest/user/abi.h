/* The user/kernel ABI of the guest: system call numbers, arguments, error numbers, task capabilities. */
#ifndef KEEL_GUEST_USER_ABI_H
#define KEEL_GUEST_USER_ABI_H

/*
 * A user program is a static x86-64 ELF linked at 0x400000 (guest/user/user.ld), embedded in the
 * kernel and loaded into its own address space. It starts at e_entry with RDI, RSI, RDX = the three
 * arguments its spawner gave, RSP = 0x600000 (a 64 KiB demand-paged stack below it), RFLAGS.IF = 1
 * (and IOPL 3 with TASK_CAP_IO). No FS or GS base for it to use.
 *
 * System calls: SYSCALL with RAX = number, arguments in RDI, RSI, RDX, R10, R8, R9; the result comes
 * back in RAX, a negative error number on failure. RCX and R11 are clobbered (SYSCALL's own use),
 * every other register is preserved.
 */
#define SYS_EXIT 0		/* (code): end the task; its spawner sees code */
#define SYS_WRITE 1		/* (fd, buf, len): fd 1 = the task's output, fd 2 = the console */
#define SYS_GETPID 2		/* (): the task's id, > 0 */
#define SYS_YIELD 3		/* (): go to the back of this CPU's run queue */
#define SYS_SLEEP 4		/* (ns): sleep at least ns nanoseconds */
#define SYS_CLOCK 5		/* (clock): CLOCK_MONOTONIC ns since boot, or CLOCK_TSC_HZ */
#define SYS_MMAP 6		/* (len, prot): anonymous, demand-paged memory; its address */
#define SYS_MUNMAP 7		/* (addr, len): unmap whole pages of SYS_MMAP memory */
#define SYS_GETCPU 8		/* (): index of the CPU the task runs on */
#define SYS_SHM 9		/* (key): map shared page key (0..SHM_KEYS-1), the same frame for every task */
#define SYS_COUNTER_ADD 10	/* (key, delta): add to kernel counter key under a kernel spinlock */
#define SYS_TASKINFO 11		/* (struct task_info *): the task's own scheduling statistics */
#define SYS_MAP_DEVICE 12	/* (phys, len): map device memory uncached (TASK_CAP_DEVICE only) */
#define SYS_BENCH 13		/* (op, a, b): the bench program reports, BENCH_OP_* (guest/kernel/bench.c) */
#define SYS_GPU_FRAME 14	/* (): gpu-bench's frame is written: transfer and flush it (TASK_CAP_DEVICE only) */
#define SYS_COUNT 15

/* SYS_BENCH operations: the kernel prints the matching `bench: ` line for the running path. */
#define BENCH_OP_READY 0	/* (): the first operation came back */
#define BENCH_OP_REP 1		/* (rep, cycles): one repetition of the path's iterations */
#define BENCH_OP_UNAVAILABLE 2	/* (reason, len): the path cannot run here */

#define CLOCK_MONOTONIC 0
#define CLOCK_TSC_HZ 1		/* the TSC frequency the kernel calibrated, in Hz */

#define PROT_READ 0x1
#define PROT_WRITE 0x2

#define SHM_KEYS 4

/* Capabilities a spawner grants a task. */
#define TASK_CAP_IO 0x1		/* RFLAGS.IOPL = 3: in, out, cli and sti in ring 3 */
#define TASK_CAP_DEVICE 0x2	/* SYS_MAP_DEVICE */

/* Error numbers (returned negated), the Linux values. */
#define EPERM 1
#define EIO 5
#define EBADF 9
#define ENOMEM 12
#define EFAULT 14
#define EINVAL 22
#define ENOSYS 38

#ifndef __ASSEMBLER__
struct task_info {
	unsigned long pid;
	unsigned long cpu;
	unsigned long slices;		/* times the task was switched to */
	unsigned long preemptions;	/* times the timer took the CPU away from it */
	unsigned long syscalls;
	unsigned long demand_faults;	/* pages faulted in for it */
};
#endif

#endif
