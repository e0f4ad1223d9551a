/* Building and loading the IDT, and the deliberate triple fault. */
#include "guest/arch/x86/idt.h"

#include "guest/arch/x86/gdt.h"

#define GATE_INTERRUPT 0x8e		/* present, 64-bit interrupt gate (IF cleared on entry) */
#define GATE_DPL3 0x60

struct idt_desc {
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

_Static_assert(sizeof(struct idt_desc) == 16, "IDT gate layout");

extern const char intr_stubs[];
static struct idt_desc idt[IDT_VECTORS] __attribute__((aligned(16)));

uint64_t idt_stub(unsigned int vector)
{
	return (uint64_t)(uintptr_t)(intr_stubs + 16 * vector);
}

static unsigned int ist_of(unsigned int v)
{
	switch (v) {
	case 2:
		return IST_NMI;
	case 8:
		return IST_DOUBLE_FAULT;
	case 18:
		return IST_MACHINE_CHECK;
	default:
		return 0;
	}
}

void idt_init(void)
{
	for (unsigned int v = 0; v < IDT_VECTORS; v++) {
		uint64_t a = idt_stub(v);

		idt[v] = (struct idt_desc){
			.offset_lo = (uint16_t)a,
			.selector = KERNEL_CS,
			.ist = (uint8_t)ist_of(v),
			/* int3 from ring 3 needs a DPL 3 gate; everything else is for the CPU only. */
			.type_attr = GATE_INTERRUPT | (v == 3 ? GATE_DPL3 : 0),
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

struct idt_gate_info idt_gate(unsigned int v)
{
	const struct idt_desc *d = &idt[v % IDT_VECTORS];

	return (struct idt_gate_info){
		.present = d->type_attr & 0x80,
		.dpl = (d->type_attr >> 5) & 3,
		.ist = d->ist & 7,
		.handler = d->offset_lo | (uint64_t)d->offset_mid << 16 | (uint64_t)d->offset_hi << 32,
	};
}

void idt_triple_fault(void)
{
	struct idt_ptr p = { .limit = 0, .base = 0 };

	/* #UD finds no gate, nor does the #DF that follows: shutdown. Never int3 (see HOST.md). */
	__asm__ volatile("lidt %0; ud2" : : "m"(p));
	__builtin_unreachable();
}
