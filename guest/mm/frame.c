/* The frame allocator: bump pointers over the usable RAM ranges, and a free list threaded through freed frames. */
#include "guest/mm/frame.h"

#include "guest/arch/x86/layout.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/machine.h"
#include "guest/lib/spinlock.h"

#define LOW_RESERVED (1ull << 20)	/* the first MiB: BIOS areas, boot info, the AP trampoline */

extern const char _kernel_phys_start[], _kernel_phys_end[];

static struct phys_range ranges[FRAME_MAX_RANGES];	/* sorted, page-aligned, disjoint */
static uint64_t bump[FRAME_MAX_RANGES];			/* next never-used frame of each range */
static unsigned int nranges;
static uint64_t free_list;				/* physical address of a freed frame, or 0 */
static uint64_t nfree, ntotal;
static const char *source = "none";
static struct spinlock lock;

static void add_range(uint64_t start, uint64_t end)
{
	unsigned int i;

	start = (start + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	end &= ~(PAGE_SIZE - 1);
	if (start < LOW_RESERVED)
		start = LOW_RESERVED;
	if (end <= start || nranges == FRAME_MAX_RANGES)
		return;
	for (i = nranges; i > 0 && ranges[i - 1].start > start; i--)
		ranges[i] = ranges[i - 1];
	ranges[i] = (struct phys_range){ start, end };
	nranges++;
}

/* Take [start, end) out of every range, splitting one when the hole is in its middle. */
static void exclude(uint64_t start, uint64_t end)
{
	start &= ~(PAGE_SIZE - 1);
	end = (end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	for (unsigned int i = 0; i < nranges; i++) {
		struct phys_range *r = &ranges[i];

		if (end <= r->start || start >= r->end)
			continue;
		if (start > r->start && end < r->end) {
			uint64_t tail = r->end;

			r->end = start;
			add_range(end, tail);
			return;
		}
		if (start <= r->start)
			r->start = end < r->end ? end : r->end;
		else
			r->end = start;
	}
}

static void drop_empty(void)
{
	unsigned int w = 0;

	for (unsigned int i = 0; i < nranges; i++)
		if (ranges[i].end > ranges[i].start)
			ranges[w++] = ranges[i];
	nranges = w;
}

void frame_init(void)
{
	struct phys_range held[BOOTINFO_MAX_HELD];
	unsigned int nheld;

	if (machine_has_fdt() && machine.fdt_nmemory > 0) {
		source = "FDT /memory";
		for (int i = 0; i < machine.fdt_nmemory && i < MACHINE_MAX_MEMORY_RANGES; i++)
			add_range(machine.memory[i].addr, machine.memory[i].addr + machine.memory[i].size);
	} else {
		source = "PVH memory map";
		for (unsigned int i = 0; i < boot_info.memmap_entries; i++)
			if (boot_info.memmap[i].type == PVH_MEMMAP_RAM)
				add_range(boot_info.memmap[i].addr,
					  boot_info.memmap[i].addr + boot_info.memmap[i].size);
	}
	exclude((uint64_t)(uintptr_t)_kernel_phys_start, (uint64_t)(uintptr_t)_kernel_phys_end);
	nheld = bootinfo_held_ranges(held, BOOTINFO_MAX_HELD);
	for (unsigned int i = 0; i < nheld; i++)
		exclude(held[i].start, held[i].end);
	drop_empty();
	for (unsigned int i = 0; i < nranges; i++) {
		bump[i] = ranges[i].start;
		ntotal += (ranges[i].end - ranges[i].start) / PAGE_SIZE;
	}
	nfree = ntotal;
}

uint64_t frame_alloc(void)
{
	uint64_t pa = 0;

	spin_lock(&lock);
	if (free_list) {
		pa = free_list;
		free_list = *(uint64_t *)phys_to_virt(pa);
	} else {
		for (unsigned int i = 0; i < nranges; i++) {
			if (bump[i] < ranges[i].end && ranges[i].end <= direct_map_end) {
				pa = bump[i];
				bump[i] += PAGE_SIZE;
				break;
			}
		}
	}
	if (pa)
		nfree--;
	spin_unlock(&lock);
	return pa;
}

void frame_zero(uint64_t pa)
{
	void *p = phys_to_virt(pa);
	uint64_t n = PAGE_SIZE / 8;

	__asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0ull) : "memory");
}

void frame_copy(uint64_t dst, const void *src)
{
	void *d = phys_to_virt(dst);
	uint64_t n = PAGE_SIZE / 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
}

uint64_t frame_alloc_zeroed(void)
{
	uint64_t pa = frame_alloc();

	if (pa)
		frame_zero(pa);
	return pa;
}

void frame_free(uint64_t pa)
{
	spin_lock(&lock);
	*(uint64_t *)phys_to_virt(pa) = free_list;
	free_list = pa;
	nfree++;
	spin_unlock(&lock);
}

uint64_t frame_free_count(void)
{
	return __atomic_load_n(&nfree, __ATOMIC_RELAXED);
}

uint64_t frame_total(void)
{
	return ntotal;
}

const char *frame_source(void)
{
	return source;
}

unsigned int frame_ranges(const struct phys_range **out)
{
	*out = ranges;
	return nranges;
}
