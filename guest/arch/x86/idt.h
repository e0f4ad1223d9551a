/* The interrupt descriptor table: 256 gates onto entry.S's stubs, IST stacks for NMI, #DF and #MC. */
#ifndef KEEL_GUEST_ARCH_X86_IDT_H
#define KEEL_GUEST_ARCH_X86_IDT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/frame.h"

#define IDT_VECTORS 256

/* Fill the IDT (BSP, once): every vector present, #BP callable from ring 3. */
void idt_init(void);

/* Load it on the calling CPU. */
void idt_load(void);

/* What gate @vector holds: present, its DPL, its IST index and the stub address. */
struct idt_gate_info {
	bool present;
	unsigned int dpl, ist;
	uint64_t handler;
};
struct idt_gate_info idt_gate(unsigned int vector);

/* The stub entry.S has for @vector. */
uint64_t idt_stub(unsigned int vector);

/* Load an IDT of limit 0 and execute ud2: the CPU triple-faults. */
__attribute__((noreturn)) void idt_triple_fault(void);

/* Called by entry.S for every interrupt and exception, with the frame it built. */
void trap_entry(struct trap_frame *f);

#endif
