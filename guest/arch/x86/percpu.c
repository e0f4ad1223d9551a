/* Per-CPU areas and boot stacks, and installing one as the FS base of a CPU. */
#include "guest/arch/x86/percpu.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/msr.h"

struct cpu cpus[GUEST_MAX_CPUS];

/* Not zeroed by the kernel (the loader may, it does not matter): head.S uses cpu_stacks[0] for the BSP. */
char cpu_stacks[GUEST_MAX_CPUS][CPU_STACK_SIZE] __attribute__((section(".noinit"), aligned(16)));

void percpu_prepare(unsigned int index)
{
	struct cpu *c = &cpus[index];
	uint64_t tsc = rdtsc();

	c->self = c;
	c->index = index;
	c->stack_top = (uint64_t)(uintptr_t)(cpu_stacks[index] + CPU_STACK_SIZE);
	/* Any value works as long as it does not change under a protected frame; make it vary. */
	c->stack_canary = (tsc * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)index << 56) ^ 0x00ff0a0dull;
}

void percpu_install(struct cpu *c)
{
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)c);
}
