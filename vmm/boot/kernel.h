/* What a kernel file is: an ELF (PVH or vmlinux), or a bzImage whose vmlinux keel unpacks on the host, once. */
#ifndef KEEL_VMM_BOOT_KERNEL_H
#define KEEL_VMM_BOOT_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A kernel file as the boot protocols see it. All zero for none. */
struct kernel_file {
	const uint8_t *elf;		/* the ELF to load: the file itself, or @unpacked */
	size_t elf_size;
	uint8_t *unpacked;		/* a bzImage's vmlinux (heap), NULL for an ELF file */
	const uint8_t *setup_hdr;	/* a bzImage's setup header (in the caller's file buffer), else NULL */
	size_t setup_hdr_len;
	const char *compression;	/* a bzImage's payload format ("lz4", ...), else NULL */
	bool linux_kernel;		/* a bzImage, or an ELF with a "Linux" note */
};

/*
 * kernel_file_open - judge @file (@size bytes, named @name in messages; stays the caller's and
 * must outlive @k): a bzImage is parsed and its payload decompressed (into at most @limit bytes,
 * the guest's RAM); anything else is taken as an ELF for the protocols to check. 0, or -EINVAL
 * with one line in @err naming what is wrong, or -ENOMEM.
 */
int kernel_file_open(const uint8_t *file, size_t size, const char *name, uint64_t limit, struct kernel_file *k,
		     char *err, size_t errlen);

/* kernel_file_close - free what kernel_file_open() allocated; zeroes @k. Safe on a zeroed @k. */
void kernel_file_close(struct kernel_file *k);

#endif
