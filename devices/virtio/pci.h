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
 *   0x4000 MSI-X table (one vector per queue plus one for configuration)   0x5000 MSI-X pending bits
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
	uint8_t msix_cap;		/* offset of the MSI-X capability (0: none, msix=off) */
	uint8_t pm_cap;			/* offset of the power-management capability */
	uint8_t pm_state;		/* the last D state written to PMCSR */
	uint64_t notify_at;		/* BAR 0 address the ioeventfds are registered for, 0: none */
};

/*
 * The transport's state as plain data: its registers, its PCI function's configuration space
 * (command register, BAR address, MSI-X control, the PCI_CFG window) and its MSI-X table and
 * pending bits. What virtio_pci_save reads out and virtio_pci_restore sets back. Not in it: the
 * device core (virtio_dev_state) and the device type's state; eventfds, GSIs and ioeventfds,
 * which belong to the restoring transport and follow its BAR and table.
 */
struct virtio_pci_state {
	uint8_t isr;			/* VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG, not yet read */
	uint32_t dfselect, gfselect;
	uint16_t queue_select;		/* any value the driver wrote */
	uint16_t config_vector;		/* an MSI-X vector or VIRTIO_MSI_NO_VECTOR */
	uint16_t queue_vector[VIRTIO_MAX_QUEUES];	/* likewise; NO_VECTOR past the device's queues */
	struct pci_dev_state pci;
	struct msix_state msix;
};

/*
 * virtio_pci_create_fn - expose @dev as function @fn of @slot of @host (pci_host_add's rules),
 * INTA# on GSI @irq (possibly shared with other devices: the driver reads the ISR), with @msix
 * also MSI-X with one vector per queue plus one for configuration changes, on GSIs from
 * @router (without it no MSI-X capability: INTA# only), ioeventfds for its queues. Returns 0
 * and the transport in *@out, or -errno (nothing left behind).
 */
int virtio_pci_create_fn(struct virtio_dev *dev, struct pci_host *host, unsigned int slot, unsigned int fn,
			 unsigned int irq, struct irq_router *router, int vm_fd, bool msix, struct virtio_pci **out);

/* virtio_pci_destroy - unplug it (BAR unmapped, ioeventfds and irqfds released) and free. NULL is fine. */
void virtio_pci_destroy(struct virtio_pci *vp);

/* virtio_pci_bar_io - the BAR 0 bus handler (opaque: the struct virtio_pci). */
int virtio_pci_bar_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		      bool is_write);

/*
 * virtio_pci_save - read @vp's state into @s (under the host's and the device's locks). Returns
 * 0, or -E2BIG when its MSI-X table does not fit a struct msix_state.
 */
int virtio_pci_save(struct virtio_pci *vp, struct virtio_pci_state *s);

/*
 * virtio_pci_restore - set @vp back to @s (under the host's and the device's locks). @s is
 * untrusted: the configuration space passes pci_dev_state_check (same function: IDs,
 * capabilities, BAR size), the MSI-X state passes msix_state_check and agrees with the
 * capability's control word, the ISR holds known bits and every vector is in range or
 * VIRTIO_MSI_NO_VECTOR. Then BAR 0 is mapped where the restored BAR and command register say (the
 * queues' ioeventfds move with it) and the enabled, unmasked MSI-X vectors are routed again
 * through the irq router, as the guest's own writes would have done. Nothing is sent to the
 * driver. Restore the device core first (virtio_dev_restore): the transport reads nothing from
 * it, but the driver does. 0, or -EINVAL with @vp unchanged.
 */
int virtio_pci_restore(struct virtio_pci *vp, const struct virtio_pci_state *s);

/*
 * virtio_pci_describe - add @vp's function to @out for the firmware tables: its slot and
 * function, INTA# and the GSI it raises (pci_dev_describe). Returns 0, -EINVAL or -ENOSPC.
 */
int virtio_pci_describe(const struct virtio_pci *vp, struct dev_descs *out);

/* virtio_pci_intx_fd / virtio_pci_vector_fd - the eventfds behind INTA# and MSI-X vector @v (tests). */
int virtio_pci_intx_fd(const struct virtio_pci *vp);
int virtio_pci_vector_fd(const struct virtio_pci *vp, unsigned int v);

#endif
