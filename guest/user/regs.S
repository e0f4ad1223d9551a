/* User program "regs": fills every general register with a pattern and checks it survives syscalls or preemption. */
#include "guest/user/abi.h"
#include "guest/user/progs.h"

/*
 * int main(mode, units, _): REGS_T_SYSCALL makes one syscall with all registers set and checks all
 * but RAX, RCX and R11 (SYSCALL's own). REGS_T_PREEMPT spins units * 2^20 turns comparing all 15
 * registers (the turn counter lives in memory) while the timer preempts it. Returns 0, or 1 + the
 * index of the first register found changed (order of the `regs` table below).
 */
	.text
	.globl main
main:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rdi, mode(%rip)
	shl $20, %rsi
	mov %rsi, turns(%rip)
	/* expect[i] = pattern[i] ^ (pid << 40): tasks running side by side use different values. */
	mov $SYS_GETPID, %eax
	syscall
	shl $40, %rax
	lea pattern(%rip), %rsi
	lea expect(%rip), %rdi
	mov $15, %ecx
1:	mov (%rsi), %rdx
	xor %rax, %rdx
	mov %rdx, (%rdi)
	add $8, %rsi
	add $8, %rdi
	dec %ecx
	jnz 1b
	mov %rsp, saved_rsp(%rip)
	cmpq $REGS_T_SYSCALL, mode(%rip)
	je syscall_test
	cmpq $REGS_T_PREEMPT, mode(%rip)
	je preempt_test
	mov $127, %eax
	jmp out

	.macro LOAD_ALL
	mov expect + 0*8(%rip), %rax
	mov expect + 1*8(%rip), %rbx
	mov expect + 2*8(%rip), %rcx
	mov expect + 3*8(%rip), %rdx
	mov expect + 4*8(%rip), %rsi
	mov expect + 5*8(%rip), %rdi
	mov expect + 6*8(%rip), %rbp
	mov expect + 7*8(%rip), %r8
	mov expect + 8*8(%rip), %r9
	mov expect + 9*8(%rip), %r10
	mov expect + 10*8(%rip), %r11
	mov expect + 11*8(%rip), %r12
	mov expect + 12*8(%rip), %r13
	mov expect + 13*8(%rip), %r14
	mov expect + 14*8(%rip), %r15
	.endm

	.macro CHECK reg, idx
	cmp expect + \idx*8(%rip), \reg
	jne fail_\idx
	.endm

syscall_test:
	LOAD_ALL
	mov $SYS_GETPID, %eax
	syscall
	CHECK %rbx, 1
	CHECK %rdx, 3
	CHECK %rsi, 4
	CHECK %rdi, 5
	CHECK %rbp, 6
	CHECK %r8, 7
	CHECK %r9, 8
	CHECK %r10, 9
	CHECK %r12, 11
	CHECK %r13, 12
	CHECK %r14, 13
	CHECK %r15, 14
	xor %eax, %eax
	jmp out

preempt_test:
	LOAD_ALL
2:	CHECK %rax, 0
	CHECK %rbx, 1
	CHECK %rcx, 2
	CHECK %rdx, 3
	CHECK %rsi, 4
	CHECK %rdi, 5
	CHECK %rbp, 6
	CHECK %r8, 7
	CHECK %r9, 8
	CHECK %r10, 9
	CHECK %r11, 10
	CHECK %r12, 11
	CHECK %r13, 12
	CHECK %r14, 13
	CHECK %r15, 14
	subq $1, turns(%rip)
	jnz 2b
	xor %eax, %eax
	jmp out

	.irp idx, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14
fail_\idx:
	mov $(\idx + 1), %eax
	jmp out
	.endr

out:
	mov saved_rsp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.section .rodata
	.balign 8
/* rax rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15 */
pattern:
	.quad 0x0a0a0a0a0a0a0a0a, 0x0b0b0b0b0b0b0b0b, 0x0c0c0c0c0c0c0c0c, 0x0d0d0d0d0d0d0d0d
	.quad 0x5151515151515151, 0xd1d1d1d1d1d1d1d1, 0xb9b9b9b9b9b9b9b9, 0x0808080808080808
	.quad 0x0909090909090909, 0x1010101010101010, 0x1111111111111111, 0x1212121212121212
	.quad 0x1313131313131313, 0x1414141414141414, 0x1515151515151515

	.bss
	.balign 8
expect:
	.skip 15 * 8
mode:
	.quad 0
turns:
	.quad 0
saved_rsp:
	.quad 0

	.section .note.GNU-stack, "", @progbits
