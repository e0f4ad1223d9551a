/* Reading hvm_start_info and the memory map and module list it points to. */
#include "guest/kernel/bootinfo.h"

#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

#define FDT_MAGIC_BYTES "\xd0\x0d\xfe\xed"	/* big-endian 0xd00dfeed */

struct boot_info boot_info;

/* A pointer to @n objects of @size bytes at @pa, or NULL when they are not all mapped. */
static const void *table(uint64_t pa, uint64_t n, uint64_t size)
{
	if (!pa || n > direct_map_end / size || !phys_mapped(pa, n * size))
		return NULL;
	return phys_to_virt(pa);
}

/* The NUL-terminated string at @pa if it is shorter than @max, else NULL. */
static const char *string_at(uint64_t pa, uint64_t max)
{
	const char *s;

	if (!pa || !phys_mapped(pa, 1))
		return NULL;
	if (!phys_mapped(pa, max))
		max = direct_map_end - pa;
	s = phys_to_virt(pa);
	return strnlen(s, max) < max ? s : NULL;
}

void bootinfo_init(uint64_t start_info_pa)
{
	struct boot_info *b = &boot_info;
	const struct hvm_start_info *si = table(start_info_pa, 1, sizeof(*si));
	const char *cmdline;

	b->start_info_pa = start_info_pa;
	if (!si || si->magic != PVH_START_MAGIC)
		return;
	b->si = si;
	cmdline = string_at(si->cmdline_paddr, KEEL_CMDLINE_MAX);
	if (cmdline) {
		b->cmdline_present = true;
		memcpy(b->cmdline, cmdline, strlen(cmdline) + 1);
	}
	if (si->version >= 1) {
		b->memmap = table(si->memmap_paddr, si->memmap_entries, sizeof(*b->memmap));
		b->memmap_entries = b->memmap ? si->memmap_entries : 0;
	}
	b->modules = table(si->modlist_paddr, si->nr_modules, sizeof(*b->modules));
	b->nr_modules = b->modules ? si->nr_modules : 0;
}

uint64_t bootinfo_ram_bytes(void)
{
	uint64_t total = 0;

	for (unsigned int i = 0; i < boot_info.memmap_entries; i++)
		if (boot_info.memmap[i].type == PVH_MEMMAP_RAM)
			total += boot_info.memmap[i].size;
	return total;
}

bool bootinfo_ram_covers(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < boot_info.memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e = &boot_info.memmap[i];

		if (e->type == PVH_MEMMAP_RAM && e->addr <= start && end - e->addr <= e->size)
			return true;
	}
	return false;
}

const void *bootinfo_fdt_module(uint64_t *size)
{
	for (unsigned int i = boot_info.nr_modules; i-- > 0;) {
		const struct hvm_modlist_entry *m = &boot_info.modules[i];
		const char *name = string_at(m->cmdline_paddr, sizeof(KEEL_FDT_MODULE_CMDLINE));

		if (!name || strcmp(name, KEEL_FDT_MODULE_CMDLINE) || m->size < 4 ||
		    !phys_mapped(m->paddr, m->size) ||
		    memcmp(phys_to_virt(m->paddr), FDT_MAGIC_BYTES, 4))
			continue;
		*size = m->size;
		return phys_to_virt(m->paddr);
	}
	return NULL;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return alen && blen && a < b + blen && b < a + alen;
}

static uint64_t string_size(uint64_t pa, uint64_t max)
{
	const char *s = string_at(pa, max);

	return s ? strlen(s) + 1 : 0;
}

bool bootinfo_overlaps(uint64_t start, uint64_t end)
{
	const struct boot_info *b = &boot_info;
	uint64_t len = end - start;

	if (!b->si)
		return false;
	if (overlaps(start, len, b->start_info_pa, sizeof(*b->si)) ||
	    overlaps(start, len, b->si->cmdline_paddr,
		     string_size(b->si->cmdline_paddr, KEEL_CMDLINE_MAX)) ||
	    overlaps(start, len, b->si->memmap_paddr,
		     (uint64_t)b->memmap_entries * sizeof(*b->memmap)) ||
	    overlaps(start, len, b->si->modlist_paddr, (uint64_t)b->nr_modules * sizeof(*b->modules)))
		return true;
	for (unsigned int i = 0; i < b->nr_modules; i++)
		if (overlaps(start, len, b->modules[i].paddr, b->modules[i].size) ||
		    overlaps(start, len, b->modules[i].cmdline_paddr,
			     string_size(b->modules[i].cmdline_paddr, KEEL_CMDLINE_MAX)))
			return true;
	return false;
}

/* Append [pa, pa + len) to @out when there is room and it is not empty. */
static void held(struct phys_range *out, unsigned int max, unsigned int *n, uint64_t pa, uint64_t len)
{
	if (len && *n < max)
		out[(*n)++] = (struct phys_range){ pa, pa + len };
}

unsigned int bootinfo_held_ranges(struct phys_range *out, unsigned int max)
{
	const struct boot_info *b = &boot_info;
	unsigned int n = 0;

	if (!b->si)
		return 0;
	held(out, max, &n, b->start_info_pa, sizeof(*b->si));
	held(out, max, &n, b->si->cmdline_paddr, string_size(b->si->cmdline_paddr, KEEL_CMDLINE_MAX));
	held(out, max, &n, b->si->memmap_paddr, (uint64_t)b->memmap_entries * sizeof(*b->memmap));
	held(out, max, &n, b->si->modlist_paddr, (uint64_t)b->nr_modules * sizeof(*b->modules));
	for (unsigned int i = 0; i < b->nr_modules; i++) {
		held(out, max, &n, b->modules[i].paddr, b->modules[i].size);
		held(out, max, &n, b->modules[i].cmdline_paddr,
		     string_size(b->modules[i].cmdline_paddr, KEEL_CMDLINE_MAX));
	}
	return n;
}
