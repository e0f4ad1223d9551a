/* Instructions that fault on purpose, for the exception and paging checks; each names its faulting instruction. */

/*
 * Each probe stores its RSP in probe_rsp right before the faulting instruction, so a check can
 * compare the frame's RSP with it; the check arms trap_expect with probe_resume (or the probe's own
 * resume label) and calls the probe. The handler resumes there with the stack as it was.
 */
	.text
	.globl probe_resume
	.globl probe_de, probe_de_insn
probe_de:				/* #DE: divide by zero */
	xor %ecx, %ecx
	mov $1, %eax
	xor %edx, %edx
	mov %rsp, probe_rsp(%rip)
probe_de_insn:
	div %rcx
probe_resume:
	ret

	.globl probe_ud, probe_ud_insn
probe_ud:				/* #UD: ud2 */
	mov %rsp, probe_rsp(%rip)
probe_ud_insn:
	ud2
	ret

	.globl probe_gp, probe_gp_insn
probe_gp:				/* #GP(0): a load from a non-canonical address */
	movabs $0x8000000000000000, %rax
	mov %rsp, probe_rsp(%rip)
probe_gp_insn:
	mov (%rax), %rax
	ret

	.globl probe_read, probe_read_insn
probe_read:				/* uint64_t probe_read(addr): a load */
	mov %rsp, probe_rsp(%rip)
probe_read_insn:
	mov (%rdi), %rax
	ret

	.globl probe_write, probe_write_insn
probe_write:				/* probe_write(addr, value): a store */
	mov %rsp, probe_rsp(%rip)
probe_write_insn:
	mov %rsi, (%rdi)
	ret

	.globl probe_exec
probe_exec:				/* probe_exec(addr): jump there (the fault is at addr itself) */
	mov %rsp, probe_rsp(%rip)
	jmp *%rdi

/*
 * probe_stack_overflow(stack_bottom): point RSP at the bottom of a stack whose guard page is below
 * it and push. The push faults (#PF on the guard page), delivering that #PF needs the same stack
 * and faults again: #DF, which the CPU takes on its IST stack. Resume at probe_overflow_resume.
 */
	.globl probe_stack_overflow, probe_overflow_insn, probe_overflow_resume
probe_stack_overflow:
	mov %rsp, probe_saved_rsp(%rip)
	mov %rdi, %rsp
	mov %rsp, probe_rsp(%rip)
probe_overflow_insn:
	push $0
probe_overflow_resume:
	mov probe_saved_rsp(%rip), %rsp
	ret

	.bss
	.balign 8
	.globl probe_rsp
probe_rsp:
	.quad 0
probe_saved_rsp:
	.quad 0

	/* A page of data (no-execute) holding a ret, for the execute-from-NX check. */
	.data
	.balign 4096
	.globl probe_nx_page
probe_nx_page:
	ret
	.balign 4096

	.section .note.GNU-stack, "", @progbits
