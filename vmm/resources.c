/* Hands out device interrupt inputs, PCI functions and virtio-mmio windows from the fixed layout of firmware/machine.h. */
#include "vmm/resources.h"

#include <errno.h>

#include "firmware/machine.h"

#define RES_PCI_SLOTS (KEEL_PCI_SLOTS - 1u)	/* slot 0 is the host bridge */

void res_init(struct resources *r)
{
	r->ngsi = 0;
	r->npci = 0;
	r->next_mmio_window = 0;
}

int res_alloc_gsi(struct resources *r, unsigned int *gsi)
{
	*gsi = KEEL_VIRTIO_GSI_BASE + r->ngsi++ % KEEL_VIRTIO_GSI_COUNT;
	return 0;
}

int res_alloc_pci_fn(struct resources *r, unsigned int *slot, unsigned int *fn, unsigned int *gsi)
{
	unsigned int n = r->npci, k;

	if (n >= RES_PCI_SLOTS * KEEL_PCI_FUNCS)
		return -ENOSPC;
	r->npci++;
	if (n < RES_PCI_SLOTS) {
		*slot = 1 + n;
		*fn = 0;
		res_alloc_gsi(r, gsi);
		r->slot_gsi[*slot] = (uint8_t)*gsi;
		return 0;
	}
	k = n - RES_PCI_SLOTS;
	*slot = 1 + k / (KEEL_PCI_FUNCS - 1);
	*fn = 1 + k % (KEEL_PCI_FUNCS - 1);
	*gsi = r->slot_gsi[*slot];	/* ACPI's _PRT routes a slot's INTA#, not a function's */
	return 0;
}

int res_alloc_mmio_window(struct resources *r, uint64_t *base)
{
	if (r->next_mmio_window >= KEEL_VIRTIO_MMIO_SLOTS)
		return -ENOSPC;
	*base = KEEL_VIRTIO_MMIO_BASE + r->next_mmio_window++ * KEEL_VIRTIO_MMIO_STRIDE;
	return 0;
}
