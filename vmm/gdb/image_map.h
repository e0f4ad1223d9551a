/* The kernel image's virtual -> physical map as the gdb stub uses it: memory access before the guest maps its kernel. */
#ifndef KEEL_VMM_GDB_IMAGE_MAP_H
#define KEEL_VMM_GDB_IMAGE_MAP_H

#include <stdint.h>

struct boot_map_seg;

/*
 * gdb_image_translate - the guest-physical address where the byte the kernel was linked to find
 * at virtual @gva was loaded: the map entry of @map (@n entries) holding @gva. 0 with *@gpa, or
 * -EFAULT when no entry holds it.
 */
int gdb_image_translate(const struct boot_map_seg *map, unsigned int n, uint64_t gva, uint64_t *gpa);

#endif
