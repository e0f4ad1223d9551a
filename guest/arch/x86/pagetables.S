/* Boot page tables built by the assembler: 2 MiB pages identity-mapping the first 4 GiB. */

#define PTE_P 0x001			/* present */
#define PTE_W 0x002			/* writable */
#define PTE_PWT 0x008			/* write-through */
#define PTE_PCD 0x010			/* cache disabled */
#define PTE_PS 0x080			/* 2 MiB page (in a page directory) */

/*
 * Nothing here is filled in at run time: ring-0 code is emulated instruction by instruction on some
 * hosts, and a loop over 2048 entries would cost milliseconds. [0, 3 GiB) is RAM (write-back);
 * [3 GiB, 4 GiB) is keel's device hole (IOAPIC 0xfec00000, local APIC 0xfee00000), mapped uncached.
 */
	.section .data.pagetables, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + PTE_P + PTE_W
	.fill 511, 8, 0

	.balign 4096
boot_pdpt:
	.quad boot_pd + 0x0000 + PTE_P + PTE_W
	.quad boot_pd + 0x1000 + PTE_P + PTE_W
	.quad boot_pd + 0x2000 + PTE_P + PTE_W
	.quad boot_pd + 0x3000 + PTE_P + PTE_W
	.fill 508, 8, 0

	.balign 4096
boot_pd:
	.set page, 0
	.rept 3 * 512
	.quad page + PTE_P + PTE_W + PTE_PS
	.set page, page + 0x200000
	.endr
	.rept 512
	.quad page + PTE_P + PTE_W + PTE_PS + PTE_PCD + PTE_PWT
	.set page, page + 0x200000
	.endr

	.section .note.GNU-stack, "", @progbits
