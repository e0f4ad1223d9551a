/* The kernel's own page tables: the image with W^X, the direct map, stacks with guard pages, a demand-paged scratch region. */
#ifndef KEEL_GUEST_MM_KMAP_H
#define KEEL_GUEST_MM_KMAP_H

#include <stdbool.h>
#include <stdint.h>

/* Physical address of the kernel's PML4 (its upper half is every address space's upper half). */
extern uint64_t kernel_pml4_pa;

/*
 * Start the frame allocator, build the kernel's page tables and switch to them: the image in 4 KiB
 * pages (text read+execute, rodata read-only, data and bss read+write, all but text no-execute),
 * the direct map (2 MiB pages, no-execute; RAM above 4 GiB added here), and the PDPTs of the stack
 * and scratch areas, so that address spaces created later share them. The boot identity map is gone.
 */
void mmu_init(void);

/* Copy the kernel half's top-level entries into the (zeroed) PML4 @pml4 of a new address space. */
void kmap_share_kernel(uint64_t *pml4);

/*
 * A kernel stack of @pages 4 KiB pages (at most 15) in its own 64 KiB slot, the rest of the slot,
 * below the stack, left unmapped: an overflow faults instead of corrupting. Returns the stack's
 * top, 0 when out of frames. Never freed.
 */
uint64_t kstack_alloc(unsigned int pages);

/* Identity-map the AP trampoline page (read+execute) in the kernel's tables, or take the map away. */
void kmap_trampoline(bool on);

/* The demand-paged scratch region: [KDEMAND_BASE, + KDEMAND_PAGES pages), faulted in on first touch. */
#define KDEMAND_PAGES 16
uint64_t kdemand_base(void);

/* Called for a kernel-mode #PF at @va: true when it was in the demand region and is mapped now. */
bool kmap_demand_fault(uint64_t va);

/* Unmap and free whatever the demand region holds; returns the number of pages freed. */
unsigned int kmap_demand_release(void);

/* Kernel-mode demand faults served so far. */
uint64_t kmap_demand_faults(void);

/* A page of the scratch area for the remapping check (not in the demand region). */
uint64_t kscratch_page(void);

#endif
