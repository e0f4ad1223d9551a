/* Exception dispatch: deliberate faults, demand paging, user faults (the task dies), kernel faults (the VM does). */
#include "guest/arch/x86/traps.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/machine_exit.h"
#include "guest/arch/x86/umode.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/console.h"
#include "guest/kernel/task.h"
#include "guest/mm/kmap.h"

#define VEC_NMI 2
#define VEC_BP 3
#define VEC_PF 14

static const char *const names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow", "#BR bound range",
	"#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection",
	"#PF page fault", "reserved", "#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

const char *exception_name(uint64_t v)
{
	return v < 32 && names[v] ? names[v] : "reserved";
}

void trap_expect_arm(uint32_t vector, const void *resume_rip)
{
	struct trap_expect *e = &this_cpu()->expect;

	e->vector = vector;
	e->resume_rip = (uint64_t)(uintptr_t)resume_rip;
	e->hits = 0;
	e->cr2 = 0;
	__atomic_store_n(&e->armed, 1u, __ATOMIC_RELEASE);
}

const struct trap_expect *trap_expect_disarm(void)
{
	struct trap_expect *e = &this_cpu()->expect;

	e->armed = 0;
	return e;
}

void trap_fatal(const struct trap_frame *f, uint64_t cr2)
{
	/* No locks: the faulting CPU may hold the console lock. */
	kprintf_unlocked("\nguest: exception %lu (%s) in the kernel at rip %#lx, error code %#lx, cr2 %#lx, "
			 "rsp %#lx\n", f->vector, exception_name(f->vector), f->rip, f->error_code, cr2, f->rsp);
	machine_debug_exit(1);
	cpu_halt_forever();
}

void trap_exception(struct trap_frame *f)
{
	struct trap_expect *e = &this_cpu()->expect;
	uint64_t cr2 = f->vector == VEC_PF ? read_cr2() : 0;

	if (f->vector == VEC_NMI) {
		/* Only the NMI check sends NMIs: count it and note which stack it came in on. */
		struct cpu *c = this_cpu();

		c->nmis++;
		c->nmi_rsp = (uint64_t)(uintptr_t)f;
		return;
	}
	if (e->armed && e->vector == f->vector && !frame_from_user(f)) {
		e->frame = *f;
		e->cr2 = cr2;
		e->handler_rsp = (uint64_t)(uintptr_t)f;
		e->hits++;
		e->armed = 0;
		f->rip = e->resume_rip;
		return;
	}
	if (f->vector == VEC_PF && umode_syscall_from_fault(f, cr2)) {
		syscall_entry_c(f);
		return;
	}
	if (f->vector == VEC_PF) {
		struct task *t = task_current();

		if (cr2 < USER_TOP) {
			if (t->kind == TASK_USER && aspace_fault(&t->as, cr2, f->error_code) == 0)
				return;
		} else if (!frame_from_user(f) && kmap_demand_fault(cr2)) {
			return;
		}
	}
	if (frame_from_user(f)) {
		struct task *t = task_current();

		if (f->vector == VEC_BP) {
			/* int3 in ring 3: a breakpoint for a debugger that is not there; note it and go on. */
			t->bp_hits++;
			t->bp = (struct fault_report){ f->vector, f->error_code, 0, f->rip, f->cs, f->rsp, f->rflags };
			return;
		}
		task_fault_current(f, cr2);
		return;
	}
	trap_fatal(f, cr2);
}

void trap_entry(struct trap_frame *f)
{
	/* First, before anything reads GS: the one moment GS may be the user's in ring 0. */
	if (umode_probe_active && umode_probe_trap(f, f->vector == VEC_PF ? read_cr2() : 0))
		return;
	if (f->vector < 32)
		trap_exception(f);
	else
		irq_dispatch(f);
}
