/* Setting up a CPU for the kernel: its GDT and TSS, the IDT, the syscall MSRs and its local APIC. */
#ifndef KEEL_GUEST_ARCH_X86_CPU_SETUP_H
#define KEEL_GUEST_ARCH_X86_CPU_SETUP_H

#include <stdbool.h>

#include "guest/arch/x86/percpu.h"

/* Give @c its stacks (entry stack for ring-3 entries, IST stacks), each with a guard page. */
bool cpu_alloc_stacks(struct cpu *c);

/* On the CPU itself, after percpu_install(@c) and cpu_alloc_stacks(@c). */
void cpu_setup(struct cpu *c);

#endif
