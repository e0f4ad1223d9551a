/* PVH entry (32-bit, paging off) and the switch to long mode shared by the BSP and the APs. */
#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/msr.h"
#include "guest/arch/x86/percpu.h"

	.section .text.head, "ax"
	.code32

/*
 * The PVH entry: protected mode, paging off, flat segments, %ebx = hvm_start_info. No stack is
 * given. %esi carries the start info through to kernel_main().
 */
	.globl pvh_entry
pvh_entry:
	cli
	cld
	lgdt boot_gdt_desc
	ljmp $GDT_CODE32, $1f
1:	mov $GDT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov %ebx, %esi

	/* Clear .bss (small: stacks live in .noinit). The ELF loader should have, but do not rely on it. */
	mov $__bss_start, %edi
	mov $__bss_end, %ecx
	sub %edi, %ecx
	shr $2, %ecx
	xor %eax, %eax
	rep stosl

	mov $bsp_far64, %ebp
	jmp long_mode_enter

/* An AP arrives here from the real-mode trampoline, in protected mode with the boot GDT loaded. */
	.globl ap_entry32
ap_entry32:
	mov $GDT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $ap_far64, %ebp
	/* fall through */

/* Enable PAE, load the boot page tables, set EFER.LME, turn paging on and far-jump to *(%ebp). */
long_mode_enter:
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	wrmsr
	mov %cr0, %eax
	or $(CR0_PG | CR0_WP | CR0_PE), %eax
	mov %eax, %cr0
	ljmp *(%ebp)

	.code64
bsp_entry64:
	mov $GDT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	mov $(cpu_stacks + CPU_STACK_SIZE), %rsp
	mov %esi, %edi			/* zero-extends: the hvm_start_info physical address */
	call kernel_main
	jmp park

/* Each AP takes the struct cpu the BSP posted in smp_boot_cpu; a late or stray AP finds 0 and parks. */
ap_entry64:
	mov $GDT_DATA, %eax
	mov %eax, %ds
	mov %eax, %es
	mov %eax, %ss
	xor %eax, %eax
	xchg %rax, smp_boot_cpu(%rip)
	test %rax, %rax
	jz park
	mov CPU_OFF_STACK_TOP(%rax), %rsp
	mov %rax, %rdi
	call ap_main
park:
	cli
	hlt
	jmp park

	.section .rodata
	.balign 8
/* Far pointers (32-bit offset, selector) into 64-bit code, for ljmp from compatibility mode. */
bsp_far64:
	.long bsp_entry64
	.word GDT_CODE64
ap_far64:
	.long ap_entry64
	.word GDT_CODE64

	.section .note.GNU-stack, "", @progbits
