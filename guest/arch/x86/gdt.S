/* The boot GDT: flat 32-bit code and data for the PVH entry and the AP trampoline, 64-bit code. */
#include "guest/arch/x86/gdt.h"

	.section .rodata
	.balign 16
	.globl boot_gdt, boot_gdt_desc
boot_gdt:
	.quad 0				/* null */
	.quad 0x00cf9a000000ffff	/* GDT_CODE32: base 0, limit 4 GiB, 32-bit, execute/read */
	.quad 0x00cf92000000ffff	/* GDT_DATA: base 0, limit 4 GiB, read/write */
	.quad 0x00af9a000000ffff	/* GDT_CODE64: long mode code */
boot_gdt_end:
	.if boot_gdt_end - boot_gdt - 1 != BOOT_GDT_LIMIT
	.error "BOOT_GDT_LIMIT does not match the boot GDT"
	.endif

	.balign 8
	/* lgdt operand; 32-bit code reads the low 4 bytes of the base, 64-bit code all 8. */
boot_gdt_desc:
	.word BOOT_GDT_LIMIT
	.quad boot_gdt

	.section .note.GNU-stack, "", @progbits
