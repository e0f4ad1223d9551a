/* The virtio-mmio transport (version 2): a register window on the MMIO bus, one edge-triggered IOAPIC input. */
#ifndef KEEL_DEVICES_VIRTIO_MMIO_H
#define KEEL_DEVICES_VIRTIO_MMIO_H

#include <stdint.h>

#include "devices/virtio/virtio.h"
#include "vmm/bus.h"

#define VIRTIO_MMIO_WINDOW 0x200u	/* registers + configuration space (what reg says in the FDT) */
#define VIRTIO_MMIO_VENDOR 0x6c65656bu	/* "keel" */

struct virtio_mmio {
	struct virtio_dev *dev;
	struct bus *bus;
	uint64_t base;
	unsigned int irq;		/* IOAPIC input (GSI) */
	int irq_efd;			/* its irqfd */
	int vm_fd;
	uint32_t int_status;		/* InterruptStatus */
	uint32_t dfsel, gfsel, queue_sel;
	uint32_t shm_sel;		/* SHMSel: the shared memory region SHMLen/SHMBase show */
	unsigned int nioeventfds;	/* queues whose QueueNotify write an ioeventfd catches */
};

/*
 * The transport's registers as plain data: what virtio_mmio_save reads out and virtio_mmio_restore
 * sets back. Not in it: the device core (virtio_dev_state), the device type's state, and the
 * window, interrupt and eventfds, which are the restoring transport's own.
 */
struct virtio_mmio_state {
	uint32_t int_status;		/* VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG not yet acknowledged */
	uint32_t dfsel, gfsel;		/* feature word selects */
	uint32_t queue_sel;		/* any value the driver wrote */
	uint32_t shm_sel;		/* likewise */
};

/*
 * virtio_mmio_create - expose @dev at [@base, @base + VIRTIO_MMIO_WINDOW) of @bus with its
 * interrupt on GSI @irq (an irqfd) and ioeventfds on QueueNotify (one per queue, matching the
 * queue index). Returns 0 and the transport in *@out, or -errno (nothing left behind).
 */
int virtio_mmio_create(struct virtio_dev *dev, struct bus *bus, uint64_t base, unsigned int irq, int vm_fd,
		       struct virtio_mmio **out);

/* virtio_mmio_destroy - unregister, release the eventfd plumbing, free. NULL is fine. */
void virtio_mmio_destroy(struct virtio_mmio *t);

/* virtio_mmio_io - the bus handler (opaque: the struct virtio_mmio). */
int virtio_mmio_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write);

/* virtio_mmio_save - read @t's registers into @s (under the device's lock). Returns 0. */
int virtio_mmio_save(struct virtio_mmio *t, struct virtio_mmio_state *s);

/*
 * virtio_mmio_restore - set @t's registers back to @s (under the device's lock). @s is untrusted:
 * InterruptStatus may hold only the two interrupt bits; the selects take any value, as from the
 * driver. Nothing is sent to the driver (an interrupt it had not acknowledged was raised already;
 * the interrupt controller's state holds it). 0, or -EINVAL with @t unchanged.
 */
int virtio_mmio_restore(struct virtio_mmio *t, const struct virtio_mmio_state *s);

/* virtio_mmio_irq_fd - the eventfd behind the interrupt (tests). */
int virtio_mmio_irq_fd(const struct virtio_mmio *t);

#endif
