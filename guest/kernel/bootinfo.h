/* What the loader handed over through PVH: start info, command line, memory map, modules. */
#ifndef KEEL_GUEST_KERNEL_BOOTINFO_H
#define KEEL_GUEST_KERNEL_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"

struct boot_info {
	uint64_t start_info_pa;				/* %ebx at entry */
	const struct hvm_start_info *si;		/* NULL unless the magic matched */
	bool cmdline_present;				/* cmdline_paddr given, mapped and NUL-terminated */
	char cmdline[KEEL_CMDLINE_MAX];			/* a copy ("" when absent) */
	const struct hvm_memmap_table_entry *memmap;	/* NULL when absent or unmapped */
	unsigned int memmap_entries;
	const struct hvm_modlist_entry *modules;	/* NULL when absent or unmapped */
	unsigned int nr_modules;
};

extern struct boot_info boot_info;

/* Read the hvm_start_info at physical @start_info_pa (validating what can be validated). */
void bootinfo_init(uint64_t start_info_pa);

/* Bytes of RAM (PVH_MEMMAP_RAM) in the memory map. */
uint64_t bootinfo_ram_bytes(void);

/* True when [start, end) lies inside one RAM entry of the memory map. */
bool bootinfo_ram_covers(uint64_t start, uint64_t end);

/*
 * The device tree module: the last module whose command line is KEEL_FDT_MODULE_CMDLINE and whose
 * bytes start with the FDT magic. Returns its address (and size in *@size), or NULL.
 */
const void *bootinfo_fdt_module(uint64_t *size);

/* What the loader left for us (start info, memory map, module list, modules, strings), as ranges. */
#define BOOTINFO_MAX_HELD 24
struct phys_range;
unsigned int bootinfo_held_ranges(struct phys_range *out, unsigned int max);

/* True when [start, end) overlaps what the loader left for us: start info, memory map, modules, strings. */
bool bootinfo_overlaps(uint64_t start, uint64_t end);

#endif
