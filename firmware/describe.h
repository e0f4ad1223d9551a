/* How a device describes itself to the firmware-table writers (the device tree, the ACPI tables): name, compatible string, registers, interrupt, PCI address. */
#ifndef KEEL_FIRMWARE_DESCRIBE_H
#define KEEL_FIRMWARE_DESCRIBE_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#define DESC_MAX_REGS 2u	/* register ranges of one device (the i8042 has two ports) */
#define DESC_MAX 64u		/* devices one machine describes */

/*
 * Which address space a device's registers live in, and so what kind of device it is. The device
 * tree writes nodes for DESC_ISA_IO and DESC_MMIO only; the ACPI writer reads every kind.
 */
enum desc_space {
	DESC_ISA_IO,	/* port I/O, under the tree's /isa node */
	DESC_MMIO,	/* guest-physical MMIO, at the tree's root */
	DESC_PCI_HOST,	/* a PCI host bridge: regs[0] its configuration ports (mechanism #1),
			 * regs[1] its memory window; pci.bus its one bus; no tree node */
	DESC_PCI,	/* a PCI function: pci.bus/slot/fn, pci.pin its interrupt pin and irq the
			 * GSI that pin is wired to; no registers (BARs are the guest's to find) */
};

/* PCI interrupt pins as the Interrupt Pin register numbers them. */
#define DESC_PCI_PIN_NONE 0u
#define DESC_PCI_PIN_INTA 1u	/* ... INTB# 2, INTC# 3, INTD# 4 */

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
	struct {
		unsigned int bus;	/* DESC_PCI_HOST: the bus it opens; DESC_PCI: the function's bus */
		unsigned int slot, fn;	/* DESC_PCI: device (0-31) and function (0-7) */
		unsigned int pin;	/* DESC_PCI: DESC_PCI_PIN_INTA..INTD, or _NONE (irq then -1) */
	} pci;
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
