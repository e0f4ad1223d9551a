/* Page tables built by the assembler: the boot identity and higher-half maps, and the direct map of [0, 4 GiB). */
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/pte.h"

#define PHYS(sym) ((sym) - KERNEL_VIRT_BASE)
#define TABLE (PTE_P + PTE_W)

/*
 * Nothing here is filled in at run time: ring-0 code is emulated instruction by instruction on some
 * hosts, and a loop over 2048 entries costs milliseconds there. boot_pml4 serves only until
 * mmu_init() switches to the kernel's own tables; direct_pdpt and its four page directories stay
 * as the direct map of the low 4 GiB for good: 2 MiB pages, no execute, [0, 3 GiB) write-back,
 * [3 GiB, 4 GiB) (keel's device hole: IOAPIC, local APIC) uncached.
 */
	.section .data.pagetables, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad PHYS(ident_pdpt) + TABLE		/* slot 0: identity, the switch to long mode */
	.fill 255, 8, 0
	.quad PHYS(direct_pdpt) + TABLE		/* slot 256: the direct map */
	.fill 254, 8, 0
	.quad PHYS(boot_hi_pdpt) + TABLE	/* slot 511: the kernel image */

	.balign 4096
ident_pdpt:
	.quad PHYS(boot_pd) + TABLE
	.fill 511, 8, 0

	.balign 4096
boot_hi_pdpt:
	.fill 510, 8, 0
	.quad PHYS(boot_pd) + TABLE		/* KERNEL_VIRT_BASE: physical 0 */
	.quad 0

	/* The first GiB, read/write/execute: boot only. */
	.balign 4096
boot_pd:
	.set page, 0
	.rept 512
	.quad page + PTE_P + PTE_W + PTE_PS
	.set page, page + LARGE_PAGE_SIZE
	.endr

	.balign 4096
	.globl direct_pdpt
direct_pdpt:
	.quad PHYS(direct_pd) + 0x0000 + TABLE
	.quad PHYS(direct_pd) + 0x1000 + TABLE
	.quad PHYS(direct_pd) + 0x2000 + TABLE
	.quad PHYS(direct_pd) + 0x3000 + TABLE
	.fill 508, 8, 0

	.balign 4096
direct_pd:
	.set page, 0
	.rept 3 * 512
	.quad page + PTE_P + PTE_W + PTE_PS + PTE_NX
	.set page, page + LARGE_PAGE_SIZE
	.endr
	.rept 512
	.quad page + PTE_P + PTE_W + PTE_PS + PTE_UC + PTE_NX
	.set page, page + LARGE_PAGE_SIZE
	.endr

	.section .note.GNU-stack, "", @progbits
