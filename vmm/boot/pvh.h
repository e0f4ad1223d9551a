/* The PVH start information: hvm_start_info, memory map, module list and command lines in keel's boot area. */
#ifndef KEEL_VMM_BOOT_PVH_H
#define KEEL_VMM_BOOT_PVH_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "vmm/memory.h"

/* Memory map entries at most: low RAM, the legacy hole, RAM from 1 MiB, one per other region. */
#define PVH_MEMMAP_MAX (GMEM_MAX_REGIONS + 2)

/* A module handed to the guest in the module list. */
struct pvh_module {
	uint64_t paddr;			/* guest-physical start */
	uint64_t size;			/* bytes */
	const char *cmdline;		/* module command line, or NULL for none */
};

/* The bytes of guest [KEEL_BOOT_INFO_GPA, + KEEL_BOOT_INFO_SIZE), built on the host first. */
struct pvh_block {
	uint8_t bytes[KEEL_BOOT_INFO_SIZE];
	size_t used;			/* bytes from the start that pvh_write() copies */
	uint64_t start_info_gpa;	/* where hvm_start_info lands (handed to the guest in %ebx) */
	uint64_t cmdline_gpa;		/* where the command line lands */
};

/*
 * pvh_memmap - the PVH (E820-style) memory map of @mem into @out (room for @max entries):
 * RAM [0, KEEL_LOW_RAM_END), reserved [KEEL_LOW_RAM_END, 1 MiB), RAM [1 MiB, end of low RAM),
 * then RAM for each region above 4 GiB. Returns the number of entries or -ENOSPC.
 */
int pvh_memmap(const struct guest_mem *mem, struct hvm_memmap_table_entry *out, unsigned int max);

/*
 * pvh_check_cmdline - 0 when @cmdline fits (at most KEEL_CMDLINE_MAX - 1 bytes), else -EINVAL
 * with one line in @err (@errlen bytes).
 */
int pvh_check_cmdline(const char *cmdline, char *err, size_t errlen);

/*
 * pvh_build - lay out hvm_start_info (with @rsdp_gpa, 0: no ACPI), the memory map of @mem, the
 * @nmods modules of @mods (in that order) with their command lines, and @cmdline into @blk. Touches no guest RAM. Returns 0,
 * or -EINVAL with one line in @err (@errlen bytes) when @cmdline is longer than
 * KEEL_CMDLINE_MAX - 1 bytes or everything does not fit in the boot area.
 */
int pvh_build(struct pvh_block *blk, const struct guest_mem *mem, const char *cmdline,
	      const struct pvh_module *mods, unsigned int nmods, uint64_t rsdp_gpa, char *err, size_t errlen);

/* pvh_write - copy @blk into guest RAM at KEEL_BOOT_INFO_GPA; returns 0 or gmem_write()'s error. */
int pvh_write(const struct guest_mem *mem, const struct pvh_block *blk);

#endif
