/* The AP start-up trampoline, real mode to long mode in one page; smp.c copies it to AP_TRAMPOLINE_BASE. */
#include "guest/arch/x86/trampoline.h"
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/msr.h"

/*
 * A started AP runs this at CS = KEEL_AP_TRAMPOLINE_GPA >> 4, IP = 0. Every address below is the
 * copy's (TRAMP(label)), never the link-time one. The copy is identity-mapped, executable, in the
 * kernel's page tables while APs start: it loads its own flat GDT, turns on PAE, loads the kernel's
 * page tables (tramp_cr3, below 4 GiB), enables long mode and no-execute, turns on paging, and
 * jumps to the 64-bit higher-half entry the BSP wrote into tramp_entry (ap_entry64 in head.S).
 */
#define TRAMP(label) (AP_TRAMPOLINE_BASE + ((label) - ap_trampoline_start))

	.section .rodata
	.code16
	.globl ap_trampoline_start, ap_trampoline_end, ap_tramp_cr3, ap_tramp_entry
ap_trampoline_start:
	cli
	cld
	mov %cs, %ax
	mov %ax, %ds
	lgdtl (tramp_gdt_desc - ap_trampoline_start)
	mov %cr0, %eax
	or $CR0_PE, %eax
	mov %eax, %cr0
	ljmpl $GDT_BOOT_CODE32, $TRAMP(tramp32)

	.code32
tramp32:
	mov $GDT_BOOT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov TRAMP(ap_tramp_cr3), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP), %eax
	mov %eax, %cr0
	ljmp $GDT_BOOT_CODE64, $TRAMP(tramp64)

	.code64
tramp64:
	mov TRAMP(ap_tramp_entry), %rax
	jmp *%rax

	/* Accessed bits preset: the page is read-only once paging is on, the CPU must not write them. */
	.balign 16
tramp_gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* GDT_BOOT_CODE32 */
	.quad 0x00cf93000000ffff	/* GDT_BOOT_DATA */
	.quad 0x00af9b000000ffff	/* GDT_BOOT_CODE64 */
tramp_gdt_desc:
	.word BOOT_GDT_LIMIT
	.long TRAMP(tramp_gdt)
	.balign 8
ap_tramp_cr3:				/* written by the BSP: the kernel's PML4, physical */
	.quad 0
ap_tramp_entry:				/* written by the BSP: the 64-bit entry, virtual */
	.quad 0
ap_trampoline_end:

	.section .note.GNU-stack, "", @progbits
