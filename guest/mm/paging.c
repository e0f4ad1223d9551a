/* Walking and editing four-level page tables through the direct map. */
#include "guest/mm/paging.h"

#include "guest/arch/x86/cr.h"
#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/mm/frame.h"

pte_t *pt_table(uint64_t pa)
{
	return phys_to_virt(pa & PTE_ADDR);
}

pte_t *pt_leaf_table(uint64_t pml4, uint64_t va, bool create, struct pt_tables *tables)
{
	pte_t *t = pt_table(pml4);
	/* Intermediate entries grant everything; the leaf entry decides. User halves need U all the way. */
	uint64_t inter = PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);

	for (int level = 4; level > 1; level--) {
		pte_t *e = &t[pt_index(va, level)];

		if (!(*e & PTE_P)) {
			uint64_t pa;

			if (!create || (tables && tables->n == PT_MAX_TABLES))
				return NULL;
			pa = frame_alloc_zeroed();
			if (!pa)
				return NULL;
			if (tables)
				tables->pa[tables->n++] = pa;
			*e = pa | inter;
		} else if (*e & PTE_PS) {
			return NULL;
		}
		t = pt_table(*e);
	}
	return t;
}

pte_t *pt_entry(uint64_t pml4, uint64_t va, bool create, struct pt_tables *tables)
{
	pte_t *t = pt_leaf_table(pml4, va, create, tables);

	return t ? &t[pt_index(va, 1)] : NULL;
}

int pt_map(uint64_t pml4, uint64_t va, uint64_t pa, uint64_t flags, struct pt_tables *tables)
{
	pte_t *e = pt_entry(pml4, va, true, tables);

	if (!e)
		return -1;
	*e = (pa & PTE_ADDR) | flags | PTE_P;
	return 0;
}

pte_t pt_unmap(uint64_t pml4, uint64_t va)
{
	pte_t *e = pt_entry(pml4, va, false, NULL), old;

	if (!e || !(*e & PTE_P))
		return 0;
	old = *e;
	*e = 0;
	invlpg(va);
	return old;
}

bool pt_translate(uint64_t pml4, uint64_t va, pte_t *pte, int *level, uint64_t *perm)
{
	pte_t *t = pt_table(pml4);
	uint64_t p = PTE_W | PTE_U;
	bool nx = false;

	for (int l = 4; l >= 1; l--) {
		pte_t e = t[pt_index(va, l)];

		if (!(e & PTE_P))
			return false;
		p &= e;
		nx |= (e & PTE_NX) != 0;
		if (l == 1 || (l <= 3 && (e & PTE_PS))) {
			*pte = e;
			*level = l;
			*perm = p | (nx ? PTE_NX : 0);
			return true;
		}
		t = pt_table(e);
	}
	return false;
}
