/* How the kernel reaches physical memory: today an identity map of the first 4 GiB (pagetables.S). */
#ifndef KEEL_GUEST_ARCH_X86_MMU_H
#define KEEL_GUEST_ARCH_X86_MMU_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Physical address p is visible at virtual DIRECT_MAP_BASE + p for p < DIRECT_MAP_SIZE. A higher-half
 * kernel changes these two constants (and the linker script), not the code that calls phys_to_virt().
 */
#define DIRECT_MAP_BASE 0ull
#define DIRECT_MAP_SIZE (4ull << 30)

/* True when [pa, pa + len) is inside the direct map (no overflow). */
static inline bool phys_mapped(uint64_t pa, uint64_t len)
{
	return pa <= DIRECT_MAP_SIZE && len <= DIRECT_MAP_SIZE - pa;
}

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

#endif
