/* User address spaces: a PML4 sharing the kernel half, regions (VMAs), demand paging, checked user pointers. */
#ifndef KEEL_GUEST_MM_ASPACE_H
#define KEEL_GUEST_MM_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/mm/paging.h"

#define AS_MAX_VMAS 12

enum vma_kind {
	VMA_IMAGE,			/* an ELF segment, mapped at load time */
	VMA_ANON,			/* zero-filled on first touch: the stack, SYS_MMAP */
	VMA_SHARED,			/* a SYS_SHM page or a device page: mapped, never freed here */
};

#define VMA_READ 0x1
#define VMA_WRITE 0x2
#define VMA_EXEC 0x4

struct vma {
	uint64_t start, end;		/* page-aligned, [start, end) */
	uint32_t prot;			/* VMA_* */
	enum vma_kind kind;
};

struct aspace {
	uint64_t pml4;			/* physical; 0 when the space is not set up */
	struct pt_tables tables;	/* tables below the PML4, freed with the space */
	struct vma vma[AS_MAX_VMAS];
	unsigned int nvma;
	uint64_t demand_faults;		/* pages faulted in */
};

/* A new space: a zeroed PML4 whose upper half is the kernel's. 0, or -ENOMEM. */
int aspace_create(struct aspace *as);

/* Free every frame the space owns and its tables. Must not be the loaded CR3. */
void aspace_destroy(struct aspace *as);

/* Record a region; for VMA_ANON nothing is mapped until it is touched. 0, -ENOMEM or -EINVAL. */
int aspace_add_vma(struct aspace *as, uint64_t start, uint64_t end, uint32_t prot, enum vma_kind kind);

/* The page-table flags (PTE_U, PTE_W, PTE_NX) for @prot. */
uint64_t aspace_pte_flags(uint32_t prot);

/* Map one page of @as (user) to @pa with @flags. 0 or -ENOMEM. */
int aspace_map(struct aspace *as, uint64_t va, uint64_t pa, uint64_t flags);

/*
 * A #PF at @va with error code @err in @as: when @va lies in an anonymous region that allows the
 * access and the page is not present, map a zeroed frame and return 0. Else -EFAULT.
 */
int aspace_fault(struct aspace *as, uint64_t va, uint64_t err);

/* SYS_MMAP: an anonymous, demand-paged region of @len bytes with @prot. Its address, or -errno. */
int64_t aspace_mmap(struct aspace *as, uint64_t len, uint32_t prot);

/* SYS_MUNMAP: unmap [va, va + len) (whole pages) of anonymous regions. 0 or -errno. */
int aspace_munmap(struct aspace *as, uint64_t va, uint64_t len);

/*
 * May the kernel read (or, with @write, write) [va, va + len) on behalf of the user? Every page must
 * be user-accessible with that permission, mapped or faulted in now from an anonymous region.
 * 0 or -EFAULT; never faults.
 */
int aspace_check_user(struct aspace *as, uint64_t va, uint64_t len, bool write);

#endif
