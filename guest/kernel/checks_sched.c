/* Scheduling checks: strict round robin, fair shares on every CPU, registers across preemption, sleep timing. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/cpu.h"
#include "guest/kernel/check_util.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/smp.h"
#include "guest/kernel/time.h"
#include "guest/lib/string.h"
#include "guest/user/progs.h"

#define MS 1000000ul
/* Windows are counted in ticks of the CPUs under test (SCHED_HZ), so a host that takes them away only stretches them. */
#define RR_TASKS 4
#define RR_WINDOW_TICKS 30
#define FAIR_TASKS 4
#define FAIR_MAX_TASKS 64
#define FAIR_WINDOW_TICKS 40
#define EVERY_CPU_WINDOW_TICKS 30
#define GO_DELAY_MS 20			/* the window opens this long after the last task started */
#define FAIR_LOW_PCT 25			/* each task's work against the mean: no starving, no favourite. */
#define FAIR_HIGH_PCT 200		/* (unloaded: within 20 %; the host can take the CPU mid-slice) */
#define REG_TASKS 3
#define REG_UNITS 16			/* 2^20 turns each: about 100 ms of CPU */
#define SLEEP_OVER_MAX_TICKS 1		/* ticks of its own CPU a sleep may take beyond the one it is due at */

static uint64_t count_of(const struct task *t)
{
	const char *p = strstr(t->out, "count=");

	return p ? strtoul(p + 6, NULL, 10) : 0;
}

static bool is_one_of(int pid, struct task *const *t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		if (t[i]->pid == pid)
			return true;
	return false;
}

/*
 * Four CPU-bound tasks on one CPU: while all four are runnable, the CPU goes to them in a fixed
 * cycle (each switch recorded by the scheduler), every task once per round.
 */
enum check_status check_sched_round_robin(struct check_ctx *ctx)
{
	unsigned int cpu = last_cpu(), n = 0;
	uint64_t end;
	int seq[SCHED_TRACE_MAX];
	struct task *t[RR_TASKS];
	const struct sched_cpu *sc;
	enum check_status st = CHECK_PASS;

	if (!go_close(ctx) || !spawn_n(ctx, t, RR_TASKS, "spin", cpu, 0, 0, 0, 0))
		return CHECK_FAIL;
	sched_trace(cpu, true);
	go_run_ticks(ctx, rdtsc(), cpu, RR_WINDOW_TICKS, &end);
	wait_n(ctx, t, RR_TASKS);
	sched_trace(cpu, false);
	sc = sched_cpu(cpu);
	/* Until the window closed: after that tasks start to exit. */
	for (unsigned int i = 0; i < sc->ntrace; i++)
		if (sc->trace_tsc[i] < end && is_one_of(sc->trace[i], t, RR_TASKS))
			seq[n++] = sc->trace[i];
	check_note(ctx, "cpu %u: %u switches among the 4 tasks while all ran", cpu, n);
	if (n < RR_TASKS + 2)
		st = check_fail(ctx, "too few switches to judge (want %u)", RR_TASKS + 2);
	for (unsigned int i = 1; i < n && i < RR_TASKS && st == CHECK_PASS; i++)
		for (unsigned int j = 0; j < i; j++)
			if (seq[i] == seq[j])
				st = check_fail(ctx, "pid %d ran twice in the first round", seq[i]);
	for (unsigned int i = RR_TASKS; i < n && st == CHECK_PASS; i++)
		if (seq[i] != seq[i - RR_TASKS])
			st = check_fail(ctx, "switch %u went to pid %d, the cycle says pid %d", i, seq[i], seq[i - RR_TASKS]);
	for (unsigned int i = 0; i < RR_TASKS; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}

/* Switches to @pid recorded by @sc with a TSC in [from, to). */
static unsigned int slices_in(const struct sched_cpu *sc, int pid, uint64_t from, uint64_t to)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < sc->ntrace; i++)
		n += sc->trace[i] == pid && sc->trace_tsc[i] >= from && sc->trace_tsc[i] < to;
	return n;
}

/*
 * Start @n "spin" tasks, @per_cpu on each CPU (all on the last one when 0), then open the start
 * line: they count until their CPUs have taken @window_ticks ticks (go_run_ticks). The window is
 * returned in *@start, *@end.
 */
static bool spin_tasks(struct check_ctx *ctx, struct task **t, unsigned int n, unsigned int per_cpu,
		       uint64_t window_ticks, uint64_t *start, uint64_t *end)
{
	if (!go_close(ctx))
		return false;
	for (unsigned int i = 0; i < n; i++)
		if (!spawn_n(ctx, &t[i], 1, "spin", per_cpu ? nth_cpu(i / per_cpu) : last_cpu(), 0, 0, 0, 0)) {
			go_open(rdtsc(), rdtsc() + 1);
			wait_n(ctx, t, i);
			reap_n(t, i);
			return false;
		}
	*start = rdtsc() + ns_to_tsc(GO_DELAY_MS * MS);
	go_run_ticks(ctx, *start, per_cpu ? GO_EVERY_CPU : last_cpu(), window_ticks, end);
	return true;
}

/*
 * FAIR_TASKS CPU-bound tasks on one CPU (the others idle, so the host gives it a whole CPU as far as
 * it can) count loop turns over the same FAIR_WINDOW_TICKS of that CPU. Fair means: within the window the scheduler
 * gave them time slices differing by at most one, and each did FAIR_LOW_PCT..FAIR_HIGH_PCT of the
 * mean work (the host may still take the CPU away in the middle of anyone's slice).
 */
enum check_status check_sched_fairness(struct check_ctx *ctx)
{
	unsigned int cpu = last_cpu(), lo = ~0u, hi = 0, slices[FAIR_TASKS];
	struct task *t[FAIR_TASKS];
	enum check_status st = CHECK_PASS;
	uint64_t start, end, sum = 0, pct[FAIR_TASKS];

	sched_trace(cpu, true);
	if (!spin_tasks(ctx, t, FAIR_TASKS, 0, FAIR_WINDOW_TICKS, &start, &end)) {
		sched_trace(cpu, false);
		return CHECK_FAIL;
	}
	wait_n(ctx, t, FAIR_TASKS);
	sched_trace(cpu, false);
	for (unsigned int i = 0; i < FAIR_TASKS; i++) {
		sum += count_of(t[i]);
		slices[i] = slices_in(sched_cpu(cpu), t[i]->pid, start, end);
		lo = slices[i] < lo ? slices[i] : lo;
		hi = slices[i] > hi ? slices[i] : hi;
	}
	for (unsigned int i = 0; i < FAIR_TASKS; i++) {
		pct[i] = sum ? count_of(t[i]) * 100 * FAIR_TASKS / sum : 0;
		if (pct[i] < FAIR_LOW_PCT || pct[i] > FAIR_HIGH_PCT)
			st = check_fail(ctx, "pid %d did %lu%% of the mean work", t[i]->pid, pct[i]);
	}
	check_note(ctx, "cpu %u, %u ticks in %lu ms: slices %u %u %u %u (bound: at most 1 apart); work %lu%% %lu%% "
		   "%lu%% %lu%% of the mean (bound: %u%%..%u%%)", cpu, FAIR_WINDOW_TICKS, tsc_to_ns(end - start) / MS,
		   slices[0], slices[1], slices[2], slices[3],
		   pct[0], pct[1], pct[2], pct[3], FAIR_LOW_PCT, FAIR_HIGH_PCT);
	if (hi - lo > 1 || lo < 2)
		st = check_fail(ctx, "slices in the window are not shared out evenly");
	for (unsigned int i = 0; i < FAIR_TASKS; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}

/* Two CPU-bound tasks on every CPU at once: the timer preempts each of them, on every CPU, and each gets to work. */
enum check_status check_sched_preempt_every_cpu(struct check_ctx *ctx)
{
	unsigned int ncpu = smp_online_count() < FAIR_MAX_TASKS / 2 ? smp_online_count() : FAIR_MAX_TASKS / 2;
	unsigned int n = 2 * ncpu, least = ~0u;
	struct task *t[FAIR_MAX_TASKS];
	enum check_status st = CHECK_PASS;
	uint64_t start, end;

	if (!spin_tasks(ctx, t, n, 2, EVERY_CPU_WINDOW_TICKS, &start, &end))
		return CHECK_FAIL;
	wait_n(ctx, t, n);
	for (unsigned int i = 0; i < n; i++) {
		if (t[i]->preemptions < least)
			least = (unsigned int)t[i]->preemptions;
		if (t[i]->preemptions < 1 || !count_of(t[i]))
			st = check_fail(ctx, "pid %d on cpu %u: %lu preemptions, %lu turns", t[i]->pid, t[i]->cpu,
					t[i]->preemptions, count_of(t[i]));
	}
	check_note(ctx, "%u tasks on %u cpus over %u ticks of each (%lu ms): each preempted at least %u times (bound: 1)",
		   n, ncpu, EVERY_CPU_WINDOW_TICKS, tsc_to_ns(end - start) / MS, least);
	for (unsigned int i = 0; i < n; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}

/* Three tasks on one CPU keep all 15 general registers' patterns through their preemptions. */
enum check_status check_sched_preempt_registers(struct check_ctx *ctx)
{
	struct task *t[REG_TASKS];
	enum check_status st = CHECK_PASS;

	if (!spawn_n(ctx, t, REG_TASKS, "regs", last_cpu(), REGS_T_PREEMPT, REG_UNITS, 0, 0))
		return CHECK_FAIL;
	wait_n(ctx, t, REG_TASKS);
	for (unsigned int i = 0; i < REG_TASKS; i++) {
		check_note(ctx, "pid %d: preempted %lu times, exit %d", t[i]->pid, t[i]->preemptions, t[i]->exit_code);
		if (t[i]->preemptions < 2)
			st = check_fail(ctx, "pid %d was not preempted enough to tell", t[i]->pid);
		if (!t[i]->killed && t[i]->exit_code > 0)
			check_note(ctx, "register %d of rax rbx rcx rdx rsi rdi rbp r8-r15 changed", t[i]->exit_code - 1);
	}
	for (unsigned int i = 0; i < REG_TASKS; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}

/*
 * Sleepers on every CPU (10 ms x 5, 25 ms x 3) never wake early, and wake at the tick they are due
 * at (SLEEP_OVER_MAX_TICKS of slack), counted in ticks of their CPU: a host that takes the vCPU
 * away for a while delays the ticks too, so this holds on a loaded host where a bound in
 * milliseconds would not. How late they were in time is noted, not checked.
 */
enum check_status check_sched_sleep_accuracy(struct check_ctx *ctx)
{
	unsigned int ncpu = smp_online_count() < FAIR_MAX_TASKS / 2 ? smp_online_count() : FAIR_MAX_TASKS / 2;
	struct task *t[FAIR_MAX_TASKS];
	enum check_status st = CHECK_PASS;
	long worst = 0;
	uint64_t worst_over = 0;

	for (unsigned int i = 0; i < 2 * ncpu; i++)
		if (!spawn_n(ctx, &t[i], 1, "sleeper", nth_cpu(i / 2), i % 2 ? 25 : 10, i % 2 ? 3 : 5, 0, 0)) {
			wait_n(ctx, t, i);
			reap_n(t, i);
			return CHECK_FAIL;
		}
	wait_n(ctx, t, 2 * ncpu);
	for (unsigned int i = 0; i < 2 * ncpu; i++) {
		const char *p = strstr(t[i]->out, "late=");
		long late = p ? (long)strtoul(p + 5, NULL, 10) : -1;

		if (late > worst)
			worst = late;
		if (t[i]->sleep_ticks_over > worst_over)
			worst_over = t[i]->sleep_ticks_over;
		if (late < 0)
			st = check_fail(ctx, "pid %d on cpu %u: no report (%s)", t[i]->pid, t[i]->cpu, t[i]->out);
		if (t[i]->sleep_ticks_over > SLEEP_OVER_MAX_TICKS)
			st = check_fail(ctx, "pid %d on cpu %u: a sleep took %lu ticks more than due (bound %u); %s",
					t[i]->pid, t[i]->cpu, t[i]->sleep_ticks_over, SLEEP_OVER_MAX_TICKS, t[i]->out);
	}
	check_note(ctx, "%u sleepers: none early, at most %lu ticks over (bound %u), worst %ld us late in time",
		   2 * ncpu, worst_over, SLEEP_OVER_MAX_TICKS, worst);
	for (unsigned int i = 0; i < 2 * ncpu; i++)
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	return st;
}
