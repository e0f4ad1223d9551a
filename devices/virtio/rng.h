/* virtio-rng: one request queue whose device-writable buffers are filled by getrandom(2). */
#ifndef KEEL_DEVICES_VIRTIO_RNG_H
#define KEEL_DEVICES_VIRTIO_RNG_H

#include "devices/virtio/virtio.h"

#define VIRTIO_RNG_QUEUE_SIZE 64u
#define VIRTIO_RNG_MAX_BYTES 65536u	/* most bytes given for one request */

/*
 * virtio-rng keeps no state of its own to save: each request is answered within one queue
 * notification, so the device core's state (virtio_dev_save / virtio_dev_restore) is all of it.
 */

/* virtio_rng_create - the device "virtio-rng0", its kick watched on @loop. Returns 0 or -errno. */
int virtio_rng_create(const struct guest_mem *mem, struct ioloop *loop, struct virtio_dev **out);

/* virtio_rng_destroy - free it (the I/O thread must be stopped); NULL is fine. */
void virtio_rng_destroy(struct virtio_dev *dev);

/* What a virtio-rng device counted since it was created (Firecracker's "entropy" metrics). */
struct virtio_rng_stats {
	uint64_t entropy_event_count;	/* notifications from the driver */
	uint64_t entropy_bytes;		/* random bytes given */
	uint64_t host_rng_fails;	/* requests the host's entropy could not fill */
};

/* virtio_rng_stats - @dev's counters now (takes the device's lock). 0, or -EINVAL when not virtio-rng. */
int virtio_rng_stats(struct virtio_dev *dev, struct virtio_rng_stats *out);

#endif
