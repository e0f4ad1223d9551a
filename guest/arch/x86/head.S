/* PVH entry (32-bit, paging off): boot GDT, .bss, long mode on the boot page tables, then the higher half. */
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/msr.h"
#include "guest/arch/x86/percpu.h"

#define PHYS(sym) ((sym) - KERNEL_VIRT_BASE)
#define BOOT_STACK_SIZE 16384

/* For kernel.ld to check that it links at the addresses layout.h names. */
	.globl layout_kernel_virt_base, layout_kernel_phys_base
	.set layout_kernel_virt_base, KERNEL_VIRT_BASE
	.set layout_kernel_phys_base, KERNEL_PHYS_BASE

	.section .text.head, "ax"
	.code32

/*
 * The PVH entry: protected mode, paging off, flat segments, %ebx = hvm_start_info. No stack is
 * given. Everything runs at physical addresses until the jump to the higher half; %esi carries the
 * start info through to kernel_main().
 */
	.globl pvh_entry
pvh_entry:
	cli
	cld
	lgdt PHYS(boot_gdt_desc)
	ljmp $GDT_BOOT_CODE32, $PHYS(1f)
1:	mov $GDT_BOOT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %ebx, %esi

	/* PAE, the boot page tables, long mode and no-execute, paging. */
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $PHYS(boot_pml4), %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $(EFER_LME | EFER_NXE), %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	ljmp $GDT_BOOT_CODE64, $PHYS(2f)

	.code64
2:	movabs $bsp_high, %rax
	jmp *%rax

	.text
bsp_high:
	lgdt boot_gdt_desc64(%rip)	/* the GDT's upper-half address: the identity map will go */
	mov $GDT_BOOT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	/* Clear .bss (8 bytes a step: where ring 0 is emulated each step costs). The ELF loader
	 * should have, but do not rely on it. */
	lea __bss_start(%rip), %rdi
	lea __bss_end(%rip), %rcx
	sub %rdi, %rcx
	shr $3, %rcx
	xor %eax, %eax
	rep stosq
	lea boot_stack_top(%rip), %rsp
	mov %esi, %edi			/* zero-extends: the hvm_start_info physical address */
	call kernel_main
	jmp cpu_park

/*
 * An AP arrives from the trampoline (trampoline.S) in long mode on the kernel's page tables. It takes
 * the struct cpu the BSP posted in smp_boot_cpu; a late or stray AP finds 0 and parks.
 */
	.globl ap_entry64
ap_entry64:
	xor %eax, %eax
	xchg %rax, smp_boot_cpu(%rip)
	test %rax, %rax
	jz cpu_park
	mov CPU_OFF_BOOT_STACK(%rax), %rsp
	mov %rax, %rdi
	call ap_main
	.globl cpu_park
cpu_park:
	cli
	hlt
	jmp cpu_park

	/* The BSP's stack until mmu_init() gives it one with a guard page. */
	.section .noinit, "aw", @nobits
	.balign 16
boot_stack:
	.skip BOOT_STACK_SIZE
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
