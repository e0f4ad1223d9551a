/* Four-level page tables in general: walking, mapping and unmapping 4 KiB pages in a tree given by its PML4. */
#ifndef KEEL_GUEST_MM_PAGING_H
#define KEEL_GUEST_MM_PAGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/arch/x86/pte.h"

typedef uint64_t pte_t;

/* Tables a tree allocated below its PML4 (user address spaces free them; the kernel's stay). */
#define PT_MAX_TABLES 32
struct pt_tables {
	uint64_t pa[PT_MAX_TABLES];
	unsigned int n;
};

/* The table (virtual address) at physical @pa. */
pte_t *pt_table(uint64_t pa);

/* Index of @va in the table of level @level (4: PML4 ... 1: page table). */
static inline unsigned int pt_index(uint64_t va, int level)
{
	return (unsigned int)(va >> (12 + 9 * (level - 1))) & 511;
}

/*
 * The level-1 table covering @va, allocating the missing intermediate tables (zeroed, recorded in
 * @tables when it is not NULL) when @create. NULL when absent, when out of frames or when a large
 * page already maps @va.
 */
pte_t *pt_leaf_table(uint64_t pml4, uint64_t va, bool create, struct pt_tables *tables);

/* The entry of the 4 KiB page @va, or NULL (see pt_leaf_table). */
pte_t *pt_entry(uint64_t pml4, uint64_t va, bool create, struct pt_tables *tables);

/* Map the 4 KiB page @va to frame @pa with @flags (PTE_P added). 0, or -1 when out of frames. */
int pt_map(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t flags, struct pt_tables *tables);

/* Unmap page @va and invalidate it on this CPU; returns the old entry (0 when none). */
pte_t pt_unmap(uint64_t pml4, uint64_t va);

/*
 * Translate @va like the CPU would: the final entry in *@pte, the level it sits at in *@level
 * (1: 4 KiB, 2: 2 MiB, 3: 1 GiB) and the effective permissions (W, U, NX combined over the walk) in
 * *@perm. False when @va is not mapped.
 */
bool pt_translate(uint64_t pml4, uint64_t va, pte_t *pte, int *level, uint64_t *perm);

#endif
