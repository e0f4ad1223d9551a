/* Running user programs for the checks, and comparing how they ended with what was expected. */
#include "guest/kernel/check_util.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/percpu.h"
#include "guest/arch/x86/traps.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/smp.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/time.h"
#include "guest/user/progs.h"

#define MS 1000000ul

bool spawn_n(struct check_ctx *ctx, struct task **out, unsigned int n, const char *prog, unsigned int cpu,
	     uint64_t a0, uint64_t a1, uint64_t a2, uint32_t caps)
{
	for (unsigned int i = 0; i < n; i++) {
		const char *why = "";

		out[i] = task_spawn(prog, cpu, a0, a1, a2, caps, &why);
		if (!out[i]) {
			check_note(ctx, "cannot start %s on cpu %u: %s", prog, cpu, why);
			wait_n(ctx, out, i);
			reap_n(out, i);
			return false;
		}
	}
	return true;
}

bool wait_n(struct check_ctx *ctx, struct task **t, unsigned int n)
{
	unsigned int killed = task_wait(t, n, TASK_TIMEOUT_MS);

	if (killed)
		check_note(ctx, "%u task(s) still running after %u ms were killed", killed, TASK_TIMEOUT_MS);
	return killed == 0;
}

void reap_n(struct task **t, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		task_reap(t[i]);
}

struct task *run_task(struct check_ctx *ctx, const char *prog, unsigned int cpu, uint64_t a0, uint64_t a1,
		      uint64_t a2, uint32_t caps)
{
	struct task *t;

	if (!spawn_n(ctx, &t, 1, prog, cpu, a0, a1, a2, caps))
		return NULL;
	if (!wait_n(ctx, &t, 1)) {
		task_reap(t);
		return NULL;
	}
	return t;
}

enum check_status expect_exit(struct check_ctx *ctx, struct task *t, int code)
{
	enum check_status st = CHECK_PASS;

	if (!t)
		return CHECK_FAIL;
	if (t->out_len)
		check_detail(ctx, "%s says: %s", t->name, t->out);
	if (t->killed)
		st = check_fail(ctx, "%s (pid %d) was killed: %s at rip %#lx", t->name, t->pid,
				exception_name(t->fault.vector), t->fault.rip);
	else if (t->exit_code != code)
		st = check_fail(ctx, "%s (pid %d) exited with %d, want %d", t->name, t->pid, t->exit_code, code);
	task_reap(t);
	return st;
}

enum check_status expect_killed(struct check_ctx *ctx, struct task *t, uint64_t vector, uint64_t err,
				uint64_t cr2)
{
	enum check_status st = CHECK_PASS;
	const struct fault_report *f;

	if (!t)
		return CHECK_FAIL;
	f = &t->fault;
	if (!t->killed)
		st = check_fail(ctx, "%s (pid %d) exited with %d instead of dying of %s", t->name, t->pid,
				t->exit_code, exception_name(vector));
	else if (f->vector != vector || (err != ANY && f->error_code != err) || (cr2 != ANY && f->cr2 != cr2))
		st = check_fail(ctx, "%s (pid %d) died of %s, error %#lx, cr2 %#lx; want %s, error %#lx, cr2 %#lx",
				t->name, t->pid, exception_name(f->vector), f->error_code, f->cr2,
				exception_name(vector), err, cr2);
	else if ((f->cs & 3) != 3)
		st = check_fail(ctx, "the fault frame's CS %#lx is not ring 3", f->cs);
	else
		check_detail(ctx, "%s at rip %#lx, error %#lx, cr2 %#lx", exception_name(f->vector), f->rip,
			     f->error_code, f->cr2);
	task_reap(t);
	return st;
}

unsigned int nth_cpu(unsigned int i)
{
	return smp_online_cpu(i % smp_online_count());
}

unsigned int last_cpu(void)
{
	return smp_online_cpu(smp_online_count() - 1);
}

bool go_close(struct check_ctx *ctx)
{
	volatile struct go_page *go = syscall_shm_get(GO_KEY);

	if (!go) {
		check_note(ctx, "out of memory for the start line");
		return false;
	}
	go->end = 0;
	go->start = 0;
	return true;
}

void go_open(uint64_t start, uint64_t end)
{
	volatile struct go_page *go = syscall_shm_get(GO_KEY);

	go->start = start;
	__atomic_store_n(&go->end, end, __ATOMIC_RELEASE);
}

struct tick_goal {
	unsigned int cpu;		/* or GO_EVERY_CPU */
	uint64_t ticks;
	uint64_t base[GUEST_MAX_CPUS];	/* by CPU index */
};

static bool tsc_passed(const void *tsc)
{
	return rdtsc() >= *(const uint64_t *)tsc;
}

static bool cpu_ticked(const struct tick_goal *g, unsigned int cpu)
{
	return __atomic_load_n(&cpus[cpu].timer_ticks, __ATOMIC_ACQUIRE) - g->base[cpu] >= g->ticks;
}

static bool goal_reached(const void *arg)
{
	const struct tick_goal *g = arg;

	if (g->cpu != GO_EVERY_CPU)
		return cpu_ticked(g, g->cpu);
	for (unsigned int k = 0; k < smp_online_count(); k++)
		if (!cpu_ticked(g, smp_online_cpu(k)))
			return false;
	return true;
}

bool go_run_ticks(struct check_ctx *ctx, uint64_t start, unsigned int cpu, uint64_t ticks, uint64_t *end)
{
	struct tick_goal g;
	volatile struct go_page *go = syscall_shm_get(GO_KEY);
	bool ok;

	g.cpu = cpu;
	g.ticks = ticks;
	go_open(start, GO_END_OPEN);
	sched_wait(tsc_passed, &start, GO_WAIT_MS * MS);
	for (unsigned int k = 0; k < smp_online_count(); k++)
		g.base[smp_online_cpu(k)] = __atomic_load_n(&cpus[smp_online_cpu(k)].timer_ticks, __ATOMIC_ACQUIRE);
	ok = sched_wait(goal_reached, &g, GO_WAIT_MS * MS);
	*end = rdtsc();
	__atomic_store_n(&go->end, *end, __ATOMIC_RELEASE);
	if (!ok)
		check_note(ctx, "the window's %lu ticks did not come within %u ms", ticks, GO_WAIT_MS);
	return ok;
}
