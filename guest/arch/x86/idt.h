/* The interrupt descriptor table: today the 32 exception vectors, all reporting a fatal error. */
#ifndef KEEL_GUEST_ARCH_X86_IDT_H
#define KEEL_GUEST_ARCH_X86_IDT_H

#include <stdint.h>

/* Registers saved by vectors.S, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;	/* pushed by the CPU */
};

/* Fill the IDT (BSP, once). */
void idt_init(void);

/* Load it on the calling CPU. */
void idt_load(void);

/* Load an IDT of limit 0 and execute ud2: the CPU triple-faults. */
__attribute__((noreturn)) void idt_triple_fault(void);

/* Called by vectors.S; reports the exception and ends the VM as failed. */
__attribute__((noreturn)) void trap_exception(struct trap_frame *f);

#endif
