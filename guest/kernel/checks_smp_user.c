/* SMP checks beyond bring-up: each CPU's own tables, user tasks on every CPU, counters under locks. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/gdt.h"
#include "guest/kernel/check_util.h"
#include "guest/kernel/smp.h"
#include "guest/kernel/syscall.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"
#include "guest/user/progs.h"

#define MAX_SPAWN 64			/* tasks one check starts at most */
#define USER_INCREMENTS 20000
#define KERNEL_INCREMENTS 200
#define SHM_KEY 0
#define KERNEL_COUNTER 1

struct shared_counter {
	volatile uint32_t lock;
	volatile uint64_t value;
};

/* Each CPU loaded a GDT and TSS of its own: sgdt and str as each CPU saw them, the TSS stacks apart. */
enum check_status check_smp_per_cpu_tables(struct check_ctx *ctx)
{
	unsigned int n = smp_online_count();

	for (unsigned int k = 0; k < n; k++) {
		const struct cpu *c = &cpus[smp_online_cpu(k)];

		if (c->gdt_base != (uint64_t)(uintptr_t)c->tables.gdt || c->tr != TSS_SEL)
			return check_fail(ctx, "cpu %u: GDT at %#lx, TR %#x; want its own at %p, TR %#x", c->index,
					  c->gdt_base, c->tr, (const void *)c->tables.gdt, TSS_SEL);
		if (c->tables.tss.rsp[0] != c->entry_stack_top || c->tables.tss.ist[0] != c->ist_top[0])
			return check_fail(ctx, "cpu %u: the TSS does not hold its own stacks", c->index);
		for (unsigned int j = 0; j < k; j++) {
			const struct cpu *o = &cpus[smp_online_cpu(j)];

			if (o->gdt_base == c->gdt_base || o->entry_stack_top == c->entry_stack_top ||
			    o->ist_top[1] == c->ist_top[1])
				return check_fail(ctx, "cpus %u and %u share a GDT or a stack", o->index, c->index);
		}
	}
	check_note(ctx, "%u cpus, each with its own GDT, TSS, entry stack and IST stacks", n);
	return CHECK_PASS;
}

/* One task per CPU, each started on it: each says (getcpu) it ran there. */
enum check_status check_smp_every_cpu_runs_user(struct check_ctx *ctx)
{
	struct task *t[MAX_SPAWN];
	unsigned int n = smp_online_count() < MAX_SPAWN ? smp_online_count() : MAX_SPAWN;
	enum check_status st = CHECK_PASS;

	for (unsigned int i = 0; i < n; i++)
		if (!spawn_n(ctx, &t[i], 1, "hello", nth_cpu(i), 0, 0, 0, 0)) {
			wait_n(ctx, t, i);
			reap_n(t, i);
			return CHECK_FAIL;
		}
	wait_n(ctx, t, n);
	for (unsigned int i = 0; i < n; i++) {
		char want[64];

		snprintf(want, sizeof(want), "hello from pid %d on cpu %u", t[i]->pid, nth_cpu(i));
		if (strcmp(t[i]->out, want))
			st = check_fail(ctx, "task %u says \"%s\", want \"%s\"", i, t[i]->out, want);
		if (expect_exit(ctx, t[i], 0) != CHECK_PASS)
			st = CHECK_FAIL;
	}
	if (st == CHECK_PASS)
		check_note(ctx, "%u cpus ran a user task", n);
	return st;
}

/* Start @n counter tasks spread over the CPUs; true when all exited 0. */
static bool run_counters(struct check_ctx *ctx, unsigned int n, uint64_t per_task, uint64_t mode, uint64_t key)
{
	struct task *t[MAX_SPAWN];
	bool ok = true;

	for (unsigned int i = 0; i < n; i++)
		if (!spawn_n(ctx, &t[i], 1, "counter", nth_cpu(i), per_task, mode, key, 0)) {
			wait_n(ctx, t, i);
			reap_n(t, i);
			return false;
		}
	wait_n(ctx, t, n);
	for (unsigned int i = 0; i < n; i++)
		ok &= expect_exit(ctx, t[i], 0) == CHECK_PASS;
	return ok;
}

/* Two tasks per CPU (so also preempted lock holders) increment a shared page's counter under a user spinlock. */
static unsigned int counter_tasks(void)
{
	unsigned int n = 2 * smp_online_count();

	return n < MAX_SPAWN ? n : MAX_SPAWN;
}

enum check_status check_smp_lock_counter_user(struct check_ctx *ctx)
{
	unsigned int n = counter_tasks();
	volatile struct shared_counter *s = syscall_shm_page(SHM_KEY);
	uint64_t got;

	if (s) {
		s->lock = 0;
		s->value = 0;
	}
	if (!run_counters(ctx, n, USER_INCREMENTS, COUNTER_USER_LOCK, SHM_KEY))
		return CHECK_FAIL;
	s = syscall_shm_page(SHM_KEY);
	got = s ? s->value : 0;
	check_note(ctx, "%u tasks on %u cpus x %u increments: %lu", n, smp_online_count(), USER_INCREMENTS, got);
	if (got != (uint64_t)n * USER_INCREMENTS)
		return check_fail(ctx, "want exactly %lu", (uint64_t)n * USER_INCREMENTS);
	return CHECK_PASS;
}

/* The same through SYS_COUNTER_ADD: the kernel's own spinlock, taken from every CPU. */
enum check_status check_smp_lock_counter_kernel(struct check_ctx *ctx)
{
	unsigned int n = counter_tasks();
	uint64_t got;

	syscall_counter_reset(KERNEL_COUNTER);
	if (!run_counters(ctx, n, KERNEL_INCREMENTS, COUNTER_KERNEL, KERNEL_COUNTER))
		return CHECK_FAIL;
	got = syscall_counter(KERNEL_COUNTER);
	check_note(ctx, "%u tasks on %u cpus x %u syscalls: %lu", n, smp_online_count(), KERNEL_INCREMENTS, got);
	if (got != (uint64_t)n * KERNEL_INCREMENTS)
		return check_fail(ctx, "want exactly %lu", (uint64_t)n * KERNEL_INCREMENTS);
	return CHECK_PASS;
}
