/* Building keel's flattened device tree (layout in firmware/machine.h) with libfdt. */
#ifndef KEEL_VMM_BOOT_FDT_H
#define KEEL_VMM_BOOT_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/machine.h"
#include "vmm/memory.h"

/* A virtio-mmio device to describe (firmware/machine.h). */
struct fdt_virtio_mmio {
	uint64_t base, size;
	uint32_t irq;			/* IOAPIC input */
};

/* Devices that exist only in some VMs. */
struct keel_fdt_devices {
	unsigned int n_virtio_mmio;
	struct fdt_virtio_mmio virtio_mmio[KEEL_VIRTIO_MMIO_SLOTS];
};

/* keel_fdt_size_hint - a buffer size that keel_fdt_build() never outgrows for these inputs. */
size_t keel_fdt_size_hint(unsigned int ncpus, size_t bootargs_len);

/*
 * keel_fdt_build - write the device tree for @mem (one /memory@0 reg pair per RAM region),
 * @ncpus vCPUs (cpu@N has APIC id N) and @bootargs into @buf (@size bytes); the tree's size is
 * then fdt_totalsize(@buf). Returns 0, -ENOSPC when @buf is too small, -EINVAL when @ncpus
 * is 0, or -EIO when libfdt fails otherwise.
 */
int keel_fdt_build(void *buf, size_t size, const struct guest_mem *mem, unsigned int ncpus,
		   const char *bootargs);

/* keel_fdt_build_with - keel_fdt_build, plus the nodes of @devs (NULL: none). */
int keel_fdt_build_with(void *buf, size_t size, const struct guest_mem *mem, unsigned int ncpus,
			const char *bootargs, const struct keel_fdt_devices *devs);

#endif
