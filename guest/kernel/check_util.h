/* Helpers the checks share: running user programs and judging how they ended. */
#ifndef KEEL_GUEST_KERNEL_CHECK_UTIL_H
#define KEEL_GUEST_KERNEL_CHECK_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/kernel/tap.h"
#include "guest/kernel/task.h"

#define TASK_TIMEOUT_MS 10000		/* how long any check waits for its tasks */
#define ANY ~0ull			/* for expect_killed: do not compare this field */

/* Spawn @n tasks of @prog, task i on CPU @cpu_of(i) (or @cpu when @cpu_of is NULL), same arguments. */
bool spawn_n(struct check_ctx *ctx, struct task **out, unsigned int n, const char *prog, unsigned int cpu,
	     uint64_t a0, uint64_t a1, uint64_t a2, uint32_t caps);

/* Wait for them (TASK_TIMEOUT_MS); false (noted) when some had to be killed. */
bool wait_n(struct check_ctx *ctx, struct task **t, unsigned int n);

/* Reap them all. */
void reap_n(struct task **t, unsigned int n);

/* Spawn one, wait for it: the dead task (reap it), or NULL (noted). */
struct task *run_task(struct check_ctx *ctx, const char *prog, unsigned int cpu, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint32_t caps);

/* Did @t exit with @code (not killed)? Notes its output at verbose=1. Reaps @t. */
enum check_status expect_exit(struct check_ctx *ctx, struct task *t, int code);

/* Was @t killed by @vector with error code @err and CR2 @cr2 (ANY: not compared)? Reaps @t. */
enum check_status expect_killed(struct check_ctx *ctx, struct task *t, uint64_t vector, uint64_t err,
				uint64_t cr2);

/* Close the start line (GO_KEY's page, created if need be): do this before starting the tasks. */
bool go_close(struct check_ctx *ctx);

/* Open it: the window is [start, end) in TSC ticks. */
void go_open(uint64_t start, uint64_t end);

#define GO_EVERY_CPU (~0u)
#define GO_WAIT_MS 10000		/* the longest a window waits for its ticks */

/*
 * Open it at @start with no end, wait (interrupts on, this CPU free for the tasks) until CPU @cpu
 * (every online CPU: GO_EVERY_CPU) has taken @ticks timer interrupts since @start, then close it
 * there: a window measured in the CPU time the host gave, not in wall-clock time. False (noted)
 * when the ticks did not come within GO_WAIT_MS; the window is closed then too. *@end: its end.
 */
bool go_run_ticks(struct check_ctx *ctx, uint64_t start, unsigned int cpu, uint64_t ticks, uint64_t *end);

/* The CPU index of the @i-th online CPU, wrapping around. */
unsigned int nth_cpu(unsigned int i);

/* The last online CPU (the BSP with one CPU): where single-CPU scheduling checks run. */
unsigned int last_cpu(void);

#endif
