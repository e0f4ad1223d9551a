/* The physical page allocator: 4 KiB frames from the RAM the device tree or the PVH memory map describes. */
#ifndef KEEL_GUEST_MM_FRAME_H
#define KEEL_GUEST_MM_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#define FRAME_MAX_RANGES 32

struct phys_range {
	uint64_t start, end;		/* [start, end) */
};

/*
 * Collect RAM (FDT /memory when the tree is usable, else the PVH memory map's RAM entries), minus
 * the first MiB, the kernel image and everything the loader handed over, and start handing it out.
 * Frames below 4 GiB come first; those above only once mmu_init() has mapped them.
 */
void frame_init(void);

/* A frame (physical address), or 0 when none is left. Its contents are undefined. */
uint64_t frame_alloc(void);

/* A frame filled with zeros (rep stosq through the direct map), or 0. */
uint64_t frame_alloc_zeroed(void);

/* Give a frame back. */
void frame_free(uint64_t pa);

/* Frames free now, and frames managed in all. */
uint64_t frame_free_count(void);
uint64_t frame_total(void);

/* "FDT /memory" or "PVH memory map": where the RAM list came from. */
const char *frame_source(void);

/* The ranges frames come from (after the exclusions), for checks. */
unsigned int frame_ranges(const struct phys_range **out);

/* Zero or copy one 4 KiB frame through the direct map. */
void frame_zero(uint64_t pa);
void frame_copy(uint64_t dst, const void *src);

#endif
