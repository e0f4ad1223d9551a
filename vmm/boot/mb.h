/* What Multiboot 1 and 2 share: loading by ELF or by address fields, RAM checks, modules after the kernel, the information block and the check/load flow. */
#ifndef KEEL_VMM_BOOT_MB_H
#define KEEL_VMM_BOOT_MB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/le.h"
#include "firmware/machine.h"
#include "vmm/boot/boot.h"
#include "vmm/boot/elf.h"
#include "vmm/boot/pvh.h"
#include "vmm/memory.h"

/* The boot information, built on the host, copied to guest [KEEL_BOOT_INFO_GPA, + used) in one go. */
struct mb_block {
	uint8_t bytes[KEEL_BOOT_INFO_SIZE];
	size_t used;
};

/* The address fields of a Multiboot 1 header (flag 16) or a Multiboot 2 address tag. */
struct mb_addr {
	uint64_t hdr_off;		/* where the header is in the file */
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
	bool from_start_ok;		/* Multiboot 2: load_addr 0xffffffff means "from the file's start" */
};

/* Everything decided before the first byte goes into guest RAM. */
struct mb_plan {
	struct elf_image kernel;	/* ELF segments, or one segment from the address fields */
	bool aout;			/* loaded by the address fields */
	uint64_t entry;			/* physical, below 4 GiB */
	uint64_t mod_gpa[BOOT_MODULES_MAX];
	struct boot_acpi acpi;
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];	/* the same map PVH and Linux guests get */
	unsigned int nmap;
	uint32_t mem_lower, mem_upper;	/* KiB */
	struct mb_block info;
	uint64_t info_gpa;
	uint64_t cmdline_gpa;		/* the command line string inside the information */
	uint32_t mb1_flags;		/* Multiboot 1: the header's flags */
	bool want_load_base;		/* Multiboot 2: a relocatable tag or a request for tag 21 */
};

/* One version: parse the header into @p (image, entry), then build the information block. */
struct mb_version {
	const char *what;		/* "Multiboot 1" ..., for messages */
	int (*header)(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen);
	int (*info)(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen);
};

/* mb_check / mb_load - a protocol's check and load for version @v (same contract as struct boot_protocol). */
int mb_check(const struct mb_version *v, const struct guest_mem *mem, const struct boot_request *req, char *err,
	     size_t errlen);
int mb_load(const struct mb_version *v, struct guest_mem *mem, const struct boot_request *req,
	    struct boot_result *res, char *err, size_t errlen);


/*
 * mb_find - the offset of the first @magic at a multiple of @align in the first @window bytes of
 * @file at or after @from, or -1. Used by the probes (any magic claims the kernel) and the headers.
 */
long mb_find(const uint8_t *file, size_t size, uint32_t magic, size_t window, size_t align, size_t from);

/* A header's magic: where it may be, and how many words its checksum covers. */
struct mb_magic {
	const char *what;		/* "Multiboot", "Multiboot 2" */
	uint32_t magic;
	unsigned int window, align;	/* in the first @window bytes, at multiples of @align */
	unsigned int words;		/* the checksum is the last of these; they sum to 0 */
	const char *summed;		/* their names, for the message: "magic + flags" */
};

/*
 * mb_find_header - the offset of the first @m header of @req's kernel whose words sum to 0; -EINVAL
 * with one line naming the first bad one (or the missing magic, or a header cut by the file's end).
 */
int mb_find_header(const struct boot_request *req, const struct mb_magic *m, size_t *off, char *err,
		   size_t errlen);

/*
 * mb_probe - whether @req's kernel is @m's: a header whose checksum adds up, or else any magic
 * (so that the check names what is wrong with it) unless the file is an ELF64 kernel with a PVH
 * entry note, which then boots by PVH despite a stray magic.
 */
bool mb_probe(const struct boot_request *req, const struct mb_magic *m);

/*
 * mb_aout_image - p->kernel as the one segment the address fields @a describe, checked against the
 * file (the loaded part inside it, load <= header, bss after the data) and 4 GiB. -EINVAL with one line.
 */
int mb_aout_image(struct mb_plan *p, const struct boot_request *req, const struct mb_addr *a, char *err,
		  size_t errlen);

/* mb_elf_image - p->kernel from the ELF32 or ELF64 file of @req; -EINVAL with one line when it is not one. */
int mb_elf_image(struct mb_plan *p, const struct boot_request *req, char *err, size_t errlen);

/*
 * mb_elf_entry - the physical entry of an ELF kernel whose e_entry is @e_entry: itself when it lies
 * in an executable segment's physical range, else translated from that segment's virtual range
 * (a kernel linked high, loaded low). -EINVAL with one line when it is in neither.
 */
int mb_elf_entry(struct mb_plan *p, const struct boot_request *req, uint64_t e_entry, char *err, size_t errlen);

/* mb_check_entry - @entry (physical) lies in an executable part the kernel loads from its file. */
int mb_check_entry(struct mb_plan *p, const struct boot_request *req, uint64_t entry, const char *whose, char *err,
		   size_t errlen);

/* mb_place - reserve @len bytes aligned to @align in the block (copying @src when given): their gpa, 0 when full. */
uint64_t mb_place(struct mb_block *b, const void *src, size_t len, size_t align);

/* mb_put - copy @len bytes of @src to the block at guest address @gpa (inside what mb_place reserved). */
void mb_put(struct mb_block *b, uint64_t gpa, const void *src, size_t len);

/*
 * mb_cmdline - the kernel's command line as Multiboot loaders give it: the kernel's path, then a
 * space and --cmdline when that is not empty (GRUB and QEMU do the same). Into @out (@outlen bytes).
 */
void mb_cmdline(const struct boot_request *req, char *out, size_t outlen);

/* mb_rsdp - the RSDP keel built (in p->acpi) and its length (20 for revision 0, else its length field), or NULL. */
const uint8_t *mb_rsdp(const struct mb_plan *p, size_t *len, unsigned int *revision);

/* mb_info_full - the one line for boot information (@what: "Multiboot 1") that does not fit keel's boot area. */
int mb_info_full(const char *what, char *err, size_t errlen);

#endif
