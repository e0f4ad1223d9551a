/* The modes of the user programs: what a check asks each program to do (its first argument). */
#ifndef KEEL_GUEST_USER_PROGS_H
#define KEEL_GUEST_USER_PROGS_H

/* "sys": one system call behaviour per mode; exits 0 when everything it saw was right. */
#define SYS_T_WRITE 1
#define SYS_T_GETPID 2
#define SYS_T_YIELD 3
#define SYS_T_CLOCK 4
#define SYS_T_SLEEP 5
#define SYS_T_BAD_NUMBER 6
#define SYS_T_BAD_POINTER 7
#define SYS_T_EXIT 8			/* exit(a1) */
#define SYS_T_MMAP 9
#define SYS_T_MUNMAP 10			/* ends by touching an unmapped page: killed */
#define SYS_T_MMAP_BAD 11
#define SYS_T_ELF 12			/* data initialised, bss zero, then both written */
#define SYS_T_ISOLATE 13		/* writes its pid to .data, yields, reads it back */

/* "fault": one bad behaviour per mode; all but FAULT_INT3 and FAULT_IO_ALLOWED end in a kill. */
#define FAULT_HLT 1			/* #GP: privileged instruction */
#define FAULT_NULL 2			/* #PF: read address 0 */
#define FAULT_DIVIDE 3			/* #DE */
#define FAULT_UD2 4			/* #UD */
#define FAULT_KERNEL_READ 5		/* #PF: read a kernel page (a1 = the address) */
#define FAULT_WRITE_TEXT 6		/* #PF: write its own text */
#define FAULT_EXEC_STACK 7		/* #PF: execute from its (no-execute) stack */
#define FAULT_INT3 8			/* #BP: int3, then exit(FAULT_INT3_EXIT) */
#define FAULT_IO 9			/* in from port a1: #GP without TASK_CAP_IO, fine with it */
#define FAULT_STACK_OVERFLOW 10		/* recurse into the guard page below its stack */
#define FAULT_INT3_EXIT 33

/*
 * The start line: shared page GO_KEY holds { start, end } TSC values, 0 until the check has started
 * every task of the run. "spin" and the yielders wait for it, so no task gets a head start. The
 * check may open it with end GO_END_OPEN and set the end later (when its CPUs have ticked enough).
 */
#define GO_KEY 3
#ifndef __ASSEMBLER__
struct go_page {
	volatile unsigned long start, end;
};
#endif
#define GO_END_OPEN (~0ul)

/* "regs": register preservation. */
#define REGS_T_SYSCALL 1		/* every register but RAX, RCX, R11 survives a syscall */
#define REGS_T_PREEMPT 2		/* every register survives a1 * 2^20 loop turns of preemption */

/* "device": a0 = physical address of an I/O APIC; reads its version register through SYS_MAP_DEVICE. */

/* "gpufill": a0 = physical address of the scanout resource's backing, a1 = its bytes, a2 = frames; fills it natively, SYS_GPU_FRAME after each. */

/* "counter": a0 = increments, a1 = mode, a2 = key. */
#define COUNTER_USER_LOCK 1		/* shared page a2: spinlock word then counter */
#define COUNTER_KERNEL 2		/* SYS_COUNTER_ADD on kernel counter a2 */

#endif
