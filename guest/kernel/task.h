/* Tasks: user programs in their own address spaces, plus the kernel's main thread and each CPU's idle context. */
#ifndef KEEL_GUEST_KERNEL_TASK_H
#define KEEL_GUEST_KERNEL_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/frame.h"
#include "guest/mm/aspace.h"

#define MAX_TASKS 160
#define TASK_OUT_MAX 200		/* bytes of fd 1 output kept for the spawner */
#define TASK_NAME_MAX 16

enum task_state {
	TASK_FREE,
	TASK_RUNNABLE,			/* in its CPU's run queue, waiting for the CPU */
	TASK_RUNNING,			/* its CPU's current task */
	TASK_SLEEPING,			/* until wake_tsc */
	TASK_WAITING,			/* the main thread: until wait_fn(wait_arg) or wake_tsc */
	TASK_EXITING,			/* out of its run queue, its address space being freed */
	TASK_DEAD,			/* exited or killed; the spawner reads the outcome, then reaps */
};

enum task_kind {
	TASK_USER,
	TASK_KERNEL,			/* the BSP's main thread, which runs the checks */
	TASK_IDLE,			/* a CPU with nothing to do (never in a run queue) */
};

/* Why a user task was killed: the exception and where it happened. */
struct fault_report {
	uint64_t vector, error_code, cr2, rip, cs, rsp, rflags;
};

struct task {
	struct trap_frame frame;	/* its registers while it is not running */
	enum task_state state;
	enum task_kind kind;
	int pid;
	unsigned int cpu;		/* the CPU whose run queue holds it (tasks do not migrate) */
	char name[TASK_NAME_MAX];
	uint32_t caps;			/* TASK_CAP_* */
	struct aspace as;		/* user tasks only */
	uint64_t wake_tsc;
	uint64_t sleep_tick0, sleep_ticks;	/* a sleep: its CPU's timer_ticks at the start, the ticks it needs */
	uint64_t sleep_ticks_over;	/* the worst sleep: ticks taken beyond sleep_ticks + 1 (sched_sleep) */
	bool (*wait_fn)(const void *arg);
	const void *wait_arg;
	uint32_t kill_req;		/* set (atomically) by another CPU: kill it at the next chance */

	int exit_code;
	bool killed;
	struct fault_report fault;	/* when killed by an exception */

	uint64_t slices, preemptions, syscalls;
	uint64_t run_tsc;		/* TSC ticks spent as the current task */
	uint64_t slice_start;		/* TSC when it last became current */
	uint64_t bp_hits;		/* int3 from ring 3: recorded, then the task continues */
	struct fault_report bp;
	uint32_t out_len;
	char out[TASK_OUT_MAX];		/* what it wrote to fd 1 (NUL-terminated) */
};

/*
 * Start user program @program (guest/kernel/programs.c) on CPU @cpu with arguments @a0..@a2 and
 * capabilities @caps. Returns the task, or NULL (the reason printed as a diagnostic into @why).
 */
struct task *task_spawn(const char *program, unsigned int cpu, uint64_t a0, uint64_t a1, uint64_t a2,
			uint32_t caps, const char **why);

/*
 * Wait (the main thread) until every task of @tasks[0..n) is dead, at most @timeout_ms. Tasks still
 * alive then are killed. Returns how many had to be killed.
 */
unsigned int task_wait(struct task *const *tasks, unsigned int n, uint64_t timeout_ms);

/* Free a dead task's slot. */
void task_reap(struct task *t);

/* The calling CPU's current task (a user task, the main thread or the idle context). */
struct task *task_current(void);

/* The current user task ends with @code (SYS_EXIT). @f is the frame to leave through. */
void task_exit_current(struct trap_frame *f, int code);

/* The current user task took exception @f (not handled): kill it with a one-line report. */
void task_fault_current(struct trap_frame *f, uint64_t cr2);

/* Kill the tasks of this CPU that another CPU asked to be killed, the current one included. */
void task_handle_kill_requests(struct trap_frame *f);

/* Append to a task's output buffer (fd 1). */
void task_output(struct task *t, const char *s, uint64_t len);

/* Tasks alive (not free, not dead), for checks. */
unsigned int task_count_alive(void);

#endif
