/* PVH boot protocol structures (hvm_start_info, memory map, modules) shared by the VMM and the guest. */
#ifndef KEEL_FIRMWARE_PVH_H
#define KEEL_FIRMWARE_PVH_H

/*
 * Written from the PVH boot ABI as documented by Xen (arch-x86/hvm/start_info.h)
 * and followed by Linux, QEMU and Firecracker. Everything is little-endian and
 * fixed-size so that both the 64-bit VMM and a freestanding guest include it.
 * No libc headers: the guest has none.
 */

#define PVH_START_MAGIC 0x336ec578u	/* hvm_start_info.magic */
#define PVH_START_VERSION 1u		/* version with the memory map */
#define XEN_ELFNOTE_PHYS32_ENTRY 18u	/* ELF note type holding the 32-bit entry */
#define XEN_ELFNOTE_NAME "Xen"		/* owner name of that note */
#define LINUX_NOTE_NAME "Linux"		/* owner of the notes a Linux vmlinux carries (build salt...) */

/* E820-style memory map entry types (hvm_memmap_table_entry.type). */
#define PVH_MEMMAP_RAM 1u
#define PVH_MEMMAP_RESERVED 2u
#define PVH_MEMMAP_ACPI 3u
#define PVH_MEMMAP_NVS 4u

/* The module keel uses for its flattened device tree carries this command line. */
#define KEEL_FDT_MODULE_CMDLINE "keel,fdt"

struct hvm_start_info {
	unsigned int magic;		/* PVH_START_MAGIC */
	unsigned int version;		/* PVH_START_VERSION */
	unsigned int flags;		/* SIF_* flags, 0 here */
	unsigned int nr_modules;	/* entries in the module list */
	unsigned long long modlist_paddr; /* guest-physical address of hvm_modlist_entry[] */
	unsigned long long cmdline_paddr; /* guest-physical address of a NUL-terminated string */
	unsigned long long rsdp_paddr;	/* ACPI RSDP, 0 when none is given */
	unsigned long long memmap_paddr; /* guest-physical address of hvm_memmap_table_entry[] */
	unsigned int memmap_entries;	/* entries in the memory map */
	unsigned int reserved;		/* must be 0 */
};

struct hvm_modlist_entry {
	unsigned long long paddr;	/* start of the module */
	unsigned long long size;	/* its size in bytes */
	unsigned long long cmdline_paddr; /* NUL-terminated module command line, or 0 */
	unsigned long long reserved;	/* must be 0 */
};

struct hvm_memmap_table_entry {
	unsigned long long addr;	/* start of the range */
	unsigned long long size;	/* size of the range */
	unsigned int type;		/* PVH_MEMMAP_* */
	unsigned int reserved;		/* must be 0 */
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry layout");

#endif
