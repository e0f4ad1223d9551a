/* virtio-blk: raw images through io_uring, many requests in flight, flush, discard, write-zeroes, device ID. */
#ifndef KEEL_DEVICES_VIRTIO_BLK_H
#define KEEL_DEVICES_VIRTIO_BLK_H

#include "devices/virtio/backend_disk.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_BLK_QUEUE_SIZE 256u	/* one request queue of this size */
#define VIRTIO_BLK_MAX_SECTORS 0x3fffffu /* largest discard / write-zeroes segment (2 GiB - 512) */

/*
 * virtio-blk's own state beyond the core (virtio_dev_state): none that changes. Requests exist
 * only while in flight (and then nothing is saved), and its configuration space is the disk's.
 * What the state holds is what the driver read of that disk, so that a restore onto another
 * disk (another size, block size, mode or serial) is refused instead of changing under the guest.
 */
struct virtio_blk_state {
	uint64_t capacity;		/* 512-byte sectors */
	uint32_t blk_size;		/* the block size the configuration space shows */
	bool readonly;
	char id[VIRTIO_BLK_ID_BYTES];	/* the GET_ID serial, zero-padded */
};

/*
 * virtio_blk_create - a virtio-blk device "virtio-blk@index" on @disk (which it does not own),
 * its kick eventfd watched on @loop. Returns 0 and the device in *@out, or -errno.
 */
int virtio_blk_create(struct disk *disk, unsigned int index, const struct guest_mem *mem, struct ioloop *loop,
		      struct virtio_dev **out);

/* virtio_blk_destroy - free it (the I/O thread must be stopped); NULL is fine. */
void virtio_blk_destroy(struct virtio_dev *dev);

/*
 * virtio_blk_save - describe @dev's disk into @s (under the device's lock). Returns 0, -EBUSY
 * while requests are in flight or a reset waits for them (as virtio_dev_save), or -EINVAL when
 * @dev is not a virtio-blk device.
 */
int virtio_blk_save(struct virtio_dev *dev, struct virtio_blk_state *s);

/*
 * virtio_blk_restore - check that @s describes @dev's disk (capacity, block size, read-only,
 * serial); there is nothing else to set. Returns 0, -EINVAL (another disk, or not virtio-blk) or
 * -EBUSY (requests in flight), with @dev unchanged.
 */
int virtio_blk_restore(struct virtio_dev *dev, const struct virtio_blk_state *s);

#endif
