/* Loading an embedded user program's ELF file into a user address space. */
#ifndef KEEL_GUEST_KERNEL_ELF_LOAD_H
#define KEEL_GUEST_KERNEL_ELF_LOAD_H

#include <stdint.h>

#include "guest/mm/aspace.h"

/*
 * Map the PT_LOAD segments of the ELF file at @image (@size bytes, page-aligned in the kernel image)
 * into @as: read-only segments straight from the image's frames (shared, never written), writable
 * ones copied into fresh frames, the rest of each zeroed. Segments must be page-aligned, inside
 * [USER_IMAGE_BASE, the stack) and not both writable and executable. The entry point goes to
 * *@entry. 0, or -1 with the reason in *@why.
 */
int elf_load_user(struct aspace *as, const uint8_t *image, uint64_t size, uint64_t *entry, const char **why);

#endif
