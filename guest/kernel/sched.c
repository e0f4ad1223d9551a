/* Per-CPU run queues and round robin: each switch copies the outgoing frame into its task and the incoming one out. */
#include "guest/kernel/sched.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/vectors.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/console.h"
#include "guest/kernel/time.h"
#include "guest/mm/frame.h"
#include "guest/mm/kmap.h"

#define IDLE_STACK_PAGES 4

extern const char idle_loop[];
__attribute__((noreturn)) void idle_enter(uint64_t stack_top);

_Static_assert(sizeof(struct sched_cpu) <= PAGE_SIZE, "struct sched_cpu must fit in a frame");

/* One frame each, allocated by the CPU's start-up: only online CPUs pay for the memory and its zeroing. */
static struct sched_cpu *sched_cpus[GUEST_MAX_CPUS];
static struct task main_task;

struct sched_cpu *sched_cpu(unsigned int cpu)
{
	return sched_cpus[cpu];
}

static struct sched_cpu *here(void)
{
	return this_cpu()->sched;
}

/* A fresh start of the idle loop on this CPU's idle stack: idle keeps no state between runs. */
static void idle_frame(const struct sched_cpu *sc, struct trap_frame *f)
{
	*f = (struct trap_frame){
		.rip = (uint64_t)(uintptr_t)idle_loop,
		.cs = KERNEL_CS,
		.rflags = RFLAGS_RESERVED,
		.rsp = sc->idle_stack_top,
		.ss = KERNEL_DS,
	};
}

static struct sched_cpu *init_cpu(unsigned int index, uint64_t idle_stack_top)
{
	uint64_t pa = frame_alloc_zeroed();
	struct sched_cpu *sc = phys_to_virt(pa);

	if (!pa) {
		kprintf("guest: cpu %u: out of memory for its run queue\n", index);
		cpu_halt_forever();
	}
	sched_cpus[index] = sc;
	sc->idle = (struct task){ .kind = TASK_IDLE, .pid = -1, .cpu = index, .name = "idle" };
	sc->idle_stack_top = idle_stack_top;
	sc->current = &sc->idle;
	return sc;
}

void sched_init_bsp(void)
{
	struct cpu *c = this_cpu();
	struct sched_cpu *sc = init_cpu(0, kstack_alloc(IDLE_STACK_PAGES));

	main_task = (struct task){ .kind = TASK_KERNEL, .pid = 0, .state = TASK_RUNNING, .name = "main" };
	sc->rq[sc->n++] = &main_task;
	sc->current = &main_task;
	c->sched = sc;
	sc->ticking = true;
	time_start_tick();
}

void sched_run_ap(void)
{
	struct cpu *c = this_cpu();
	struct sched_cpu *sc = init_cpu(c->index, c->boot_stack_top);

	c->sched = sc;			/* no tick until there is work (switch_to starts it) */
	idle_enter(sc->idle_stack_top);
}

static bool ready(struct task *t, uint64_t now)
{
	uint64_t took;

	switch (t->state) {
	case TASK_RUNNABLE:
	case TASK_RUNNING:
		return true;
	case TASK_SLEEPING:
		if (now < t->wake_tsc)
			return false;
		/* A deadline part-way through a tick needs one more: sleep_ticks + 1 is on time. */
		took = this_cpu()->timer_ticks - t->sleep_tick0;
		if (took > t->sleep_ticks + 1 && took - t->sleep_ticks - 1 > t->sleep_ticks_over)
			t->sleep_ticks_over = took - t->sleep_ticks - 1;
		t->state = TASK_RUNNABLE;
		return true;
	case TASK_WAITING:
		if (now < t->wake_tsc && !t->wait_fn(t->wait_arg))
			return false;
		t->state = TASK_RUNNABLE;
		return true;
	default:
		return false;
	}
}

/* The next ready task after the current one in queue order (the current one last), else idle. Lock held. */
static struct task *pick_next(struct sched_cpu *sc)
{
	uint64_t now = rdtsc();
	unsigned int base = 0;		/* the current task's successor, or the head when it is not queued */

	for (unsigned int i = 0; i < sc->n; i++)
		if (sc->rq[i] == sc->current)
			base = i + 1;
	for (unsigned int k = 0; k < sc->n; k++) {
		struct task *t = sc->rq[(base + k) % sc->n];

		if (ready(t, now))
			return t;
	}
	return &sc->idle;
}

/* Make @next current: the outgoing frame goes to its task, the incoming one into @f. Lock held. */
static void switch_to(struct sched_cpu *sc, struct trap_frame *f, struct task *next)
{
	struct task *prev = sc->current;

	/* Tickless idle: a CPU with nothing queued stops its tick; work brings it back (sched_kick). */
	if (next->kind == TASK_IDLE && sc->n == 0 && sc->ticking) {
		apic_timer_stop();
		sc->ticking = false;
	} else if (next->kind != TASK_IDLE && !sc->ticking) {
		time_start_tick();
		sc->ticking = true;
	}
	if (next != prev) {
		uint64_t now = rdtsc();

		prev->run_tsc += now - prev->slice_start;
		next->slice_start = now;
		if (prev->kind != TASK_IDLE)
			prev->frame = *f;
		if (next->kind == TASK_IDLE)
			idle_frame(sc, f);
		else
			*f = next->frame;
		if (next->kind == TASK_USER && read_cr3() != next->as.pml4)
			write_cr3(next->as.pml4);
		sc->current = next;
		next->slices++;
		if (sc->tracing && sc->ntrace < SCHED_TRACE_MAX) {
			sc->trace_tsc[sc->ntrace] = now;
			sc->trace[sc->ntrace++] = next->pid;
		}
	}
	if (next->kind != TASK_IDLE)
		next->state = TASK_RUNNING;
}

void sched_tick(struct trap_frame *f)
{
	struct sched_cpu *sc = here();
	struct task *cur, *next;
	bool preempt = false;

	if (!sc)
		return;
	task_handle_kill_requests(f);
	spin_lock(&sc->lock);
	cur = sc->current;
	if (cur->kind == TASK_KERNEL && cur->state == TASK_RUNNING) {
		spin_unlock(&sc->lock);
		return;		/* the main thread is never preempted: it runs with interrupts off */
	}
	if (cur->kind == TASK_USER && cur->state == TASK_RUNNING) {
		cur->state = TASK_RUNNABLE;
		preempt = true;
	}
	next = pick_next(sc);
	if (preempt && next != cur)
		cur->preemptions++;
	switch_to(sc, f, next);
	spin_unlock(&sc->lock);
}

void sched_sleep(struct trap_frame *f, struct task *t, uint64_t ns)
{
	const uint64_t tick_ns = NS_PER_S / SCHED_HZ;

	t->wake_tsc = rdtsc() + ns_to_tsc(ns);
	t->sleep_tick0 = this_cpu()->timer_ticks;
	t->sleep_ticks = ns / tick_ns + (ns % tick_ns ? 1 : 0);
	t->state = TASK_SLEEPING;
	sched_switch(f);
}

void sched_switch(struct trap_frame *f)
{
	struct sched_cpu *sc = here();

	if (!sc)
		return;
	spin_lock(&sc->lock);
	/* A running task keeps the CPU until its slice ends; idle and blocked ones give it up now. */
	if (sc->current->kind == TASK_IDLE || sc->current->state != TASK_RUNNING)
		switch_to(sc, f, pick_next(sc));
	spin_unlock(&sc->lock);
}

bool sched_enqueue(struct task *t)
{
	struct sched_cpu *sc = sched_cpus[t->cpu];
	bool ok;

	spin_lock(&sc->lock);
	ok = sc->n < RQ_MAX;
	if (ok) {
		t->state = TASK_RUNNABLE;
		sc->rq[sc->n++] = t;
	}
	spin_unlock(&sc->lock);
	if (ok)
		sched_kick(t->cpu);
	return ok;
}

void sched_remove(struct task *t)
{
	struct sched_cpu *sc = sched_cpus[t->cpu];
	unsigned int w = 0;

	spin_lock(&sc->lock);
	for (unsigned int i = 0; i < sc->n; i++)
		if (sc->rq[i] != t)
			sc->rq[w++] = sc->rq[i];
	sc->n = w;
	spin_unlock(&sc->lock);
}

void sched_kick(unsigned int cpu)
{
	if (cpu != this_cpu()->index)
		apic_send_ipi(cpus[cpu].apic_id, VEC_RESCHED);
}

bool sched_wait(bool (*done)(const void *arg), const void *arg, uint64_t timeout_ns)
{
	struct sched_cpu *sc = here();
	struct task *t = sc->current;
	uint64_t deadline = rdtsc() + ns_to_tsc(timeout_ns);

	while (!done(arg)) {
		if (rdtsc() >= deadline)
			return false;
		t->wait_fn = done;
		t->wait_arg = arg;
		t->wake_tsc = deadline;
		t->state = TASK_WAITING;
		/* Into the scheduler at once (the IPI is taken at the hlt); back here once woken. */
		apic_self_ipi(VEC_RESCHED);
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
	t->state = TASK_RUNNING;
	return true;
}

bool sched_spin_irqs_on(bool (*done)(const void *arg), const void *arg, uint64_t timeout_ns)
{
	uint64_t deadline = rdtsc() + ns_to_tsc(timeout_ns);
	bool ok;

	__asm__ volatile("sti" : : : "memory");
	while (!(ok = done(arg)) && rdtsc() < deadline)
		cpu_relax();
	__asm__ volatile("cli" : : : "memory");
	return ok;
}

bool sched_never(const void *arg)
{
	(void)arg;
	return false;
}

void sched_trace(unsigned int cpu, bool on)
{
	struct sched_cpu *sc = sched_cpus[cpu];

	spin_lock(&sc->lock);
	if (on)
		sc->ntrace = 0;
	sc->tracing = on;
	spin_unlock(&sc->lock);
}
