/* Looking a linked virtual address up in the kernel image's map (vmm/boot/boot.h's boot_map_seg). */
#include "vmm/gdb/image_map.h"

#include "vmm/boot/boot.h"

#include <errno.h>

int gdb_image_translate(const struct boot_map_seg *map, unsigned int n, uint64_t gva, uint64_t *gpa)
{
	for (unsigned int i = 0; map && i < n; i++) {
		uint64_t off = gva - map[i].vaddr;	/* modulo 2^64: below vaddr is huge */

		if (gva >= map[i].vaddr && off < map[i].size) {
			*gpa = map[i].paddr + off;
			return 0;
		}
	}
	return -EFAULT;
}
