/* The virtio-pci transport (modern, 1.0+): a PCI function with one memory BAR, the virtio capabilities and MSI-X. */
#ifndef KEEL_DEVICES_VIRTIO_PCI_H
#define KEEL_DEVICES_VIRTIO_PCI_H

#include <stdint.h>

#include "devices/msix.h"
#include "devices/pci.h"
#include "devices/virtio/virtio.h"

/*
 * BAR 0 (32-bit, non-prefetchable memory), as the capabilities describe it:
 *   0x0000 common configuration    0x1000 ISR status    0x2000 device configuration
 *   0x3000 notifications: queue q at 0x3000 + 4 * q (queue_notify_off = q, multiplier 4)
 *   0x4000 MSI-X table (one vector per queue plus one)   0x5000 MSI-X pending bits
 * A write to a queue's notification address is caught by an ioeventfd (16-bit writes) and
 * never leaves the kernel; other widths still work, through an exit.
 */
#define VIRTIO_PCI_BAR_SIZE 0x8000u
#define VIRTIO_PCI_COMMON_OFF 0x0000u
#define VIRTIO_PCI_ISR_OFF 0x1000u
#define VIRTIO_PCI_DEVCFG_OFF 0x2000u
#define VIRTIO_PCI_NOTIFY_OFF 0x3000u
#define VIRTIO_PCI_NOTIFY_MULT 4u
#define VIRTIO_PCI_MSIX_TABLE_OFF 0x4000u
#define VIRTIO_PCI_MSIX_PBA_OFF 0x5000u
#define VIRTIO_PCI_REGION 0x1000u

struct virtio_pci {
	struct virtio_dev *dev;
	struct pci_dev pci;
	struct msix msix;
	struct pci_host *host;
	int vm_fd;
	unsigned int irq;		/* INTA#'s IOAPIC input (GSI) */
	int intx_efd;			/* its irqfd, -1 when none */
	uint8_t isr;
	uint32_t dfselect, gfselect;
	uint16_t queue_select;
	uint16_t config_vector;
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];
	uint8_t cfg_cap;		/* offset of the VIRTIO_PCI_CAP_PCI_CFG capability */
	uint8_t msix_cap;		/* offset of the MSI-X capability */
	uint64_t notify_at;		/* BAR 0 address the ioeventfds are registered for, 0: none */
};

/*
 * virtio_pci_create - expose @dev as a PCI function in @slot of @host, INTA# on GSI @irq, MSI-X
 * vectors on GSIs from @router, ioeventfds for its queues. Returns 0 and the transport in
 * *@out, or -errno (nothing left behind).
 */
int virtio_pci_create(struct virtio_dev *dev, struct pci_host *host, unsigned int slot, unsigned int irq,
		      struct irq_router *router, int vm_fd, struct virtio_pci **out);

/* virtio_pci_destroy - unplug it (BAR unmapped, ioeventfds and irqfds released) and free. NULL is fine. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* virtio_pci_bar_io - the BAR 0 bus handler (opaque: the struct virtio_pci). */
int virtio_pci_bar_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		      bool is_write);

/* virtio_pci_intx_fd / virtio_pci_vector_fd - the eventfds behind INTA# and MSI-X vector @v (tests). */
int virtio_pci_intx_fd(const struct virtio_pci *vp);
int virtio_pci_vector_fd(const struct virtio_pci *vp, unsigned int v);

#endif
