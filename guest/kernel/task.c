/* The task table: spawning user programs, their exit and death, waiting for them, kill requests. */
#include "guest/kernel/task.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/traps.h"
#include "guest/kernel/console.h"
#include "guest/kernel/elf_load.h"
#include "guest/kernel/errno.h"
#include "guest/kernel/programs.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/time.h"
#include "guest/lib/spinlock.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"
#include "guest/mm/kmap.h"

#define KILL_GRACE_NS 2000000000ull	/* a kill request is carried out within a tick; allow 2 s */

_Static_assert(sizeof(struct task) <= PAGE_SIZE, "struct task must fit in a frame");

/* A frame per task, taken at spawn and given back at reap. */
static struct task *tasks[MAX_TASKS];
static struct spinlock table_lock;
static int next_pid = 1;

struct task *task_current(void)
{
	return this_cpu()->sched->current;
}

/* A zeroed task in a free slot, pid assigned, state TASK_EXITING (taken, not runnable yet). */
static struct task *slot_alloc(void)
{
	uint64_t pa = frame_alloc_zeroed();
	struct task *t = phys_to_virt(pa);
	bool placed = false;

	if (!pa)
		return NULL;
	t->state = TASK_EXITING;
	spin_lock(&table_lock);
	for (unsigned int i = 0; i < MAX_TASKS && !placed; i++) {
		if (!tasks[i]) {
			tasks[i] = t;
			placed = true;
		}
	}
	t->pid = next_pid++;
	spin_unlock(&table_lock);
	if (!placed)
		frame_free(pa);
	return placed ? t : NULL;
}

static void slot_free(struct task *t)
{
	spin_lock(&table_lock);
	for (unsigned int i = 0; i < MAX_TASKS; i++)
		if (tasks[i] == t)
			tasks[i] = NULL;
	spin_unlock(&table_lock);
	frame_free(virt_to_phys(t));
}

static void name_copy(char *dst, const char *src)
{
	size_t n = strnlen(src, TASK_NAME_MAX - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

struct task *task_spawn(const char *program, unsigned int cpu, uint64_t a0, uint64_t a1, uint64_t a2,
			uint32_t caps, const char **why)
{
	const struct program *p = program_find(program);
	struct task *t;
	uint64_t entry;

	if (!p) {
		*why = "no such program";
		return NULL;
	}
	if (cpu >= GUEST_MAX_CPUS || !__atomic_load_n(&cpus[cpu].online, __ATOMIC_ACQUIRE) ||
	    !cpus[cpu].sched) {
		*why = "that cpu is not online";
		return NULL;
	}
	t = slot_alloc();
	if (!t) {
		*why = "the task table is full";
		return NULL;
	}
	t->kind = TASK_USER;
	t->cpu = cpu;
	t->caps = caps;
	name_copy(t->name, program);
	if (aspace_create(&t->as)) {
		*why = "out of memory for its page tables";
		goto fail;
	}
	if (elf_load_user(&t->as, p->start, (uint64_t)(p->end - p->start), &entry, why))
		goto fail;
	if (aspace_add_vma(&t->as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_TOP,
			   VMA_READ | VMA_WRITE, VMA_ANON)) {
		*why = "no room for its stack";
		goto fail;
	}
	t->frame = (struct trap_frame){
		.rip = entry, .cs = USER_CS, .ss = USER_DS, .rsp = USER_STACK_TOP,
		.rflags = RFLAGS_RESERVED | RFLAGS_IF | (caps & TASK_CAP_IO ? RFLAGS_IOPL3 : 0),
		.rdi = a0, .rsi = a1, .rdx = a2,
	};
	if (!sched_enqueue(t)) {
		*why = "its cpu's run queue is full";
		goto fail;
	}
	return t;
fail:
	aspace_destroy(&t->as);
	slot_free(t);
	return NULL;
}

struct wait_set {
	struct task *const *tasks;
	unsigned int n;
};

static bool all_dead(const void *arg)
{
	const struct wait_set *w = arg;

	for (unsigned int i = 0; i < w->n; i++)
		if (__atomic_load_n(&w->tasks[i]->state, __ATOMIC_ACQUIRE) != TASK_DEAD)
			return false;
	return true;
}

unsigned int task_wait(struct task *const *list, unsigned int n, uint64_t timeout_ms)
{
	struct wait_set w = { list, n };
	unsigned int killed = 0;

	if (sched_wait(all_dead, &w, timeout_ms * 1000000ull))
		return 0;
	for (unsigned int i = 0; i < n; i++) {
		if (__atomic_load_n(&list[i]->state, __ATOMIC_ACQUIRE) == TASK_DEAD)
			continue;
		__atomic_store_n(&list[i]->kill_req, 1u, __ATOMIC_RELEASE);
		sched_kick(list[i]->cpu);
		killed++;
	}
	/* This CPU's own tasks are handled when the main thread waits (the tick and IPIs look). */
	sched_wait(all_dead, &w, KILL_GRACE_NS);
	return killed;
}

void task_reap(struct task *t)
{
	if (t && __atomic_load_n(&t->state, __ATOMIC_ACQUIRE) == TASK_DEAD)
		slot_free(t);
}

/* Out of the run queue, off the CPU (@f gets the next context), address space freed, then dead. */
static void finish_current(struct trap_frame *f, struct task *t)
{
	sched_remove(t);
	t->state = TASK_EXITING;
	sched_switch(f);
	if (read_cr3() == t->as.pml4)
		write_cr3(kernel_pml4_pa);
	aspace_destroy(&t->as);
	__atomic_store_n(&t->state, TASK_DEAD, __ATOMIC_RELEASE);
	/* The main thread (on cpu 0) may be waiting for it: have cpu 0 look again now. */
	if (this_cpu()->index == 0)
		sched_switch(f);
	else
		sched_kick(0);
}

void task_exit_current(struct trap_frame *f, int code)
{
	struct task *t = task_current();

	t->exit_code = code;
	finish_current(f, t);
}

void task_fault_current(struct trap_frame *f, uint64_t cr2)
{
	struct task *t = task_current();

	t->killed = true;
	t->exit_code = -1;
	t->fault = (struct fault_report){ f->vector, f->error_code, cr2, f->rip, f->cs, f->rsp, f->rflags };
	if (f->vector == 14)
		kprintf("guest: task %d (%s) killed: %s at rip %#lx, address %#lx, error %#lx\n", t->pid,
			t->name, exception_name(f->vector), f->rip, cr2, f->error_code);
	else
		kprintf("guest: task %d (%s) killed: %s at rip %#lx, error %#lx\n", t->pid, t->name,
			exception_name(f->vector), f->rip, f->error_code);
	finish_current(f, t);
}

/* A task that is not running: take it out and free it here, on its own CPU. */
static void kill_queued(struct task *t)
{
	sched_remove(t);
	t->state = TASK_EXITING;
	if (read_cr3() == t->as.pml4)
		write_cr3(kernel_pml4_pa);
	aspace_destroy(&t->as);
	__atomic_store_n(&t->state, TASK_DEAD, __ATOMIC_RELEASE);
	sched_kick(0);
}

void task_handle_kill_requests(struct trap_frame *f)
{
	struct sched_cpu *sc = this_cpu()->sched;
	struct task *victim;

	do {
		victim = NULL;
		spin_lock(&sc->lock);
		for (unsigned int i = 0; i < sc->n && !victim; i++)
			if (sc->rq[i]->kind == TASK_USER && __atomic_load_n(&sc->rq[i]->kill_req, __ATOMIC_ACQUIRE))
				victim = sc->rq[i];
		spin_unlock(&sc->lock);
		if (!victim)
			return;
		victim->killed = true;
		victim->exit_code = -1;
		victim->fault = (struct fault_report){ .vector = ~0ull };
		kprintf("guest: task %d (%s) killed: it ran out of time\n", victim->pid, victim->name);
		if (victim == sc->current)
			finish_current(f, victim);
		else
			kill_queued(victim);
	} while (victim);
}

void task_output(struct task *t, const char *s, uint64_t len)
{
	uint64_t room = TASK_OUT_MAX - 1 - t->out_len;

	if (len > room)
		len = room;
	memcpy(t->out + t->out_len, s, len);
	t->out_len += (uint32_t)len;
	t->out[t->out_len] = '\0';
}

unsigned int task_count_alive(void)
{
	unsigned int n = 0;

	spin_lock(&table_lock);
	for (unsigned int i = 0; i < MAX_TASKS; i++)
		n += tasks[i] && __atomic_load_n(&tasks[i]->state, __ATOMIC_ACQUIRE) != TASK_DEAD;
	spin_unlock(&table_lock);
	return n;
}
