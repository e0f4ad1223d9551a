/* The guest's virtio device drivers (virtio_blk.c, virtio_console.c, virtio_rng.c): polled, one request at a time. */
#ifndef KEEL_GUEST_DRIVERS_VIRTIO_DEVICES_H
#define KEEL_GUEST_DRIVERS_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/drivers/virtio.h"

#define VIO_TIMEOUT (-1)		/* no answer in time */

/* One frame per device holds every buffer: header at 0, status byte at 0x10, id at 0x20, data from 0x800. */
#define VIO_HDR 0x000u
#define VIO_STATUS 0x010u
#define VIO_ID 0x020u
#define VIO_DATA 0x800u
#define VIO_DATA_MAX 0x800u

struct vio {
	struct virtio_dev *d;
	uint64_t pa;			/* the buffer frame */
	uint8_t *va;
};

/* virtio-blk */
struct vblk {
	struct vio io;
	uint64_t capacity;		/* 512-byte sectors */
	bool readonly;			/* VIRTIO_BLK_F_RO offered */
};

/* Bring up the @n-th virtio-blk device; false when there is none or it fails (vblk.io.d->error). */
bool vblk_open(struct vblk *b, unsigned int n);
/* Read or write one sector between @b's data area and the disk: VIRTIO_BLK_S_* or VIO_TIMEOUT. */
int vblk_read(struct vblk *b, uint64_t sector);
int vblk_write(struct vblk *b, uint64_t sector);
int vblk_flush(struct vblk *b);
/*
 * The configuration-change interrupt's status bit, polled and acknowledged: when set, the
 * capacity is read again (the old one into *@old) and true returned.
 */
bool vblk_config_changed(struct vblk *b, uint64_t *old);
/*
 * Several requests in flight together on one disk (up to VBLK_BATCH_MAX, three descriptors each
 * in a 16-entry queue): slot i's header sits at 32 * i of the batch's own frame, its status byte
 * at 32 * i + 16, its data wherever the caller has it. Add, post, then take every completion
 * before adding again.
 */
#define VBLK_BATCH_MAX 5
struct vblk_batch {
	uint64_t pa;			/* the frame of headers and status bytes */
	uint8_t *va;
	unsigned int n;			/* requests added since the last post */
};

/* Get the batch's frame (once); false when there is no memory. */
bool vblk_batch_init(struct vblk_batch *t);
/*
 * Add one request: @type at @sector with @len bytes at physical @data (none when @len is 0),
 * which the device reads for VIRTIO_BLK_T_OUT and writes otherwise. Returns its slot, or -1
 * when the batch is full.
 */
int vblk_batch_add(struct vblk *b, struct vblk_batch *t, uint32_t type, uint64_t sector, uint64_t data, uint32_t len);
/* Make every request added available to the device, with one notification. */
void vblk_batch_post(struct vblk *b, struct vblk_batch *t);
/* Wait at most @wait_ms for the next completion: its slot with its status in *@status, or -1. */
int vblk_batch_next(struct vblk *b, struct vblk_batch *t, unsigned int wait_ms, uint8_t *status);

/* The device's id string into @id (21 bytes, NUL-terminated): VIRTIO_BLK_S_* or VIO_TIMEOUT. */
int vblk_get_id(struct vblk *b, char *id);
static inline uint8_t *vblk_data(struct vblk *b)
{
	return b->io.va + VIO_DATA;
}

/* virtio-console (port 0) */
bool vcons_open(struct vio *c);
/* Write @len bytes (at most VIO_DATA_MAX); false when the device did not take them in time. */
bool vcons_write(struct vio *c, const char *s, uint32_t len);
/* Read what arrives within @wait_ms into @buf (@max bytes): bytes read, or VIO_TIMEOUT. */
int vcons_read(struct vio *c, char *buf, uint32_t max, unsigned int wait_ms);

/* virtio-rng */
bool vrng_open(struct vio *r);
/* Fill @len (<= VIO_DATA_MAX) bytes of the data area: bytes written, or VIO_TIMEOUT. */
int vrng_read(struct vio *r, uint32_t len);

/* Shared: find the @n-th device of @id, bring it up with @features and @nqueues, get the buffer frame. */
bool vio_open(struct vio *io, uint32_t id, unsigned int n, uint64_t features, unsigned int nqueues);

#endif
