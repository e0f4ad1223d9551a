/* Segment selectors: the boot GDT (32/64-bit entry paths) and each CPU's own GDT with user segments and its TSS. */
#ifndef KEEL_GUEST_ARCH_X86_GDT_H
#define KEEL_GUEST_ARCH_X86_GDT_H

/* The boot GDT (boot_gdt.S), also copied into the AP trampoline. */
#define GDT_BOOT_CODE32 0x08		/* flat 32-bit code */
#define GDT_BOOT_DATA 0x10		/* flat data */
#define GDT_BOOT_CODE64 0x18		/* 64-bit code */
#define BOOT_GDT_LIMIT (4 * 8 - 1)

/*
 * Each CPU's GDT. The order is what SYSCALL and SYSRET want: STAR[47:32] = KERNEL_CS (SS = +8),
 * STAR[63:48] = USER_CS32 (SYSRET takes SS = +8 and the 64-bit CS = +16).
 */
#define KERNEL_CS 0x10
#define KERNEL_DS 0x18
#define USER_CS32 0x23			/* 0x20 | RPL 3: not used, but SYSRET's layout needs it */
#define USER_DS 0x2b			/* 0x28 | 3 */
#define USER_CS 0x33			/* 0x30 | 3 */
#define TSS_SEL 0x40			/* 16-byte descriptor: entries 8 and 9 */
#define GDT_ENTRIES 10

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The 64-bit TSS: stack pointers for ring 0 and the interrupt stack table. */
struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];		/* rsp[0]: the stack for interrupts from ring 3 */
	uint64_t reserved1;
	uint64_t ist[7];		/* ist[n - 1] is IST n */
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;		/* past the limit: no I/O permission bitmap */
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

#define IST_DOUBLE_FAULT 1
#define IST_NMI 2
#define IST_MACHINE_CHECK 3

struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES] __attribute__((aligned(16)));
	struct tss tss __attribute__((aligned(16)));
};

/* Fill @t: the flat kernel and user segments, and a TSS with @rsp0 and the IST stacks @ist[0..2]. */
void gdt_build(struct cpu_tables *t, uint64_t rsp0, const uint64_t ist[3]);

/* Load @t on the calling CPU: lgdt, segment registers, ltr. */
void gdt_load(struct cpu_tables *t);
#endif

#endif
