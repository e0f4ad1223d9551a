/* The x86 system state the gdb monitor decodes, as plain data: segments, descriptor tables, control registers, APICs, PICs. */
#ifndef KEEL_VMM_GDB_X86_SYS_H
#define KEEL_VMM_GDB_X86_SYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Control-register and EFER bits the decoders look at. */
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_WP (1ull << 16)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PSE (1ull << 4)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_PGE (1ull << 7)
#define X86_CR4_LA57 (1ull << 12)
#define X86_CR4_PCIDE (1ull << 17)
#define X86_CR4_SMEP (1ull << 20)
#define X86_CR4_SMAP (1ull << 21)
#define X86_CR4_PKE (1ull << 22)
#define X86_EFER_LME (1ull << 8)
#define X86_EFER_LMA (1ull << 10)
#define X86_EFER_NXE (1ull << 11)
#define X86_RFLAGS_VM (1ull << 17)

/* One segment register as the CPU holds it: the selector and its cached descriptor. */
struct x86_seg {
	uint64_t base;
	uint32_t limit;		/* in bytes minus one, granularity applied */
	uint16_t selector;
	uint8_t type;		/* descriptor type, 4 bits */
	uint8_t s;		/* 1: code or data, 0: system */
	uint8_t dpl;
	uint8_t present;
	uint8_t avl, l, db, g;
	uint8_t unusable;	/* loaded with a null selector */
};

/* A descriptor-table register (GDTR, IDTR). */
struct x86_dtable {
	uint64_t base;
	uint16_t limit;
};

/* What one vCPU's system registers say: enough to know its mode and to find its tables. */
struct x86_sys {
	struct x86_seg cs, ds, es, fs, gs, ss, tr, ldt;
	struct x86_dtable gdt, idt;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t apic_base;	/* IA32_APIC_BASE */
	uint64_t rip, rflags;
	unsigned int maxphyaddr;	/* physical-address width in bits (CPUID 0x80000008), 52 when unknown */
};

#define X86_LAPIC_SIZE 1024	/* the xAPIC register page as KVM_GET_LAPIC gives it */

/*
 * A local APIC's registers at their xAPIC offsets (0x20 ID, 0x30 version, ...) and in xAPIC
 * format, the APIC ID in bits 31:24 also in x2APIC mode, ICR bits 63:32 the whole x2APIC
 * destination (as KVM_GET_LAPIC gives them unless the VMM enabled KVM_X2APIC_API_USE_32BIT_IDS,
 * which keel does not).
 */
struct x86_lapic {
	uint8_t regs[X86_LAPIC_SIZE];
};

#define X86_IOAPIC_PINS 24

/* An I/O APIC. */
struct x86_ioapic {
	uint64_t base;		/* its MMIO address */
	uint32_t id;		/* the 4-bit IOAPIC ID */
	uint32_t irr;		/* pins asserted */
	uint64_t redir[X86_IOAPIC_PINS];
};

/* One 8259A interrupt controller. */
struct x86_pic {
	uint8_t irr, imr, isr;
	uint8_t irq_base;	/* the vector of IRQ 0 (ICW2) */
	uint8_t elcr;		/* level-triggered lines */
	uint8_t priority_add;	/* the lowest-priority line + 1 (rotation) */
	bool auto_eoi, special_mask, special_fully_nested, init4;
	uint8_t init_state;	/* 0: initialised; otherwise the ICW expected next */
};

#endif
