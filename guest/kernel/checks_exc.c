/* Exception checks: ring-0 faults with their frames, #BP from ring 3, #DF and NMI on their IST stacks, the IDT. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/probes.h"
#include "guest/arch/x86/pte.h"
#include "guest/arch/x86/traps.h"
#include "guest/kernel/check_util.h"
#include "guest/kernel/sched.h"
#include "guest/lib/string.h"
#include "guest/mm/kmap.h"
#include "guest/user/progs.h"

#define UNMAPPED_KERNEL_ADDR (KSCRATCH_BASE + 0x4000000)	/* nothing is ever mapped there */
#define NMI_WAIT_MS 1000		/* a liveness bound: the host may keep the vCPU away meanwhile */

static uint64_t addr(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

/*
 * Call @probe with trap_expect armed for @vector; the frame must show the probe's faulting
 * instruction, the kernel's CS and SS, the probe's RSP, interrupts off, and error code @err.
 */
static enum check_status ring0_fault(struct check_ctx *ctx, uint32_t vector, void (*probe)(void),
				     const char *insn, uint64_t err)
{
	const struct trap_expect *e;
	const struct trap_frame *f;

	trap_expect_arm(vector, probe_resume);
	probe();
	e = trap_expect_disarm();
	f = &e->frame;
	if (e->hits != 1)
		return check_fail(ctx, "%s did not arrive", exception_name(vector));
	check_note(ctx, "%s: rip %#lx, cs %#lx, ss %#lx, rsp %#lx, rflags %#lx, error %#lx", exception_name(vector),
		   f->rip, f->cs, f->ss, f->rsp, f->rflags, f->error_code);
	if (f->vector != vector || f->rip != addr(insn) || f->cs != KERNEL_CS || f->ss != KERNEL_DS)
		return check_fail(ctx, "want vector %u at rip %#lx, cs %#x, ss %#x", vector, addr(insn), KERNEL_CS,
				  KERNEL_DS);
	if (f->rsp != probe_rsp || (f->rflags & RFLAGS_IF) || !(f->rflags & RFLAGS_RESERVED))
		return check_fail(ctx, "want rsp %#lx and interrupts off", probe_rsp);
	if (f->error_code != err)
		return check_fail(ctx, "want error code %#lx", err);
	return CHECK_PASS;
}

enum check_status check_exc_divide_error(struct check_ctx *ctx)
{
	return ring0_fault(ctx, 0, probe_de, probe_de_insn, 0);
}

enum check_status check_exc_invalid_opcode(struct check_ctx *ctx)
{
	return ring0_fault(ctx, 6, probe_ud, probe_ud_insn, 0);
}

enum check_status check_exc_general_protection(struct check_ctx *ctx)
{
	return ring0_fault(ctx, 13, probe_gp, probe_gp_insn, 0);
}

static void read_unmapped(void)
{
	probe_read(UNMAPPED_KERNEL_ADDR);
}

/* A ring-0 read of an unmapped kernel address: #PF, error 0 (not present, read, supervisor), CR2. */
enum check_status check_exc_page_fault(struct check_ctx *ctx)
{
	enum check_status st = ring0_fault(ctx, 14, read_unmapped, probe_read_insn, 0);
	const struct trap_expect *e = &this_cpu()->expect;

	if (st == CHECK_PASS && e->cr2 != UNMAPPED_KERNEL_ADDR)
		return check_fail(ctx, "cr2 %#lx, want %#lx", e->cr2, UNMAPPED_KERNEL_ADDR);
	return st;
}

/* int3 in ring 3 reaches the #BP handler (a DPL 3 gate) with the user's frame; the task goes on. */
enum check_status check_exc_breakpoint_user(struct check_ctx *ctx)
{
	struct task *t = run_task(ctx, "fault", last_cpu(), FAULT_INT3, 0, 0, 0);
	uint64_t rip = 0, rsp = 0;
	const char *p;

	if (!t)
		return CHECK_FAIL;
	p = strchr(t->out, '=');
	if (p)
		rip = strtoul(p + 1, NULL, 16);
	p = p ? strchr(p + 1, '=') : NULL;
	if (p)
		rsp = strtoul(p + 1, NULL, 16);
	check_note(ctx, "#BP: rip %#lx, cs %#lx, rsp %#lx; the task said %s", t->bp.rip, t->bp.cs, t->bp.rsp, t->out);
	if (t->bp_hits != 1 || t->bp.rip != rip || t->bp.cs != USER_CS || t->bp.rsp != rsp) {
		task_reap(t);
		return check_fail(ctx, "want one #BP at rip %#lx (after the int3), cs %#x, rsp %#lx", rip, USER_CS, rsp);
	}
	return expect_exit(ctx, t, FAULT_INT3_EXIT);
}

/*
 * Run off the bottom of a one-page kernel stack: the push faults on the guard page, delivering
 * that #PF faults again, and the CPU raises #DF, on IST 1 - the only stack left that works.
 */
enum check_status check_exc_double_fault_ist(struct check_ctx *ctx)
{
	uint64_t top = kstack_alloc(1), ist = this_cpu()->ist_top[IST_DOUBLE_FAULT - 1];
	const struct trap_expect *e;

	if (!top)
		return check_fail(ctx, "out of memory for the scratch stack");
	trap_expect_arm(8, probe_overflow_resume);
	probe_stack_overflow(top - PAGE_SIZE);
	e = trap_expect_disarm();
	if (e->hits != 1)
		return check_fail(ctx, "no #DF");
	check_note(ctx, "#DF frame at %#lx (IST 1: [%#lx, %#lx)), error %#lx, guard page below %#lx",
		   e->handler_rsp, ist - PAGE_SIZE, ist, e->frame.error_code, top - PAGE_SIZE);
	if (e->handler_rsp < ist - PAGE_SIZE || e->handler_rsp >= ist)
		return check_fail(ctx, "the #DF handler did not run on IST 1");
	if (e->frame.error_code != 0 || e->frame.cs != KERNEL_CS)
		return check_fail(ctx, "#DF error code %#lx (want 0), cs %#lx", e->frame.error_code, e->frame.cs);
	return CHECK_PASS;
}

static bool nmi_arrived(const void *before)
{
	return __atomic_load_n(&this_cpu()->nmis, __ATOMIC_ACQUIRE) != *(const uint64_t *)before;
}

/* A self-sent NMI arrives (interrupts off or not) on IST 2. */
enum check_status check_exc_nmi_ist(struct check_ctx *ctx)
{
	struct cpu *c = this_cpu();
	uint64_t before = c->nmis, ist = c->ist_top[IST_NMI - 1];

	apic_send_nmi(c->apic_id);
	if (!sched_spin_irqs_on(nmi_arrived, &before, NMI_WAIT_MS * 1000000ull))
		return check_fail(ctx, "no NMI within %u ms", NMI_WAIT_MS);
	check_note(ctx, "NMI frame at %#lx (IST 2: [%#lx, %#lx))", c->nmi_rsp, ist - PAGE_SIZE, ist);
	if (c->nmi_rsp < ist - PAGE_SIZE || c->nmi_rsp >= ist)
		return check_fail(ctx, "the NMI handler did not run on IST 2");
	return CHECK_PASS;
}

/* All 256 gates present on their stubs; IST only for NMI, #DF, #MC; DPL 3 only for #BP. */
enum check_status check_exc_idt_layout(struct check_ctx *ctx)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		struct idt_gate_info g = idt_gate(v);
		unsigned int ist = v == 2 ? IST_NMI : v == 8 ? IST_DOUBLE_FAULT : v == 18 ? IST_MACHINE_CHECK : 0;

		if (!g.present || g.handler != idt_stub(v))
			return check_fail(ctx, "vector %u: present %d, handler %#lx", v, g.present, g.handler);
		if (g.ist != ist || g.dpl != (v == 3 ? 3u : 0u))
			return check_fail(ctx, "vector %u: IST %u, DPL %u", v, g.ist, g.dpl);
	}
	return CHECK_PASS;
}
