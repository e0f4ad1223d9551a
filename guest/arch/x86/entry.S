/* Kernel entry and exit: 256 interrupt stubs, the common and paranoid paths, the syscall entry, SYSRET/IRETQ return. */
#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/gdt.h"
#include "guest/arch/x86/msr.h"
#include "guest/arch/x86/percpu.h"

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) \
	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)
/* NMI, #DF and #MC may arrive anywhere, even between swapgs and sysretq: they test GS themselves. */
#define PARANOID(v) ((v) == 2 || (v) == 8 || (v) == 18)

	.macro PUSH_REGS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	.endm

	.macro POP_REGS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	.endm

	.text
/* One 16-byte stub per vector: intr_stubs + 16 * vector (idt.c relies on it). */
	.balign 16
	.globl intr_stubs
intr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	.if !HAS_ERROR_CODE(vec)
	pushq $0
	.endif
	pushq $vec
	/* jmp rel32, spelled out so that every stub has a known size */
	.byte 0xe9
	.if PARANOID(vec)
	.long paranoid_common - . - 4
	.else
	.long intr_common - . - 4
	.endif
	.set vec, vec + 1
	.endr
	.balign 16
	.globl intr_stubs_end
intr_stubs_end:				/* kernel.ld checks that the stubs took 256 * 16 bytes */

/*
 * Every vector but the paranoid ones: swapgs when coming from ring 3 (the selector's RPL says so),
 * save all general registers below the stub's vector and error code, call trap_entry(frame).
 */
intr_common:
	testb $3, 0x18(%rsp)		/* CS, above vector, error code and RIP */
	jz 1f
	swapgs
1:	PUSH_REGS
	cld
	mov %rsp, %rdi
	call trap_entry
	jmp frame_return

/*
 * NMI, #DF, #MC, on their IST stacks: whether GS is the kernel's is read from the GS base itself
 * (the kernel's is in the upper half), and put back as found.
 */
paranoid_common:
	PUSH_REGS
	cld
	mov $MSR_GS_BASE, %ecx
	rdmsr
	xor %ebx, %ebx
	test %edx, %edx
	js 1f
	swapgs
	mov $1, %ebx
1:	mov %rsp, %rdi
	call trap_entry
	test %ebx, %ebx
	jz 2f
	swapgs
2:	POP_REGS
	add $16, %rsp
	iretq

/*
 * SYSCALL from ring 3: RCX = return RIP, R11 = RFLAGS, interrupts masked by FMASK. Switch to this
 * CPU's entry stack and build the same frame an interrupt from ring 3 would, with VEC_SYSCALL.
 */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:CPU_OFF_USER_RSP
	mov %gs:CPU_OFF_ENTRY_STACK, %rsp
	pushq $USER_DS
	pushq %gs:CPU_OFF_USER_RSP
	push %r11
	pushq $USER_CS
	push %rcx
	pushq $0
	pushq $VEC_SYSCALL
	PUSH_REGS
	cld
	mov %rsp, %rdi
	call syscall_entry_c
	/* fall through */

/*
 * Leave through the frame at %rsp, which the scheduler may have swapped for another context's.
 * A syscall's own frame goes back with SYSRET when the host allows it (RCX and R11 are the return
 * RIP and RFLAGS by then, so nothing is lost); everything else with IRETQ.
 */
	.globl frame_return
frame_return:
	cmpq $VEC_SYSCALL, FRAME_VECTOR(%rsp)
	jne 1f
	cmpb $0, sysret_enabled(%rip)
	jne 3f
1:	POP_REGS
	add $16, %rsp
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

3:	POP_REGS
	add $16, %rsp
	mov (%rsp), %rcx		/* RIP */
	mov 16(%rsp), %r11		/* RFLAGS */
	mov 24(%rsp), %rsp		/* the user's stack */
	swapgs
	sysretq

/* idle_enter(stack_top): become the idle context on a fresh stack. */
	.globl idle_enter
idle_enter:
	mov %rdi, %rsp
	xor %ebp, %ebp
	/* fall through */

/* A CPU with nothing to run: wait for interrupts on its kernel stack. */
	.globl idle_loop
idle_loop:
	sti
	hlt
	jmp idle_loop

/* call_on_stack(stack_top, fn): run fn() on another stack; it must not return. */
	.globl call_on_stack
call_on_stack:
	mov %rdi, %rsp
	xor %ebp, %ebp
	call *%rsi
	jmp cpu_park

	.section .note.GNU-stack, "", @progbits
