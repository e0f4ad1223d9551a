/* The virtio device core: status machine, feature negotiation, config space, reset, guest-fault handling; const device and transport ops. */
#ifndef KEEL_DEVICES_VIRTIO_VIRTIO_H
#define KEEL_DEVICES_VIRTIO_VIRTIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/virtqueue.h"
#include "vmm/ioloop.h"
#include "vmm/memory.h"

#define VIRTIO_MAX_QUEUES 3u		/* the most any keel device has (virtio-net: rx, tx, control) */

struct virtio_dev;

/*
 * What a device type is: one const table per type (blk, console, rng). The core calls these with
 * the device's lock held; queue_notify and the I/O callbacks run on the I/O thread, the others on
 * the vCPU thread making the register access.
 */
struct virtio_dev_ops {
	const char *name;		/* "virtio-blk" */
	uint16_t device_id;		/* VIRTIO_ID_* */
	uint32_t pci_class;		/* PCI class code (class << 16 | subclass << 8 | prog-if) */
	uint16_t nqueues;
	uint16_t queue_max;		/* queue size offered, a power of 2 <= VIRTQ_MAX_SIZE */
	uint32_t config_size;		/* bytes of device-specific configuration */
	/* Device-specific feature bits offered (the core adds VERSION_1, EVENT_IDX, INDIRECT_DESC). */
	uint64_t (*features)(const struct virtio_dev *dev);
	/* Read @len bytes at @off of the config space (the core has bounds-checked them). */
	void (*config_read)(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len);
	/*
	 * The driver wrote @len bytes at @off of the config space (bounds-checked); NULL: the device
	 * has no writable field and the write is dropped (logged at debug level).
	 */
	void (*config_write)(struct virtio_dev *dev, uint32_t off, const uint8_t *data, uint32_t len);
	/*
	 * Shared memory region @id (virtio 1.2 2.10): its guest-physical base and length, true when
	 * the device has it. NULL: the device has none (virtio-gpu's host-visible memory needs one).
	 */
	bool (*shm_region)(const struct virtio_dev *dev, uint8_t id, uint64_t *base, uint64_t *len);
	/* DRIVER_OK was set: start. 0, or -errno to fail the device (DEVICE_NEEDS_RESET). */
	int (*activate)(struct virtio_dev *dev);
	/* Queue @q has new buffers (or the device should look again). I/O thread. */
	void (*queue_notify)(struct virtio_dev *dev, unsigned int q);
	/*
	 * The driver reset the device: forget the session (requests still in flight finish later;
	 * the core completes the reset when the last one calls virtio_request_done).
	 */
	void (*reset)(struct virtio_dev *dev);
};

/* How a transport tells the driver something. Called with the device's lock held. */
struct virtio_transport_ops {
	const char *name;		/* "pci", "mmio" */
	void (*notify_queue)(struct virtio_dev *dev, unsigned int q);	/* used-buffer notification */
	void (*notify_config)(struct virtio_dev *dev);			/* configuration change */
	void (*reset)(struct virtio_dev *dev);				/* transport registers back to reset */
};

struct virtio_dev {
	const struct virtio_dev_ops *ops;
	const struct virtio_transport_ops *tops;	/* set by the transport */
	void *transport;		/* the transport's state */
	void *priv;			/* the device's state */
	char name[32];			/* "virtio-blk0", for messages */
	const struct guest_mem *mem;
	struct ioloop *loop;
	pthread_mutex_t lock;		/* guards everything here, the transport's and the device's state */

	uint8_t status;
	bool resetting;			/* 0 was written, requests still in flight: status reads old */
	unsigned int inflight;		/* requests of this session still using guest memory */
	uint64_t host_features;		/* offered */
	uint64_t guest_features;	/* accepted by the driver (valid once FEATURES_OK) */
	uint8_t config_generation;
	uint32_t faults_logged;		/* one bit per enum virtq_fault: logged already */

	struct virtq vq[VIRTIO_MAX_QUEUES];
	int kick_fd[VIRTIO_MAX_QUEUES];	/* eventfds the guest's notifications land in (ioeventfd) */
	struct ioloop_efd kick[VIRTIO_MAX_QUEUES];
	bool dirty[VIRTIO_MAX_QUEUES];	/* used entries pushed, not yet published */
	struct ioloop_defer flush;	/* publishes dirty queues after the I/O batch */
};

/*
 * A device's core state as plain data (no pointers, no file descriptors): what virtio_dev_save
 * reads out and virtio_dev_restore sets back. Not in it: the transport's registers (queue select,
 * feature selects, MSI-X vectors, interrupt status) and the device type's own state (priv).
 */
struct virtio_dev_state {
	uint16_t device_id;		/* VIRTIO_ID_*: must be the restoring device's */
	uint16_t nqueues;		/* likewise; vq[nqueues...] are zero */
	uint8_t status;			/* DEVICE_NEEDS_RESET (a guest fault) included */
	uint8_t config_generation;
	uint64_t host_features;		/* offered: must be what the restoring device offers */
	uint64_t guest_features;	/* as the driver wrote them */
	uint32_t faults_logged;		/* one bit per enum virtq_fault logged already */
	struct virtq_state vq[VIRTIO_MAX_QUEUES];
};

/*
 * virtio_dev_init - set up @dev for @ops: queues, kick eventfds watched on @loop (not started
 * yet), lock. @name is copied. Returns 0 or -errno; virtio_dev_destroy undoes it either way.
 */
int virtio_dev_init(struct virtio_dev *dev, const struct virtio_dev_ops *ops, void *priv,
		    const char *name, const struct guest_mem *mem, struct ioloop *loop);

/* virtio_dev_destroy - close the kick eventfds; the I/O thread must be stopped already. */
void virtio_dev_destroy(struct virtio_dev *dev);

/*
 * virtio_dev_save - read @dev's core state out into @s, under its lock. Returns 0, or -EBUSY
 * while requests use guest memory or a reset waits for them: those belong to the device's
 * backend, which must be quiesced first. Chains taken from a queue and not yet returned are in
 * @s as queue indices.
 */
int virtio_dev_save(struct virtio_dev *dev, struct virtio_dev_state *s);

/*
 * virtio_dev_restore - set @dev (the same device type, offering the same features) back to @s,
 * under its lock. @s is untrusted: the status must be one the core can reach (known bits,
 * DRIVER_OK only with FEATURES_OK, FEATURES_OK only with a valid feature set), each queue passes
 * virtq_restore, and after DRIVER_OK its EVENT_IDX / INDIRECT_DESC flags match the features.
 * Queues with returned, unpublished entries are published by the next virtio_flush. Nothing is
 * sent to the driver and no queue is looked at: whoever resumes the device kicks its live queues.
 * Returns 0, -EINVAL (a bad state) or -EBUSY (@dev has requests in flight), with @dev unchanged
 * on failure.
 */
int virtio_dev_restore(struct virtio_dev *dev, const struct virtio_dev_state *s);

/*
 * Register-level operations for the transports (lock held by the caller). They implement the
 * rules common to both transports.
 */

/* virtio_features_word - 32 bits of the offered features starting at bit 32 * @sel. */
uint32_t virtio_features_word(const struct virtio_dev *dev, uint32_t sel);

/* virtio_driver_features_set - the driver accepts 32 bits at 32 * @sel (ignored after FEATURES_OK). */
void virtio_driver_features_set(struct virtio_dev *dev, uint32_t sel, uint32_t val);

/* virtio_driver_features_word - what the driver wrote at @sel (offered bits only). */
uint32_t virtio_driver_features_word(const struct virtio_dev *dev, uint32_t sel);

/* virtio_status_get - the status register (non-zero until a requested reset completes). */
uint8_t virtio_status_get(const struct virtio_dev *dev);

/*
 * virtio_status_set - the driver writes the status: 0 resets; FEATURES_OK is kept only for a
 * valid feature set (a subset of the offer, VERSION_1 included); DRIVER_OK only after
 * FEATURES_OK, and it activates the device. The driver cannot set DEVICE_NEEDS_RESET or clear
 * bits other than by a reset.
 */
void virtio_status_set(struct virtio_dev *dev, uint8_t val);

/*
 * virtio_config_access - device configuration space: reads through config_read (out-of-range
 * bytes read 0), writes through config_write (dropped when out of range or the device has none).
 */
void virtio_config_access(struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len,
			  bool is_write);

/*
 * virtio_queue_enable - the driver enabled queue @q: validate its configuration and start it.
 * A bad one is a guest fault (DEVICE_NEEDS_RESET). Returns 0 or -EINVAL.
 */
int virtio_queue_enable(struct virtio_dev *dev, unsigned int q);

/* virtio_kick - queue @q was notified through a register write that no ioeventfd caught. Any thread. */
void virtio_kick(struct virtio_dev *dev, unsigned int q);

/*
 * For the devices (I/O thread, lock held).
 */

/* virtio_queue_live - the device may take buffers from queue @q: DRIVER_OK, no fault, no reset pending. */
bool virtio_queue_live(const struct virtio_dev *dev, unsigned int q);

/* virtio_feature - @bit was negotiated. */
bool virtio_feature(const struct virtio_dev *dev, unsigned int bit);

/*
 * virtio_pop - virtq_pop on queue @q; a guest fault is reported through virtio_fault.
 * Returns 0 with @c filled, -EAGAIN (nothing, or the device is not live), -EPROTO (fault).
 */
int virtio_pop(struct virtio_dev *dev, unsigned int q, struct virtq_chain *c);

/*
 * virtio_done - return chain @head of queue @q with @len bytes written. Notifications are sent
 * once per queue after the I/O thread's batch (or by virtio_flush). Dropped when the session
 * that popped it has ended (reset).
 */
void virtio_done(struct virtio_dev *dev, unsigned int q, uint16_t head, uint32_t len);

/* virtio_flush - publish the dirty queues and notify the driver where it asked for it. */
void virtio_flush(struct virtio_dev *dev);

/* virtio_request_start / virtio_request_done - a request starts / stops using guest memory. */
void virtio_request_start(struct virtio_dev *dev);
void virtio_request_done(struct virtio_dev *dev);

/*
 * virtio_fault - the driver broke the rules on queue @q (or -1 for none): log it once per kind
 * and device, set DEVICE_NEEDS_RESET, notify a configuration change when DRIVER_OK is set,
 * and stop using the device's queues until it is reset. @detail (may be NULL) is appended.
 */
void virtio_fault(struct virtio_dev *dev, int q, enum virtq_fault kind, const char *detail);

/*
 * virtio_config_changed - the device's configuration space changed (lock held, any thread):
 * bump config_generation and, once the driver is up (DRIVER_OK, no reset pending), raise the
 * transport's configuration-change interrupt (PCI: the MSI-X configuration vector, or ISR bit 1
 * and INTx; MMIO: InterruptStatus bit 1).
 */
void virtio_config_changed(struct virtio_dev *dev);

/* virtio_broken - DEVICE_NEEDS_RESET is set. */
bool virtio_broken(const struct virtio_dev *dev);

#endif
