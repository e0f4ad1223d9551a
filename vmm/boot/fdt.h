/* Building keel's flattened device tree (layout in firmware/machine.h) with libfdt. */
#ifndef KEEL_VMM_BOOT_FDT_H
#define KEEL_VMM_BOOT_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/machine.h"
#include "firmware/describe.h"
#include "vmm/memory.h"

/* keel_fdt_size_hint - a buffer size that keel_fdt_build() never outgrows for these inputs. */
size_t keel_fdt_size_hint(unsigned int ncpus, size_t bootargs_len, unsigned int ndevs);

/*
 * keel_fdt_build - write the device tree for @mem (one /memory@0 reg pair per RAM region),
 * @ncpus vCPUs (cpu@N has APIC id N), @bootargs and the devices as they describe themselves in
 * @devs (NULL: none): port I/O devices under /isa as "NAME@iPORT", MMIO devices at the root as
 * "NAME@ADDR", the console one as /chosen/stdout-path. Written into @buf (@size bytes); the
 * tree's size is then fdt_totalsize(@buf). Returns 0, -ENOSPC when @buf is too small, -EINVAL
 * when @ncpus is 0, or -EIO when libfdt fails otherwise.
 */
int keel_fdt_build(void *buf, size_t size, const struct guest_mem *mem, unsigned int ncpus,
		   const char *bootargs, const struct dev_descs *devs);

#endif
