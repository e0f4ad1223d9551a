/* The test kernels' entry: save the machine state the loader left (registers, CR0, EFLAGS, selectors, flat data segments), set a stack, page a higher-half kernel, call kernel_main. */
#include "tests/multiboot/mbtest.h"

#ifdef MBTEST_HIGH_HALF
#define KERNEL_VMA 0xc0000000	/* linked here above its physical load address (tests/multiboot/high.ld) */
#else
#define KERNEL_VMA 0
#endif
#define PHYS(x) ((x) - KERNEL_VMA)

	.section .text.entry, "ax"
	.code32
	.globl _start
_start:
	/* Nothing before these stores may change a register or a flag they save. */
	movl %eax, PHYS(boot_state + BS_EAX)
	movl %ebx, PHYS(boot_state + BS_EBX)
	movl $PHYS(stack_top), %esp
	pushfl
	popl PHYS(boot_state + BS_EFLAGS)
	movl %cr0, %eax
	movl %eax, PHYS(boot_state + BS_CR0)
	movw %cs, PHYS(boot_state + BS_CS)
	movw %ds, PHYS(boot_state + BS_DS)
	movw %es, PHYS(boot_state + BS_ES)
	movw %fs, PHYS(boot_state + BS_FS)
	movw %gs, PHYS(boot_state + BS_GS)
	movw %ss, PHYS(boot_state + BS_SS)

	/*
	 * Flat: each data segment reads the magic at its linked (physical) address, so its base is 0,
	 * and reads the last dword below 4 GiB without a fault, so its limit is 4 GiB.
	 */
	xorl %edx, %edx
	cmpl $MBTEST_FLAT_MAGIC, %ds:PHYS(flat_magic)
	jne 1f
	orl $1, %edx
1:	cmpl $MBTEST_FLAT_MAGIC, %es:PHYS(flat_magic)
	jne 1f
	orl $2, %edx
1:	cmpl $MBTEST_FLAT_MAGIC, %fs:PHYS(flat_magic)
	jne 1f
	orl $4, %edx
1:	cmpl $MBTEST_FLAT_MAGIC, %gs:PHYS(flat_magic)
	jne 1f
	orl $8, %edx
1:	cmpl $MBTEST_FLAT_MAGIC, %ss:PHYS(flat_magic)
	jne 1f
	orl $16, %edx
1:	movl %ds:0xfffffffc, %eax
	movl %es:0xfffffffc, %eax
	movl %fs:0xfffffffc, %eax
	movl %gs:0xfffffffc, %eax
	movl %ss:0xfffffffc, %eax
	movl %edx, PHYS(boot_state + BS_FLAT)

#ifdef MBTEST_HIGH_HALF
	/*
	 * Paging on, with 2 MiB pages: the low 1 GiB identity-mapped (boot information, modules) and
	 * 0xc0000000 -> 0 for the kernel. Through long mode's 4-level tables, the CPU staying in the
	 * loader's 32-bit code segment (IA-32e compatibility mode): kvm_pvm hosts run no legacy 32-bit
	 * or PAE paging, and the -m32 C code runs unchanged.
	 */
	movl $PHYS(boot_pd), %edi
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	movl %eax, (%edi,%ecx,8)
	movl $0, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $512, %ecx
	jb 1b
	movl $PHYS(boot_pdpt), %esi
	movl %edi, %eax
	orl $3, %eax
	movl %eax, (%esi)		/* [0, 1 GiB) */
	movl %eax, 24(%esi)		/* [3 GiB, 4 GiB): the same directory, so 0xc0000000 -> 0 */
	movl $PHYS(boot_pml4), %edi
	movl %esi, %eax
	orl $3, %eax
	movl %eax, (%edi)
	movl %cr4, %eax
	orl $0x20, %eax			/* PAE */
	movl %eax, %cr4
	movl %edi, %cr3
	movl $0xc0000080, %ecx		/* EFER */
	rdmsr
	orl $0x100, %eax		/* LME */
	wrmsr
	movl %cr0, %eax
	orl $0x80000000, %eax		/* PG: long mode active, this code segment in compatibility mode */
	movl %eax, %cr0
	movl $1f, %eax
	jmp *%eax
1:	addl $KERNEL_VMA, %esp
#endif
	pushl $boot_state
	call kernel_main
2:	cli
	hlt
	jmp 2b

	/* A kernel entered at its ELF entry although it named another in its entry address tag. */
	.globl elf_entry_trap
elf_entry_trap:
	movl $PHYS(stack_top), %esp
	movw $MBTEST_PORT_COM1, %dx
	movb $'!', %al
	outb %al, %dx
	movw $MBTEST_PORT_EXIT, %dx
	movb $2, %al
	outb %al, %dx
	jmp 2b

	.section .rodata
	.align 4
flat_magic:
	.long MBTEST_FLAT_MAGIC

	.section .bss
	.align 4096
#ifdef MBTEST_HIGH_HALF
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4096
#endif
	.globl boot_state
boot_state:
	.skip BS_SIZE
	.align 16
	.skip 16384
stack_top:
