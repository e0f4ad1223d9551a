/* The guest's virtio driver core: devices found on either transport, status and features, split virtqueues (polled). */
#ifndef KEEL_GUEST_DRIVERS_VIRTIO_H
#define KEEL_GUEST_DRIVERS_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/spec.h"

#define VIRTIO_MAX_DEVICES 32		/* as many as keel gives (its VIRTIO_MAX_DEVICES) */
#define VIRTIO_MAX_QUEUES 2		/* blk and rng use one, the console two */
#define VIRTIO_QUEUE_SIZE 16		/* the driver asks for at most this many entries */
#define VIRTIO_WAIT_MS 2000		/* how long a request or a reset may take */

struct virtio_dev;

/* What a transport does; the core never touches registers itself. */
struct virtio_transport_ops {
	const char *name;
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t s);
	uint64_t (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t f);
	uint16_t (*queue_max)(struct virtio_dev *d, uint16_t q);	/* 0: no such queue */
	void (*queue_setup)(struct virtio_dev *d, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
			    uint64_t used);				/* and enable it */
	void (*notify)(struct virtio_dev *d, uint16_t q);
	uint32_t (*cfg_read32)(struct virtio_dev *d, uint32_t off);	/* device config, 4-byte aligned */
	uint8_t (*cfg_read8)(struct virtio_dev *d, uint32_t off);
	void (*cfg_write8)(struct virtio_dev *d, uint32_t off, uint8_t v);	/* virtio-input's select, subsel */
	/* Interrupt status, acknowledged (pci: the ISR, read clears; mmio: InterruptStatus, then ACK): bit 1 = configuration changed. */
	uint8_t (*isr)(struct virtio_dev *d);
};

/* The driver side of one split virtqueue: the three parts in one zeroed frame. */
struct virtio_queue {
	uint16_t size;			/* 0: not set up */
	uint16_t avail_idx;		/* the next avail->idx the driver publishes */
	uint16_t used_seen;		/* used->idx consumed so far */
	uint16_t added;			/* available entries written past avail_idx, not yet published */
	uint64_t ring_pa;		/* the frame: descriptors at 0, avail at 0x400, used at 0x800 */
	volatile struct vring_desc *desc;
	volatile struct vring_avail *avail;
	volatile struct vring_used *used;
};

struct virtio_dev {
	const struct virtio_transport_ops *ops;
	uint32_t device_id;		/* VIRTIO_ID_* */
	uint64_t base;			/* physical: BAR0 (pci) or the register window (mmio) */
	uint8_t slot;			/* pci: the slot on bus 0 */
	volatile uint8_t *common, *isr, *devcfg, *notify;	/* pci: from the capabilities */
	uint32_t notify_mult;
	volatile uint8_t *regs;	/* mmio */
	uint64_t offered, features;	/* device features, and those accepted */
	struct virtio_queue vq[VIRTIO_MAX_QUEUES];
	unsigned int nqueues;
	const char *error;		/* why the last virtio_init failed */
};

/* One buffer of a request: physical address, length, device-writable or not. */
struct virtio_buf {
	uint64_t pa;
	uint32_t len;
	bool writable;
};

/* Find the devices of both transports (once; later calls return the same list). Returns how many. */
unsigned int virtio_probe(struct virtio_dev **list);

/* The @n-th device (from 0) of type @device_id, or NULL. */
struct virtio_dev *virtio_find(uint32_t device_id, unsigned int n);

/* How many devices of type @device_id there are. */
unsigned int virtio_count(uint32_t device_id);

/*
 * Reset and bring up @d: ACKNOWLEDGE, DRIVER, features (VERSION_1 required, plus what @wanted
 * names and the device offers), FEATURES_OK, @nqueues queues (rings allocated once, zeroed each
 * time), DRIVER_OK. False (d->error says why) on failure, with FAILED set.
 */
bool virtio_init(struct virtio_dev *d, uint64_t wanted, unsigned int nqueues);

/* Reset @d (status 0, waited for). False when it does not read back 0 in time. */
bool virtio_reset(struct virtio_dev *d);

uint8_t virtio_status(struct virtio_dev *d);

/*
 * Put one chain of @n buffers on queue @q, notify, and poll the used ring for it for at most
 * @wait_ms. Returns true with *@written the used length when it came back.
 */
bool virtio_request(struct virtio_dev *d, uint16_t q, const struct virtio_buf *bufs, unsigned int n,
		    uint32_t *written, unsigned int wait_ms);

/*
 * Write one chain of @n buffers into queue @q's descriptors [@first, @first + @n) and its head
 * into the next available entry, unpublished (virtio_publish makes the chains added so far
 * available at once). False when it does not fit the queue.
 */
bool virtio_add_chain(struct virtio_dev *d, uint16_t q, uint16_t first, const struct virtio_buf *bufs, unsigned int n);

/* Publish the chains added to queue @q (advance avail->idx past them) and notify once. */
void virtio_publish(struct virtio_dev *d, uint16_t q);

/*
 * Poll queue @q's used ring for its next entry for at most @wait_ms: true with the chain's head
 * in *@head and the used length in *@written (either may be NULL).
 */
bool virtio_next_used(struct virtio_dev *d, uint16_t q, uint16_t *head, uint32_t *written, unsigned int wait_ms);

/* Publish @head on queue @q's available ring (no descriptors written) with avail->idx advanced by @step, and notify. */
void virtio_publish_raw(struct virtio_dev *d, uint16_t q, uint16_t head, uint16_t step);

/* Poll until the status has all bits of @mask or @wait_ms pass; returns the last status read. */
uint8_t virtio_wait_status(struct virtio_dev *d, uint8_t mask, unsigned int wait_ms);

/* "pci" or "mmio". */
const char *virtio_transport_name(const struct virtio_dev *d);

/* Transports (virtio_pci.c, virtio_mmio.c): add what they find to @list from index @n, return the new count. */
unsigned int virtio_pci_probe(struct virtio_dev *list, unsigned int n, unsigned int max);
unsigned int virtio_mmio_probe(struct virtio_dev *list, unsigned int n, unsigned int max);

static inline void virtio_mb(void)
{
	__asm__ volatile("mfence" ::: "memory");
}

#endif
