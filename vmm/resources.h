/* The machine's resource allocator: device interrupt inputs, PCI slots and functions and virtio-mmio windows, handed out in one place. */
#ifndef KEEL_VMM_RESOURCES_H
#define KEEL_VMM_RESOURCES_H

#include <stdint.h>

#include "firmware/machine.h"

/*
 * What is still free of the ranges firmware/machine.h gives to devices. The rule "the Nth device
 * asking gets the Nth input, PCI function and window" lives only here: devices are created first
 * and then describe what they were given, so the device tree never recomputes it.
 */
struct resources {
	unsigned int ngsi;		/* IOAPIC inputs handed out so far (shared beyond the 8th) */
	unsigned int npci;		/* PCI functions handed out so far */
	unsigned int next_mmio_window;	/* next free virtio-mmio window */
	uint8_t slot_gsi[KEEL_PCI_SLOTS];	/* the IOAPIC input of each PCI slot's INTA# */
};

/* res_init - everything free. */
void res_init(struct resources *r);

/*
 * res_alloc_gsi - an IOAPIC input for one device: KEEL_VIRTIO_GSI_BASE onwards, each its own
 * for the first KEEL_VIRTIO_GSI_COUNT devices, then shared round-robin (the 9th device shares
 * the 1st one's input, ...). Sharing is safe because each device's irqfd raises its own edge and
 * each virtio-mmio or INTx handler reads its own device's interrupt status: a guest driver that
 * registers a shared handler (Linux: IRQF_SHARED, as virtio-mmio and PCI INTx do) sees every
 * device's interrupt; virtio-pci drivers use MSI-X, one vector per queue. Always 0, *@gsi set.
 */
int res_alloc_gsi(struct resources *r, unsigned int *gsi);

/*
 * res_alloc_pci_fn - a PCI function on bus 0 and the IOAPIC input of its INTA#: function 0 of
 * slots 1 to 31 first, each with an input from res_alloc_gsi, then functions 1 to 7 of slot 1,
 * of slot 2, ..., each sharing its slot's input (the ACPI _PRT routes a slot's pin, so a guest
 * reading it expects every function's INTA# there). 0 with *@slot, *@fn and *@gsi set, or
 * -ENOSPC after 31 * 8.
 */
int res_alloc_pci_fn(struct resources *r, unsigned int *slot, unsigned int *fn, unsigned int *gsi);

/* res_alloc_mmio_window - a virtio-mmio register window (KEEL_VIRTIO_MMIO_STRIDE bytes): 0 with *@base set, or -ENOSPC. */
int res_alloc_mmio_window(struct resources *r, uint64_t *base);

#endif
