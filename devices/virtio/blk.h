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

/*
 * virtio_blk_swap - from now on @dev reads and writes @disk (opened by disk_reopen, read-only as
 * the current one). Requests in flight finish on the current image first and new ones wait for
 * them: the switch happens here when nothing is in flight, else on the I/O thread when the last
 * request completes, which this waits for (at most @timeout_ms). The driver then gets a
 * configuration-change interrupt (config_generation bumped) to read the new capacity, and the
 * image left is closed here (and @disk locked, when it is the same file). Main thread (never
 * the I/O thread). The device closes the images it leaves; whoever owned the current one owns
 * @disk instead (to close after virtio_blk_destroy). Returns 0, -EINVAL (not virtio-blk, or
 * @disk's read-only mode differs), -EBUSY (another swap under way) or -ETIMEDOUT (requests
 * still in flight: the swap is called off), with the device unchanged and @disk the caller's on
 * failure.
 */
int virtio_blk_swap(struct virtio_dev *dev, struct disk *disk, unsigned int timeout_ms);

/* What a virtio-blk device counted since it was created (Firecracker's block metrics). */
struct virtio_blk_stats {
	uint64_t read_count, write_count;	/* reads and writes completed */
	uint64_t read_bytes, write_bytes;	/* their bytes */
	uint64_t flush_count;			/* flushes completed */
	uint64_t queue_event_count;		/* notifications from the driver */
	uint64_t no_avail_buffer;		/* looks at the queue that found no request */
	uint64_t invalid_reqs_count;		/* requests refused: unknown type, out of range, read-only */
	uint64_t execute_fails;			/* requests whose I/O failed */
	uint64_t update_count;			/* images swapped in (virtio_blk_swap) */
};

/* virtio_blk_stats - @dev's counters now (takes the device's lock). 0, or -EINVAL when not virtio-blk. */
int virtio_blk_stats(struct virtio_dev *dev, struct virtio_blk_stats *out);

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
