/* The machine's resource allocator: device interrupt inputs, PCI slots and virtio-mmio windows, handed out in one place. */
#ifndef KEEL_VMM_RESOURCES_H
#define KEEL_VMM_RESOURCES_H

#include <stdint.h>

/*
 * What is still free of the ranges firmware/machine.h gives to devices. The rule "the Nth device
 * asking gets the Nth input, slot and window" lives only here: devices are created first and
 * then describe what they were given, so the device tree never recomputes it.
 */
struct resources {
	unsigned int next_gsi;		/* next free IOAPIC input for a device */
	unsigned int next_pci_slot;	/* next free PCI slot (0 is the host bridge) */
	unsigned int next_mmio_window;	/* next free virtio-mmio window */
};

/* res_init - everything free. */
void res_init(struct resources *r);

/* res_alloc_gsi - an IOAPIC input of its own for one device: 0 with *@gsi set, or -ENOSPC. */
int res_alloc_gsi(struct resources *r, unsigned int *gsi);

/* res_alloc_pci_slot - a PCI slot on bus 0: 0 with *@slot set, or -ENOSPC. */
int res_alloc_pci_slot(struct resources *r, unsigned int *slot);

/* res_alloc_mmio_window - a virtio-mmio register window (KEEL_VIRTIO_MMIO_STRIDE bytes): 0 with *@base set, or -ENOSPC. */
int res_alloc_mmio_window(struct resources *r, uint64_t *base);

#endif
