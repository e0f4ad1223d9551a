/* The AP start-up trampoline, real mode to 32-bit protected mode; smp.c copies it to 0x8000. */
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"

/*
 * A started AP runs this at CS = KEEL_AP_TRAMPOLINE_GPA >> 4, IP = 0. It loads the kernel's boot GDT
 * (which sits below 4 GiB) and jumps to ap_entry32 in the kernel image, which continues into long
 * mode like the BSP did. Only position-independent 16-bit code and data here: this copy is never run
 * where it was linked.
 */
	.section .rodata
	.code16
	.globl ap_trampoline_start, ap_trampoline_end
ap_trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tramp_gdt_desc - ap_trampoline_start)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $GDT_CODE32, $ap_entry32

	.balign 8
tramp_gdt_desc:
	.word BOOT_GDT_LIMIT
	.long boot_gdt
ap_trampoline_end:
	.code64

	.section .note.GNU-stack, "", @progbits
