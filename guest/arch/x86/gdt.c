/* Each CPU's GDT and TSS: building them and loading them (lgdt, segment reloads, ltr). */
#include "guest/arch/x86/gdt.h"

#include <stddef.h>

#define SEG_KERNEL_CODE64 0x00af9a000000ffffull
#define SEG_KERNEL_DATA 0x00cf92000000ffffull
#define SEG_USER_CODE32 0x00cffa000000ffffull
#define SEG_USER_DATA 0x00cff2000000ffffull
#define SEG_USER_CODE64 0x00affa000000ffffull
#define TSS_TYPE_AVAILABLE 0x89ull	/* present, DPL 0, 64-bit TSS (available) */

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

void gdt_build(struct cpu_tables *t, uint64_t rsp0, const uint64_t ist[3])
{
	uint64_t base = (uint64_t)(uintptr_t)&t->tss, limit = sizeof(t->tss) - 1;

	t->gdt[0] = 0;
	t->gdt[KERNEL_CS >> 3] = SEG_KERNEL_CODE64;
	t->gdt[KERNEL_DS >> 3] = SEG_KERNEL_DATA;
	t->gdt[USER_CS32 >> 3] = SEG_USER_CODE32;
	t->gdt[USER_DS >> 3] = SEG_USER_DATA;
	t->gdt[USER_CS >> 3] = SEG_USER_CODE64;
	t->gdt[TSS_SEL >> 3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (TSS_TYPE_AVAILABLE << 40) |
			       ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	t->gdt[(TSS_SEL >> 3) + 1] = base >> 32;
	t->tss = (struct tss){ .iomap_base = sizeof(struct tss) };
	t->tss.rsp[0] = rsp0;
	for (int i = 0; i < 3; i++)
		t->tss.ist[i] = ist[i];
}

void gdt_load(struct cpu_tables *t)
{
	struct gdt_ptr p = { .limit = sizeof(t->gdt) - 1, .base = (uint64_t)(uintptr_t)t->gdt };

	/* A far return reloads CS; the data segments are loaded directly. FS and GS keep their bases. */
	__asm__ volatile("lgdt %0\n\t"
			 "pushq %1\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\tmov %2, %%ds\n\t"
			 "mov %2, %%es\n\t"
			 "mov %2, %%ss\n\t"
			 "ltr %w3"
			 :
			 : "m"(p), "i"(KERNEL_CS), "r"(KERNEL_DS), "r"(TSS_SEL)
			 : "rax", "memory");
}
