/* The per-CPU area: one struct cpu per CPU, reached through GS in the kernel (swapgs) and FS (the stack canary). */
#ifndef KEEL_GUEST_ARCH_X86_PERCPU_H
#define KEEL_GUEST_ARCH_X86_PERCPU_H

#define GUEST_MAX_CPUS 128		/* CPUs the guest can bring up */

/* Offsets used by assembly (checked against struct cpu below). */
#define CPU_OFF_ENTRY_STACK 0x08
#define CPU_OFF_USER_RSP 0x10
#define CPU_OFF_BOOT_STACK 0x20
#define CPU_OFF_STACK_CANARY 0x28	/* where -fstack-protector code (libfdt) reads %fs:0x28 */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/gdt.h"

/* A fault a check provokes on purpose: the handler records it and resumes at resume_rip. */
struct trap_expect {
	uint32_t armed;			/* set by trap_expect_arm(), cleared when hit */
	uint32_t vector;		/* the exception expected */
	uint64_t resume_rip;		/* where the faulting code continues */
	uint32_t hits;
	uint64_t cr2;			/* CR2 at the fault */
	uint64_t handler_rsp;		/* the frame's address: tells which stack the handler ran on */
	struct trap_frame frame;	/* the frame as the CPU and the stub built it */
};

struct sched_cpu;

struct cpu {
	struct cpu *self;		/* 0x00: this struct, so %gs:0 (and %fs:0) give its address */
	uint64_t entry_stack_top;	/* 0x08: TSS.RSP0, the stack of entries from ring 3 */
	uint64_t user_rsp;		/* 0x10: the syscall entry parks the user's RSP here */
	uint32_t index;			/* 0x18: 0 for the BSP, then in start order */
	uint32_t apic_id;		/* 0x1c: local APIC id read by the CPU itself */
	uint64_t boot_stack_top;	/* 0x20: stack the CPU runs its kernel thread (main or idle) on */
	uint64_t stack_canary;		/* 0x28: stack protector canary */
	uint32_t expected_apic_id;	/* the id the BSP sent the start IPIs to */
	uint32_t cpuid_apic_id;		/* CPUID leaf 0xB EDX (or leaf 1 EBX[31:24]) on this CPU */
	uint32_t cpuid_leaf;		/* which leaf gave cpuid_apic_id (0xb or 1) */
	uint32_t online;		/* set (release) once the CPU has greeted */
	uint64_t ist_top[3];		/* tops of the IST stacks (#DF, NMI, #MC) */
	uint64_t gdt_base;		/* sgdt and str as the CPU itself reported them */
	uint16_t tr;
	struct cpu_tables tables;	/* this CPU's GDT and TSS */
	struct trap_expect expect;
	uint64_t timer_ticks;		/* LAPIC timer interrupts */
	uint64_t last_timer_tsc;	/* TSC read by the last one */
	uint64_t ipi_pings, ipi_pongs;	/* test IPIs received */
	uint64_t spurious, stray;	/* spurious-vector and unassigned-vector interrupts */
	uint64_t nmis;
	uint64_t nmi_rsp;		/* frame address of the last NMI */
	uint32_t quiesce;		/* asked to stop (the run is over) */
	struct sched_cpu *sched;	/* run queue and current task */
};

_Static_assert(offsetof(struct cpu, entry_stack_top) == CPU_OFF_ENTRY_STACK, "CPU_OFF_ENTRY_STACK");
_Static_assert(offsetof(struct cpu, user_rsp) == CPU_OFF_USER_RSP, "CPU_OFF_USER_RSP");
_Static_assert(offsetof(struct cpu, boot_stack_top) == CPU_OFF_BOOT_STACK, "CPU_OFF_BOOT_STACK");
_Static_assert(offsetof(struct cpu, stack_canary) == CPU_OFF_STACK_CANARY, "CPU_OFF_STACK_CANARY");

extern struct cpu cpus[GUEST_MAX_CPUS];

/* The calling CPU's struct cpu (GS base in the kernel). */
static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__("mov %%gs:0, %0" : "=r"(c));
	return c;
}

/* Fill in cpus[index] (self pointer, canary) before the CPU uses it. */
void percpu_prepare(unsigned int index);

/* Point this CPU's FS and GS bases at @c (the user's GS base, 0, waits in KERNEL_GS_BASE). */
void percpu_install(struct cpu *c);
#endif

#endif
