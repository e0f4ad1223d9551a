/* How the kernel reaches physical memory: the direct map at DIRECT_MAP_BASE, and kernel-image addresses. */
#ifndef KEEL_GUEST_ARCH_X86_MMU_H
#define KEEL_GUEST_ARCH_X86_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/layout.h"

/*
 * Physical address p is visible at DIRECT_MAP_BASE + p for p < direct_map_end: the low 4 GiB from
 * the start (boot_pagetables.S), RAM above that once mmu_init() has mapped it.
 */
extern uint64_t direct_map_end;

/* True when [pa, pa + len) is inside the direct map (no overflow). */
static inline bool phys_mapped(uint64_t pa, uint64_t len)
{
	return pa <= direct_map_end && len <= direct_map_end - pa;
}

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(uintptr_t)(DIRECT_MAP_BASE + pa);
}

/* The physical address behind a direct-map or kernel-image virtual address. */
static inline uint64_t virt_to_phys(const void *va)
{
	uint64_t v = (uint64_t)(uintptr_t)va;

	return v >= KERNEL_VIRT_BASE ? v - KERNEL_VIRT_BASE : v - DIRECT_MAP_BASE;
}

#endif
