/* Hands out device interrupt inputs, PCI slots and virtio-mmio windows from the fixed layout of firmware/machine.h. */
#include "vmm/resources.h"

#include <errno.h>

#include "firmware/machine.h"

void res_init(struct resources *r)
{
	r->next_gsi = KEEL_VIRTIO_GSI_BASE;
	r->next_pci_slot = 1;
	r->next_mmio_window = 0;
}

int res_alloc_gsi(struct resources *r, unsigned int *gsi)
{
	if (r->next_gsi >= KEEL_MSI_GSI_BASE)
		return -ENOSPC;
	*gsi = r->next_gsi++;
	return 0;
}

int res_alloc_pci_slot(struct resources *r, unsigned int *slot)
{
	if (r->next_pci_slot >= KEEL_PCI_SLOTS)
		return -ENOSPC;
	*slot = r->next_pci_slot++;
	return 0;
}

int res_alloc_mmio_window(struct resources *r, uint64_t *base)
{
	if (r->next_mmio_window >= KEEL_VIRTIO_MMIO_SLOTS)
		return -ENOSPC;
	*base = KEEL_VIRTIO_MMIO_BASE + r->next_mmio_window++ * KEEL_VIRTIO_MMIO_STRIDE;
	return 0;
}
