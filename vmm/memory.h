/* Guest RAM: one anonymous mapping in keel, laid out in up to two guest-physical regions, and the one checked GPA translation. */
#ifndef KEEL_VMM_MEMORY_H
#define KEEL_VMM_MEMORY_H

#include <stddef.h>
#include <stdint.h>

#define GMEM_MAX_REGIONS 2
#define GMEM_MIN_SIZE (4ull << 20)	/* smallest --mem keel accepts */
#define GMEM_MAX_SIZE (1ull << 40)	/* largest --mem keel accepts */
#define GMEM_ALIGN (2ull << 20)		/* alignment of guest RAM in keel (a huge page) */

struct gmem_region {
	uint64_t gpa;		/* first guest-physical address */
	uint64_t size;		/* bytes */
	uint8_t *hva;		/* where keel sees it */
};

struct guest_mem {
	uint8_t *base;		/* the whole of guest RAM in keel, 2 MiB-aligned */
	uint64_t size;		/* total RAM in bytes */
	unsigned int nregions;
	struct gmem_region regions[GMEM_MAX_REGIONS];
};

/*
 * gmem_init - map @size bytes of zeroed guest RAM (huge pages advised) and lay it out:
 * [0, min(size, 3 GiB)) and, for the rest, [4 GiB, ...). @size must be a multiple of 4 KiB
 * within [GMEM_MIN_SIZE, GMEM_MAX_SIZE]. Returns 0 or -EINVAL / -ENOMEM / -errno.
 */
int gmem_init(struct guest_mem *m, uint64_t size);

/* gmem_destroy - unmap and close; safe on a zeroed or half-initialised struct. */
void gmem_destroy(struct guest_mem *m);

/*
 * gmem_translate - THE checked guest-physical to host translation. Every guest address keel
 * touches goes through here. [@gpa, @gpa + @len) must lie entirely inside one RAM region,
 * with no overflow; @len must be at least 1. On success stores the host pointer in *@hva
 * and returns 0; otherwise returns -EFAULT (outside RAM or overflow) or -EINVAL (@len 0).
 */
int gmem_translate(const struct guest_mem *m, uint64_t gpa, uint64_t len, void **hva);

/* gmem_read / gmem_write - copy through gmem_translate; return 0 or its error. */
int gmem_read(const struct guest_mem *m, uint64_t gpa, void *dst, size_t len);
int gmem_write(const struct guest_mem *m, uint64_t gpa, const void *src, size_t len);

#endif
