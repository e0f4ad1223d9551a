/* virtio-blk: raw images through io_uring, many requests in flight, flush, discard, write-zeroes, device ID. */
#ifndef KEEL_DEVICES_VIRTIO_BLK_H
#define KEEL_DEVICES_VIRTIO_BLK_H

#include "devices/virtio/backend_disk.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_BLK_QUEUE_SIZE 256u	/* one request queue of this size */
#define VIRTIO_BLK_MAX_SECTORS 0x3fffffu /* largest discard / write-zeroes segment (2 GiB - 512) */

/*
 * virtio_blk_create - a virtio-blk device "virtio-blk@index" on @disk (which it does not own),
 * its kick eventfd watched on @loop. Returns 0 and the device in *@out, or -errno.
 */
int virtio_blk_create(struct disk *disk, unsigned int index, const struct guest_mem *mem, struct ioloop *loop,
		      struct virtio_dev **out);

/* virtio_blk_destroy - free it (the I/O thread must be stopped); NULL is fine. */
void virtio_blk_destroy(struct virtio_dev *dev);

#endif
