/* User address spaces: creation and teardown, regions, demand faults, mmap/munmap, user pointer checks. */
#include "guest/mm/aspace.h"

#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/errno.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"
#include "guest/mm/kmap.h"

#define PAGE_MASK (PAGE_SIZE - 1)

int aspace_create(struct aspace *as)
{
	uint64_t pml4 = frame_alloc();
	pte_t *t;

	if (!pml4)
		return -ENOMEM;
	*as = (struct aspace){ .pml4 = pml4 };
	t = pt_table(pml4);
	frame_zero(pml4);
	kmap_share_kernel(t);
	return 0;
}

/* Free the frames of [start, end) that the space owns, one page table at a time. */
static void release_range(struct aspace *as, uint64_t start, uint64_t end, bool flush)
{
	for (uint64_t va = start; va < end;) {
		uint64_t table_end = (va | (LARGE_PAGE_SIZE - 1)) + 1;
		pte_t *t = pt_leaf_table(as->pml4, va, false, NULL);

		if (table_end > end)
			table_end = end;
		for (; t && va < table_end; va += PAGE_SIZE) {
			pte_t *e = &t[pt_index(va, 1)];

			if (!(*e & PTE_P))
				continue;
			if (!(*e & PTE_NOFREE))
				frame_free(*e & PTE_ADDR);
			*e = 0;
			if (flush)
				__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
		}
		va = table_end;
	}
}

void aspace_destroy(struct aspace *as)
{
	if (!as->pml4)
		return;
	for (unsigned int i = 0; i < as->nvma; i++)
		release_range(as, as->vma[i].start, as->vma[i].end, false);
	for (unsigned int i = 0; i < as->tables.n; i++)
		frame_free(as->tables.pa[i]);
	frame_free(as->pml4);
	as->pml4 = 0;
	as->nvma = 0;
	as->tables.n = 0;
}

static bool overlaps_vma(const struct aspace *as, uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < as->nvma; i++)
		if (start < as->vma[i].end && as->vma[i].start < end)
			return true;
	return false;
}

int aspace_add_vma(struct aspace *as, uint64_t start, uint64_t end, uint32_t prot, enum vma_kind kind)
{
	if ((start | end) & PAGE_MASK || start >= end || end > USER_TOP || overlaps_vma(as, start, end))
		return -EINVAL;
	if ((prot & VMA_WRITE) && (prot & VMA_EXEC))
		return -EINVAL;		/* W^X for users too */
	if (as->nvma == AS_MAX_VMAS)
		return -ENOMEM;
	as->vma[as->nvma++] = (struct vma){ start, end, prot, kind };
	return 0;
}

uint64_t aspace_pte_flags(uint32_t prot)
{
	return PTE_U | (prot & VMA_WRITE ? PTE_W : 0) | (prot & VMA_EXEC ? 0 : PTE_NX);
}

int aspace_map(struct aspace *as, uint64_t va, uint64_t pa, uint64_t flags)
{
	return pt_map(as->pml4, va, pa, flags, &as->tables) ? -ENOMEM : 0;
}

static const struct vma *find_vma(const struct aspace *as, uint64_t va)
{
	for (unsigned int i = 0; i < as->nvma; i++)
		if (va >= as->vma[i].start && va < as->vma[i].end)
			return &as->vma[i];
	return NULL;
}

/* Fault in the page at @va of anonymous region @v (not present yet). */
static int fault_in(struct aspace *as, const struct vma *v, uint64_t va)
{
	uint64_t pa = frame_alloc_zeroed();

	if (!pa)
		return -ENOMEM;
	if (aspace_map(as, va & ~PAGE_MASK, pa, aspace_pte_flags(v->prot))) {
		frame_free(pa);
		return -ENOMEM;
	}
	as->demand_faults++;
	return 0;
}

int aspace_fault(struct aspace *as, uint64_t va, uint64_t err)
{
	const struct vma *v = va < USER_TOP ? find_vma(as, va) : NULL;

	if (!v || v->kind != VMA_ANON || (err & PF_ERR_P))
		return -EFAULT;
	if (((err & PF_ERR_W) && !(v->prot & VMA_WRITE)) || ((err & PF_ERR_I) && !(v->prot & VMA_EXEC)))
		return -EFAULT;
	return fault_in(as, v, va) ? -EFAULT : 0;
}

int64_t aspace_mmap(struct aspace *as, uint64_t len, uint32_t prot)
{
	uint64_t start = USER_MMAP_BASE;

	if (len == 0 || len > USER_MMAP_END - USER_MMAP_BASE || (prot & ~(VMA_READ | VMA_WRITE)))
		return -EINVAL;
	len = (len + PAGE_MASK) & ~PAGE_MASK;
	/* First fit above USER_MMAP_BASE, leaving a one-page gap after each region. */
	for (unsigned int i = 0; i < as->nvma; i++) {
		const struct vma *v = &as->vma[i];

		if (v->end + PAGE_SIZE > start && v->start < start + len + PAGE_SIZE && v->end > USER_MMAP_BASE) {
			start = v->end + PAGE_SIZE;
			i = (unsigned int)-1;	/* rescan: regions are not sorted */
		}
	}
	if (start + len > USER_MMAP_END)
		return -ENOMEM;
	if (aspace_add_vma(as, start, start + len, prot | VMA_READ, VMA_ANON))
		return -ENOMEM;
	return (int64_t)start;
}

int aspace_munmap(struct aspace *as, uint64_t va, uint64_t len)
{
	uint64_t end;

	if ((va & PAGE_MASK) || len == 0 || va >= USER_TOP || len > USER_TOP - va)
		return -EINVAL;
	end = (va + len + PAGE_MASK) & ~PAGE_MASK;
	for (unsigned int i = 0; i < as->nvma; i++) {
		struct vma *v = &as->vma[i];
		uint64_t lo = va > v->start ? va : v->start, hi = end < v->end ? end : v->end;

		if (lo >= hi)
			continue;
		if (v->kind != VMA_ANON)
			return -EINVAL;
		if (lo > v->start && hi < v->end && as->nvma == AS_MAX_VMAS)
			return -ENOMEM;		/* a hole in the middle needs one more region */
	}
	for (unsigned int i = 0; i < as->nvma; i++) {
		struct vma *v = &as->vma[i];
		uint64_t lo = va > v->start ? va : v->start, hi = end < v->end ? end : v->end;

		if (lo >= hi)
			continue;
		release_range(as, lo, hi, true);
		if (lo == v->start && hi == v->end) {
			*v = as->vma[--as->nvma];
			i--;
		} else if (lo == v->start) {
			v->start = hi;
		} else if (hi == v->end) {
			v->end = lo;
		} else {
			as->vma[as->nvma++] = (struct vma){ hi, v->end, v->prot, v->kind };
			v->end = lo;
		}
	}
	return 0;
}

int aspace_check_user(struct aspace *as, uint64_t va, uint64_t len, bool write)
{
	uint64_t need = PTE_U | (write ? PTE_W : 0);

	if (va >= USER_TOP || len > USER_TOP - va)
		return -EFAULT;
	for (uint64_t p = va & ~PAGE_MASK; p < va + len; p += PAGE_SIZE) {
		pte_t pte;
		int level;
		uint64_t perm;

		if (pt_translate(as->pml4, p, &pte, &level, &perm)) {
			if ((perm & need) != need)
				return -EFAULT;
			continue;
		}
		if (aspace_fault(as, p, PF_ERR_U | (write ? PF_ERR_W : 0)))
			return -EFAULT;
	}
	return 0;
}
