/* The user-mode probes: enter ring 3 with iretq or sysretq at a page that makes a syscall, and come back. */
#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/gdt.h"

	.text
/*
 * uint64_t umode_probe(uint64_t user_rip, int use_sysret, uint64_t rflags): enter ring 3 at
 * @user_rip with @rflags (interrupts off there). Whatever comes next - the syscall, or an exception - lands in umode_probe_syscall()
 * or umode_probe_trap(), which resume at umode_probe_resume in ring 0.
 */
	.globl umode_probe, umode_probe_sysret, umode_probe_iret, umode_probe_resume
umode_probe:
	push %rbx
	push %rbp
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, umode_probe_rsp(%rip)
	test %esi, %esi
	jnz 1f
	pushq $USER_DS
	pushq $0
	push %rdx
	pushq $USER_CS
	push %rdi
	swapgs
umode_probe_iret:
	iretq
1:	mov %rdi, %rcx
	mov %rdx, %r11
	swapgs
umode_probe_sysret:
	sysretq
umode_probe_resume:
	mov umode_probe_rsp(%rip), %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbp
	pop %rbx
	ret

	.bss
	.balign 8
	.globl umode_probe_rsp
umode_probe_rsp:
	.quad 0

/* The probes' user code, on a page of its own (mapped user read+execute). */
	.section .user_programs, "a"
	.balign 4096
	.globl umode_probe_user_page
umode_probe_user_page:
	syscall
	ud2
	.balign 4096

	.section .note.GNU-stack, "", @progbits
