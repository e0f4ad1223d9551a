/* The boot GDT: flat 32-bit code and data for the PVH entry, 64-bit code for the switch to long mode. */
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/layout.h"

	.section .rodata
	.balign 16
	.globl boot_gdt, boot_gdt_desc
	/* Accessed bits preset: the kernel maps rodata read-only, the CPU must not need to write them. */
boot_gdt:
	.quad 0				/* null */
	.quad 0x00cf9b000000ffff	/* GDT_BOOT_CODE32: base 0, limit 4 GiB, 32-bit, execute/read */
	.quad 0x00cf93000000ffff	/* GDT_BOOT_DATA: base 0, limit 4 GiB, read/write */
	.quad 0x00af9b000000ffff	/* GDT_BOOT_CODE64: long mode code */
boot_gdt_end:
	.if boot_gdt_end - boot_gdt - 1 != BOOT_GDT_LIMIT
	.error "BOOT_GDT_LIMIT does not match the boot GDT"
	.endif

	.balign 8
	/* lgdt operand for the 32-bit entry, which runs with paging off: the GDT's physical address. */
boot_gdt_desc:
	.word BOOT_GDT_LIMIT
	.long boot_gdt - KERNEL_VIRT_BASE

	/* The same for 64-bit code in the upper half. */
	.globl boot_gdt_desc64
boot_gdt_desc64:
	.word BOOT_GDT_LIMIT
	.quad boot_gdt

	.section .note.GNU-stack, "", @progbits
