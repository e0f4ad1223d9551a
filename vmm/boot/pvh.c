/* Building the PVH start information on the host, then writing it into keel's boot area in one copy. */
#include "vmm/boot/pvh.h"

#include "vmm/boot/msg.h"

#include <errno.h>
#include <string.h>

int pvh_memmap(const struct guest_mem *mem, struct hvm_memmap_table_entry *out, unsigned int max)
{
	unsigned int n = 0;

#define ADD(a, s, t)                                                                              \
	do {                                                                                      \
		if (n == max)                                                                     \
			return -ENOSPC;                                                           \
		out[n++] = (struct hvm_memmap_table_entry){ .addr = (a), .size = (s), .type = (t) }; \
	} while (0)

	for (unsigned int i = 0; i < mem->nregions; i++) {
		const struct gmem_region *r = &mem->regions[i];

		if (r->gpa != 0) {
			ADD(r->gpa, r->size, PVH_MEMMAP_RAM);
			continue;
		}
		/* Low RAM: conventional memory, the legacy VGA/ROM hole, then RAM from 1 MiB on. */
		ADD(0, r->size < KEEL_LOW_RAM_END ? r->size : KEEL_LOW_RAM_END, PVH_MEMMAP_RAM);
		ADD(KEEL_LOW_RAM_END, KEEL_HIGH_MEM_START - KEEL_LOW_RAM_END, PVH_MEMMAP_RESERVED);
		if (r->size > KEEL_HIGH_MEM_START)
			ADD(KEEL_HIGH_MEM_START, r->size - KEEL_HIGH_MEM_START, PVH_MEMMAP_RAM);
	}
#undef ADD
	return (int)n;
}

/*
 * Reserve @len bytes aligned to @align in @blk and copy @src there (when given). Returns their
 * guest-physical address, or 0 when the boot area is full (it never starts at 0).
 */
static uint64_t place(struct pvh_block *blk, const void *src, size_t len, size_t align)
{
	size_t at = (blk->used + align - 1) & ~(align - 1);

	if (at > sizeof(blk->bytes) || len > sizeof(blk->bytes) - at)
		return 0;
	if (src)
		memcpy(blk->bytes + at, src, len);
	blk->used = at + len;
	return KEEL_BOOT_INFO_GPA + at;
}

int pvh_check_cmdline(const char *cmdline, char *err, size_t errlen)
{
	size_t len = strlen(cmdline);

	if (len > KEEL_CMDLINE_MAX - 1)
		return boot_errf(err, errlen, "command line is %zu bytes, longer than keel's limit of %u",
				 len, KEEL_CMDLINE_MAX - 1);
	return 0;
}

int pvh_build(struct pvh_block *blk, const struct guest_mem *mem, const char *cmdline,
	      const struct pvh_module *mods, unsigned int nmods, uint64_t rsdp_gpa, char *err, size_t errlen)
{
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	struct hvm_start_info si = { .magic = PVH_START_MAGIC, .version = PVH_START_VERSION };
	uint64_t si_gpa, modlist_gpa = 0;
	int nmap, r, full;

	r = pvh_check_cmdline(cmdline, err, errlen);
	if (r)
		return r;
	nmap = pvh_memmap(mem, map, PVH_MEMMAP_MAX);
	if (nmap < 0)
		return boot_errf(err, errlen, "the memory map has more than %d entries", PVH_MEMMAP_MAX);
	memset(blk, 0, sizeof(*blk));
	/* hvm_start_info first (filled in last), the memory map, the module list, then strings. */
	si_gpa = place(blk, NULL, sizeof(si), 8);
	si.memmap_paddr = place(blk, map, (size_t)nmap * sizeof(map[0]), 8);
	full = !si_gpa || !si.memmap_paddr;
	if (nmods) {
		modlist_gpa = place(blk, NULL, nmods * sizeof(struct hvm_modlist_entry), 8);
		full |= !modlist_gpa;
	}
	for (unsigned int i = 0; !full && i < nmods; i++) {
		struct hvm_modlist_entry e = { .paddr = mods[i].paddr, .size = mods[i].size };

		if (mods[i].cmdline) {
			e.cmdline_paddr = place(blk, mods[i].cmdline, strlen(mods[i].cmdline) + 1, 1);
			full |= !e.cmdline_paddr;
		}
		memcpy(blk->bytes + (modlist_gpa - KEEL_BOOT_INFO_GPA) + i * sizeof(e), &e, sizeof(e));
	}
	si.cmdline_paddr = full ? 0 : place(blk, cmdline, strlen(cmdline) + 1, 1);
	if (full || !si.cmdline_paddr)
		return boot_errf(err, errlen, "boot information does not fit in keel's %s boot area",
				 boot_size(KEEL_BOOT_INFO_SIZE).s);
	si.memmap_entries = (unsigned int)nmap;
	si.nr_modules = nmods;
	si.modlist_paddr = modlist_gpa;
	si.rsdp_paddr = rsdp_gpa;
	memcpy(blk->bytes + (si_gpa - KEEL_BOOT_INFO_GPA), &si, sizeof(si));
	blk->start_info_gpa = si_gpa;
	blk->cmdline_gpa = si.cmdline_paddr;
	return 0;
}

int pvh_write(const struct guest_mem *mem, const struct pvh_block *blk)
{
	return gmem_write(mem, KEEL_BOOT_INFO_GPA, blk->bytes, blk->used);
}
