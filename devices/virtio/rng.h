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

#endif
