/* How a device describes itself to the firmware-table writers (the device tree today, ACPI next): name, compatible string, registers, interrupt. */
#ifndef KEEL_FIRMWARE_DESCRIBE_H
#define KEEL_FIRMWARE_DESCRIBE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define DESC_MAX_REGS 2u	/* register ranges of one device (the i8042 has two ports) */
#define DESC_MAX 64u		/* devices one machine describes */

/* Which address space a device's registers live in. */
enum desc_space {
	DESC_ISA_IO,	/* port I/O, under the tree's /isa node */
	DESC_MMIO,	/* guest-physical MMIO, at the tree's root */
};

/* One device as the guest's firmware tables show it. Strings are static. */
struct dev_desc {
	const char *name;		/* node name before the '@': "serial", "virtio_mmio" */
	const char *compatible;		/* "ns16550a", "virtio,mmio" */
	enum desc_space space;
	unsigned int nregs;
	struct {
		uint64_t base, size;
	} regs[DESC_MAX_REGS];
	int irq;			/* interrupt input (GSI), -1: none */
	uint32_t clock_hz;		/* input clock (a UART's), 0: none */
	bool console;			/* the firmware console (/chosen/stdout-path) */
};

/* Every device of a machine, in creation order. */
struct dev_descs {
	unsigned int n;
	struct dev_desc d[DESC_MAX];
};

/* desc_add - append @d to @all. Returns 0, or -ENOSPC when DESC_MAX devices are there already. */
static inline int desc_add(struct dev_descs *all, const struct dev_desc *d)
{
	if (all->n >= DESC_MAX)
		return -ENOSPC;
	all->d[all->n++] = *d;
	return 0;
}

#endif
