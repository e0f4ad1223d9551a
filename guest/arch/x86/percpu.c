/* Per-CPU areas, and installing one as the FS and GS base of a CPU. */
#include "guest/arch/x86/percpu.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/msr.h"

struct cpu cpus[GUEST_MAX_CPUS];

void percpu_prepare(unsigned int index)
{
	struct cpu *c = &cpus[index];
	uint64_t tsc = rdtsc();

	c->self = c;
	c->index = index;
	/* Any value works as long as it does not change under a protected frame; make it vary. */
	c->stack_canary = (tsc * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)index << 56) ^ 0x00ff0a0dull;
}

void percpu_install(struct cpu *c)
{
	wrmsr(MSR_FS_BASE, (uint64_t)(uintptr_t)c);
	wrmsr(MSR_GS_BASE, (uint64_t)(uintptr_t)c);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
}
