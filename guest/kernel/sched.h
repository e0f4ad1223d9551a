/* The scheduler: per-CPU run queues, round robin on the timer tick, switching by swapping register frames. */
#ifndef KEEL_GUEST_KERNEL_SCHED_H
#define KEEL_GUEST_KERNEL_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/percpu.h"
#include "guest/kernel/task.h"
#include "guest/lib/spinlock.h"

#define RQ_MAX 32			/* tasks per CPU */
#define SCHED_TRACE_MAX 128

struct sched_cpu {
	struct spinlock lock;		/* rq, n; another CPU takes it to add a task */
	struct task *rq[RQ_MAX];	/* in round-robin order */
	unsigned int n;
	struct task *current;
	struct task idle;		/* this CPU's idle context */
	uint64_t idle_stack_top;
	bool ticking;			/* its periodic tick is running (off while idle with nothing queued) */
	uint32_t tracing;		/* record the pid of every task switched to */
	uint32_t ntrace;
	int trace[SCHED_TRACE_MAX];	/* pids switched to */
	uint64_t trace_tsc[SCHED_TRACE_MAX];
};

/* The BSP: its sched_cpu, the main thread (pid 0, the caller) as its current task, an idle stack. */
void sched_init_bsp(void);

/* An AP (on itself, at the end of its start-up): become idle, its tick off until work comes. Never returns. */
__attribute__((noreturn)) void sched_run_ap(void);

/* The run queue of @cpu. */
struct sched_cpu *sched_cpu(unsigned int cpu);

/* Put a new task on its CPU's run queue; that CPU is told by IPI. False when the queue is full. */
bool sched_enqueue(struct task *t);

/* Called from the timer interrupt: wake sleepers, and preempt a user task whose slice is over. */
void sched_tick(struct trap_frame *f);

/* Called from the reschedule IPI and after a blocking syscall: pick what runs next. */
void sched_switch(struct trap_frame *f);

/*
 * Put the current task @t to sleep for @ns and switch away. It wakes at the first scheduling point
 * after the deadline; t->sleep_ticks_over keeps the most ticks of its CPU that any of its sleeps
 * took beyond those the deadline needs (a measure of lateness that a host taking the vCPU away
 * does not inflate: no ticks come while the vCPU does not run).
 */
void sched_sleep(struct trap_frame *f, struct task *t, uint64_t ns);

/* Remove @t from its run queue (its CPU's; lock taken here). */
void sched_remove(struct task *t);

/*
 * The main thread waits, interrupts on, letting this CPU run other tasks, until @done(@arg) or
 * @timeout_ns has passed. @done runs in interrupt context: keep it short. True when done.
 */
bool sched_wait(bool (*done)(const void *arg), const void *arg, uint64_t timeout_ns);

/*
 * Spin with interrupts on (no hlt, nothing else scheduled) until @done(@arg) or @timeout_ns: for
 * events only an interrupt brings, when the tick itself is what is being tested. True when done.
 */
bool sched_spin_irqs_on(bool (*done)(const void *arg), const void *arg, uint64_t timeout_ns);

/* A condition that is never true, for plain waits. */
bool sched_never(const void *arg);

/* Tell CPU @cpu (by IPI, or directly when it is this one) to look at its run queue. */
void sched_kick(unsigned int cpu);

/* Start and stop recording the switches of @cpu (sched_cpu(cpu)->trace). */
void sched_trace(unsigned int cpu, bool on);

#endif
