/* The user-mode probes' C side: the throwaway address space, the outcomes, the verdict, trapped syscalls. */
#include "guest/arch/x86/umode.h"

#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/pte.h"
#include "guest/arch/x86/traps.h"
#include "guest/kernel/console.h"
#include "guest/mm/aspace.h"

#define SYSCALL_INSN_LEN 2
#define USER_RFLAGS_MASK 0x0cd5			/* CF PF AF ZF SF TF DF OF: what a user may set */

bool sysret_enabled;
volatile bool umode_probe_active;
struct umode_result umode_result;
uint64_t umode_trapped_syscalls;

static struct umode_probe *current_probe;

extern uint64_t umode_probe(uint64_t user_rip, int use_sysret, uint64_t rflags);
extern const char umode_probe_sysret[], umode_probe_iret[], umode_probe_resume[], umode_probe_user_page[],
	syscall_entry[];
extern uint64_t umode_probe_rsp;

/* Continue at umode_probe_resume in ring 0 (through iretq). */
static void resume(struct trap_frame *f, enum umode_outcome outcome)
{
	current_probe->outcome = outcome;
	current_probe->vector = f->vector;
	current_probe->rip = f->rip;
	current_probe->cs = f->cs;
	current_probe->rcx = f->rcx;
	current_probe->r11 = f->r11;
	f->rip = (uint64_t)(uintptr_t)umode_probe_resume;
	f->cs = KERNEL_CS;
	f->ss = KERNEL_DS;
	f->rsp = umode_probe_rsp;
	f->rflags = RFLAGS_RESERVED;
	f->vector = 0;
}

static bool at_lstar(const struct trap_frame *f, uint64_t cr2)
{
	return f->vector == 14 && frame_from_user(f) && (f->error_code & PF_ERR_I) &&
	       f->rip == (uint64_t)(uintptr_t)syscall_entry && cr2 == f->rip;
}

bool umode_probe_trap(struct trap_frame *f, uint64_t cr2)
{
	if (!frame_from_user(f)) {
		if (f->rip != (uint64_t)(uintptr_t)umode_probe_sysret &&
		    f->rip != (uint64_t)(uintptr_t)umode_probe_iret)
			return false;
		/* The return to ring 3 faulted after the probe's swapgs: GS is the user's; take ours back. */
		__asm__ volatile("swapgs" : : : "memory");
	}
	resume(f, at_lstar(f, cr2) ? UMODE_SYSCALL_RING3 : UMODE_FAULT);
	return true;
}

bool umode_probe_syscall(struct trap_frame *f)
{
	resume(f, UMODE_SYSCALL_RING0);
	return true;
}

bool umode_syscall_from_fault(struct trap_frame *f, uint64_t cr2)
{
	if (!umode_result.syscall_trapped || !at_lstar(f, cr2))
		return false;
	/* What SYSCALL did besides switching rings: RCX = return RIP, R11 = RFLAGS. */
	f->rip = f->rcx;
	f->rflags = (f->r11 & USER_RFLAGS_MASK) | (f->rflags & RFLAGS_IOPL3) | RFLAGS_IF | RFLAGS_RESERVED;
	f->vector = VEC_SYSCALL;
	f->error_code = 0;
	umode_trapped_syscalls++;
	return true;
}

static void run_probe(struct umode_probe *p, bool use_sysret)
{
	uint64_t cr3 = read_cr3();
	struct aspace as;

	if (aspace_create(&as))
		return;
	if (!aspace_add_vma(&as, USER_IMAGE_BASE, USER_IMAGE_BASE + PAGE_SIZE, VMA_READ | VMA_EXEC, VMA_IMAGE) &&
	    !aspace_map(&as, USER_IMAGE_BASE, virt_to_phys(umode_probe_user_page),
			aspace_pte_flags(VMA_READ | VMA_EXEC) | PTE_NOFREE)) {
		current_probe = p;
		write_cr3(as.pml4);
		umode_probe_active = true;
		umode_probe(USER_IMAGE_BASE, use_sysret, RFLAGS_RESERVED | (use_sysret ? 0 : RFLAGS_IOPL3));
		umode_probe_active = false;
		write_cr3(cr3);
	}
	aspace_destroy(&as);
}

static const char *how(const struct umode_probe *p)
{
	switch (p->outcome) {
	case UMODE_SYSCALL_RING0:
		return "its syscall entered ring 0";
	case UMODE_SYSCALL_RING3:
		return "its syscall jumped to LSTAR but stayed in ring 3";
	case UMODE_FAULT:
		return "it faulted before the user code ran";
	default:
		return "it could not run";
	}
}

void umode_detect(bool sysret_allowed)
{
	struct umode_result *r = &umode_result;
	uint64_t after_syscall = USER_IMAGE_BASE + SYSCALL_INSN_LEN;

	r->sysret_allowed = sysret_allowed;
	run_probe(&r->iret, false);
	if (sysret_allowed)
		run_probe(&r->sysret, true);
	r->syscall_native = r->iret.outcome == UMODE_SYSCALL_RING0;
	r->syscall_trapped = r->iret.outcome == UMODE_SYSCALL_RING3 && r->iret.rcx == after_syscall;
	r->sysret_works = (r->sysret.outcome == UMODE_SYSCALL_RING0 || r->sysret.outcome == UMODE_SYSCALL_RING3) &&
			  r->sysret.rcx == after_syscall;
	sysret_enabled = r->sysret_works;
	r->iopl_kept = (r->syscall_native || r->syscall_trapped) && (r->iret.r11 & RFLAGS_IOPL3) == RFLAGS_IOPL3;
	kprintf("guest: user mode: iretq probe: %s; sysretq probe: %s\n", how(&r->iret),
		sysret_allowed ? how(&r->sysret) : "not run (sysret=off)");
	kprintf("guest: returning to user mode with %s; syscalls %s\n",
		sysret_enabled ? "sysretq after syscalls, iretq otherwise" : "iretq",
		r->syscall_native    ? "enter ring 0 directly" :
		r->syscall_trapped   ? "are completed by the page-fault handler (SYSCALL keeps ring 3 here)" :
				       "do not work");
	kprintf("guest: IOPL 3 in ring 3: %s\n", r->iopl_kept ? "kept (TASK_CAP_IO tasks may use ports)" :
		"dropped by this host (TASK_CAP_IO tasks get #GP on port I/O)");
}
