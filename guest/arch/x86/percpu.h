/* The per-CPU area: one struct cpu per CPU, reached through the FS base (%fs:0 points at itself). */
#ifndef KEEL_GUEST_ARCH_X86_PERCPU_H
#define KEEL_GUEST_ARCH_X86_PERCPU_H

#define GUEST_MAX_CPUS 128		/* CPUs the guest can bring up */
#define CPU_STACK_SIZE 8192		/* boot stack of each CPU */

/* Offsets used by assembly (checked against struct cpu below). */
#define CPU_OFF_STACK_TOP 0x08
#define CPU_OFF_STACK_CANARY 0x28	/* where -fstack-protector code (libfdt) reads %fs:0x28 */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct cpu {
	struct cpu *self;		/* 0x00: this struct, so %fs:0 gives its address */
	uint64_t stack_top;		/* 0x08: initial stack pointer */
	uint32_t index;			/* 0x10: 0 for the BSP, then in start order */
	uint32_t apic_id;		/* 0x14: local APIC id read by the CPU itself */
	uint32_t expected_apic_id;	/* 0x18: the id the BSP sent the start IPIs to */
	uint32_t cpuid_apic_id;		/* 0x1c: CPUID leaf 0xB EDX (or leaf 1 EBX[31:24]) on this CPU */
	uint32_t cpuid_leaf;		/* 0x20: which leaf gave cpuid_apic_id (0xb or 1) */
	uint32_t online;		/* 0x24: set (release) once the CPU has greeted */
	uint64_t stack_canary;		/* 0x28: stack protector canary */
};

_Static_assert(offsetof(struct cpu, stack_top) == CPU_OFF_STACK_TOP, "CPU_OFF_STACK_TOP");
_Static_assert(offsetof(struct cpu, stack_canary) == CPU_OFF_STACK_CANARY, "CPU_OFF_STACK_CANARY");

extern struct cpu cpus[GUEST_MAX_CPUS];
extern char cpu_stacks[GUEST_MAX_CPUS][CPU_STACK_SIZE];

/* The calling CPU's struct cpu. */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__("mov %%fs:0, %0" : "=r"(c));
	return c;
}

/* Fill in cpus[index] (stack, canary, self pointer) before the CPU runs on it. */
void percpu_prepare(unsigned int index);

/* Point this CPU's FS base at @c. */
void percpu_install(struct cpu *c);

#endif
#endif
