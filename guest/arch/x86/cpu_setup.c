/* Per-CPU stacks, descriptor tables, SYSCALL MSRs and local APIC. */
#include "guest/arch/x86/cpu_setup.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/msr.h"
#include "guest/mm/kmap.h"

#define ENTRY_STACK_PAGES 4
#define IST_STACK_PAGES 1

extern const char syscall_entry[];

struct desc_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

bool cpu_alloc_stacks(struct cpu *c)
{
	c->entry_stack_top = kstack_alloc(ENTRY_STACK_PAGES);
	for (int i = 0; i < 3; i++)
		c->ist_top[i] = kstack_alloc(IST_STACK_PAGES);
	return c->entry_stack_top && c->ist_top[0] && c->ist_top[1] && c->ist_top[2];
}

/* SYSCALL lands at syscall_entry with CS KERNEL_CS; SYSRET goes to USER_CS / USER_DS (gdt.h). */
static void syscall_setup(void)
{
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	wrmsr(MSR_STAR, (uint64_t)USER_CS32 << 48 | (uint64_t)KERNEL_CS << 32);
	wrmsr(MSR_LSTAR, (uint64_t)(uintptr_t)syscall_entry);
	wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
}

void cpu_setup(struct cpu *c)
{
	struct desc_ptr g;
	uint16_t tr;

	gdt_build(&c->tables, c->entry_stack_top, c->ist_top);
	gdt_load(&c->tables);
	idt_load();
	syscall_setup();
	apic_init();
	__asm__ volatile("sgdt %0; str %1" : "=m"(g), "=r"(tr));
	c->gdt_base = g.base;
	c->tr = tr;
}
