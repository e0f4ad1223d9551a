/* Building and loading the IDT, and the deliberate triple fault. */
#include "guest/arch/x86/idt.h"

#include "guest/arch/x86/gdt.h"

#define IDT_EXCEPTIONS 32
#define GATE_INTERRUPT 0x8e		/* present, DPL 0, 64-bit interrupt gate */

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
} __attribute__((packed));

struct idt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

extern const uint64_t exception_stubs[IDT_EXCEPTIONS];

static struct idt_gate idt[IDT_EXCEPTIONS] __attribute__((aligned(16)));

void idt_init(void)
{
	for (unsigned int v = 0; v < IDT_EXCEPTIONS; v++) {
		uint64_t a = exception_stubs[v];

		idt[v] = (struct idt_gate){
			.offset_lo = (uint16_t)a,
			.selector = GDT_CODE64,
			.type_attr = GATE_INTERRUPT,
			.offset_mid = (uint16_t)(a >> 16),
			.offset_hi = (uint32_t)(a >> 32),
		};
	}
}

void idt_load(void)
{
	struct idt_ptr p = { .limit = sizeof(idt) - 1, .base = (uint64_t)(uintptr_t)idt };

	__asm__ volatile("lidt %0" : : "m"(p));
}

void idt_triple_fault(void)
{
	struct idt_ptr p = { .limit = 0, .base = 0 };

	/* #UD finds no gate, nor does the #DF that follows: shutdown. Never int3 (see HOST.md). */
	__asm__ volatile("lidt %0; ud2" : : "m"(p));
	__builtin_unreachable();
}
