/* virtio-blk: requests parsed from checked chains, submitted to io_uring straight from and into guest RAM. */
#include "devices/virtio/blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "devices/virtio/iov.h"
#include "devices/virtio/type.h"
#include "vmm/log.h"

#define BLK_HDR_BYTES ((uint32_t)sizeof(struct virtio_blk_req_hdr))
#define BLK_SEG_BYTES ((uint32_t)sizeof(struct virtio_blk_range))
#define BLK_ZERO_CHUNK 65536u
#define BLK_PCI_CLASS 0x018000u		/* mass storage, other */

static const uint8_t blk_zeros[BLK_ZERO_CHUNK];	/* the source of the write-zeroes fallback */

struct vblk;

struct blk_req {
	struct ioloop_op op;
	struct vblk *b;
	struct blk_req *next;		/* on the free list */
	struct virtq_chain chain;
	uint8_t *status;		/* the status byte, in guest RAM */
	uint32_t type;
	struct iovec *iov;		/* data still to transfer (inside chain.iov) */
	unsigned int niov;
	uint64_t off;			/* disk offset where it continues */
	uint32_t left;			/* bytes still to transfer */
	uint32_t written;		/* what the used ring will say */
	uint32_t len;			/* a read's or write's bytes, for the counters */
	bool direct;			/* through the O_DIRECT descriptor */
	int mode;			/* fallocate mode (discard, write zeroes) */
	uint64_t zlen;			/* write zeroes by writing: bytes still to write */
	uint64_t wseq;			/* a write in flight: its number; a flush: the last write started before it */
};

struct vblk {
	struct virtio_dev dev;
	struct disk *disk;
	struct disk *pending;		/* a swap waiting for the requests in flight on @disk, or NULL */
	struct disk *retired;		/* the image a swap left, for virtio_blk_swap to close */
	pthread_cond_t swapped;		/* signalled when @pending becomes @disk */
	struct blk_req *free;
	bool starved;			/* the queue has work but no request was free */
	bool held;			/* the queue has work held back until the pending swap */
	bool processing;		/* inside blk_process: do not re-enter */
	struct virtio_blk_stats stats;	/* under the device's lock; execute_fails is made of failed */
	uint64_t failed;		/* requests that did not end VIRTIO_BLK_S_OK */
	uint64_t wseq;			/* writes started (out, discard, write zeroes), numbering them */
	unsigned int writing;		/* of them, still in flight */
	struct blk_req *flushes;	/* flushes waiting for earlier writes, oldest first (through next) */
	struct blk_req reqs[VIRTIO_BLK_QUEUE_SIZE];
};

static void blk_process(struct vblk *b);
static void blk_submit(struct blk_req *r);
static void blk_swap_now(struct vblk *b);

static void put32(uint8_t *p, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t blk_features(const struct virtio_dev *dev)
{
	const struct vblk *b = dev->priv;
	uint64_t f = VIRTIO_BIT(VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT(VIRTIO_BLK_F_BLK_SIZE) |
		     VIRTIO_BIT(VIRTIO_BLK_F_FLUSH);

	if (b->disk->readonly)
		f |= VIRTIO_BIT(VIRTIO_BLK_F_RO);
	else
		f |= VIRTIO_BIT(VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT(VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static void blk_config_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	const struct vblk *b = dev->priv;
	uint8_t c[VIRTIO_BLK_CFG_SIZE] = { 0 };
	uint64_t sectors = b->disk->size / VIRTIO_BLK_SECTOR;

	put32(c + VIRTIO_BLK_CFG_CAPACITY, (uint32_t)sectors);
	put32(c + VIRTIO_BLK_CFG_CAPACITY + 4, (uint32_t)(sectors >> 32));
	put32(c + VIRTIO_BLK_CFG_SEG_MAX, VIRTIO_BLK_QUEUE_SIZE - 2);
	put32(c + VIRTIO_BLK_CFG_BLK_SIZE, b->disk->align);
	put32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SECTORS, VIRTIO_BLK_MAX_SECTORS);
	put32(c + VIRTIO_BLK_CFG_MAX_DISCARD_SEG, 1);
	put32(c + VIRTIO_BLK_CFG_DISCARD_ALIGN, 4096 / VIRTIO_BLK_SECTOR);
	put32(c + VIRTIO_BLK_CFG_MAX_WZ_SECTORS, VIRTIO_BLK_MAX_SECTORS);
	put32(c + VIRTIO_BLK_CFG_MAX_WZ_SEG, 1);
	c[VIRTIO_BLK_CFG_WZ_MAY_UNMAP] = 1;
	memcpy(data, c + off, len);	/* the core keeps [off, off + len) inside the config space */
}

/* The lowest number of a write still in flight, or UINT64_MAX. */
static uint64_t blk_oldest_write(const struct vblk *b)
{
	uint64_t m = UINT64_MAX;

	for (unsigned int i = 0; i < VIRTIO_BLK_QUEUE_SIZE; i++)
		if (b->reqs[i].type != VIRTIO_BLK_T_FLUSH && b->reqs[i].wseq && b->reqs[i].wseq < m)
			m = b->reqs[i].wseq;
	return m;
}

/* A write, discard or write zeroes is about to go to the image: number it (before blk_submit, which may finish it). */
static void blk_write_started(struct vblk *b, struct blk_req *r)
{
	r->wseq = ++b->wseq;
	b->writing++;
}

/*
 * A flush goes to the image only once every write started before it completed, so that its
 * fdatasync covers them: io_uring would otherwise run it beside them and it could complete
 * first (the bundled guest's exit=durability saw that).
 */
static void blk_flush(struct vblk *b, struct blk_req *r)
{
	struct blk_req **p = &b->flushes;

	r->wseq = b->wseq;
	if (!b->writing || blk_oldest_write(b) > r->wseq) {
		blk_submit(r);
		return;
	}
	while (*p)
		p = &(*p)->next;
	r->next = NULL;
	*p = r;
}

/* Write @r is over: flushes that waited for no later write than it go to the image. */
static void blk_write_over(struct vblk *b, struct blk_req *r)
{
	uint64_t oldest;

	r->wseq = 0;
	b->writing--;
	oldest = blk_oldest_write(b);
	while (b->flushes && b->flushes->wseq < oldest) {
		struct blk_req *f = b->flushes;

		b->flushes = f->next;
		blk_submit(f);
	}
}

/* The request is over: status into guest RAM, chain into the used ring, request back to the pool. */
static void blk_finish(struct blk_req *r, uint8_t status)
{
	struct vblk *b = r->b;

	if (r->type != VIRTIO_BLK_T_FLUSH && r->wseq)
		blk_write_over(b, r);
	r->wseq = 0;
	if (!b->dev.resetting)
		*r->status = status;	/* the driver still owns this session's buffers */
	if (status != VIRTIO_BLK_S_OK) {
		b->failed++;
	} else if (r->type == VIRTIO_BLK_T_IN) {
		b->stats.read_count++;
		b->stats.read_bytes += r->len;
	} else if (r->type == VIRTIO_BLK_T_OUT) {
		b->stats.write_count++;
		b->stats.write_bytes += r->len;
	} else if (r->type == VIRTIO_BLK_T_FLUSH) {
		b->stats.flush_count++;
	}
	virtio_done(&b->dev, 0, r->chain.head, status == VIRTIO_BLK_S_OK ? r->written : 1);
	r->next = b->free;
	b->free = r;
	virtio_request_done(&b->dev);
	if (b->pending && !b->dev.inflight)
		blk_swap_now(b);	/* the last request on the old image is done */
	if (b->starved && !b->processing) {
		b->starved = false;
		blk_process(b);
	}
}

static void blk_done(struct ioloop_op *op, int res)
{
	struct blk_req *r = (struct blk_req *)op;
	struct vblk *b = r->b;
	bool rw = r->type == VIRTIO_BLK_T_IN || r->type == VIRTIO_BLK_T_OUT;

	pthread_mutex_lock(&b->dev.lock);
	if (rw && res == -EINVAL && r->direct) {
		/* The file system refused O_DIRECT after all: use the page cache from now on. */
		log_debug("%s: O_DIRECT refused; buffered I/O from now on", b->dev.name);
		r->direct = false;
		b->disk->dfd = -1;
		blk_submit(r);
	} else if (rw && res > 0 && (uint32_t)res < r->left) {
		r->left -= (uint32_t)res;
		r->off += (uint64_t)res;
		r->iov = iov_drop_front(r->iov, &r->niov, (size_t)res);
		r->direct = disk_direct_ok(b->disk, r->off, r->iov, r->niov);
		blk_submit(r);
	} else if (rw) {
		blk_finish(r, res > 0 && (uint32_t)res == r->left ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR);
	} else if (r->zlen) {
		/* write zeroes by writing them */
		if (res <= 0) {
			blk_finish(r, VIRTIO_BLK_S_IOERR);
		} else {
			r->off += (uint64_t)res;
			r->zlen -= (uint64_t)res < r->zlen ? (uint64_t)res : r->zlen;
			if (r->zlen)
				blk_submit(r);
			else
				blk_finish(r, VIRTIO_BLK_S_OK);
		}
	} else if (res == -EOPNOTSUPP && r->type == VIRTIO_BLK_T_DISCARD) {
		blk_finish(r, VIRTIO_BLK_S_OK);	/* discarding is only a hint */
	} else if (res == -EOPNOTSUPP && r->type == VIRTIO_BLK_T_WRITE_ZEROES &&
		   r->mode == (FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE)) {
		r->mode = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
		blk_submit(r);
	} else if (res == -EOPNOTSUPP && r->type == VIRTIO_BLK_T_WRITE_ZEROES) {
		r->zlen = r->left;
		blk_submit(r);
	} else {
		blk_finish(r, res < 0 ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK);
	}
	pthread_mutex_unlock(&b->dev.lock);
}

static void blk_submit(struct blk_req *r)
{
	struct disk *d = r->b->disk;
	struct io_uring_sqe *sqe = ioloop_sqe(r->b->dev.loop, &r->op);

	if (!sqe) {
		blk_finish(r, VIRTIO_BLK_S_IOERR);	/* keel is shutting down */
		return;
	}
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		disk_prep_rw(d, sqe, r->type == VIRTIO_BLK_T_OUT, r->iov, r->niov, r->off, r->direct);
		break;
	case VIRTIO_BLK_T_FLUSH:
		disk_prep_flush(d, sqe);
		break;
	default:
		if (r->zlen)
			disk_prep_write_buf(d, sqe, blk_zeros, r->zlen < BLK_ZERO_CHUNK ? (uint32_t)r->zlen : BLK_ZERO_CHUNK,
					    r->off);
		else
			disk_prep_fallocate(d, sqe, r->mode, r->off, r->left);
	}
}

/* Is [sector, sector + bytes / 512) inside the disk? (overflow-safe) */
static bool blk_in_range(const struct vblk *b, uint64_t sector, uint64_t bytes)
{
	uint64_t cap = b->disk->size / VIRTIO_BLK_SECTOR, n = bytes / VIRTIO_BLK_SECTOR;

	return sector <= cap && n <= cap - sector;
}

/* A discard or write-zeroes request: one segment after the header. Returns a status or 0xff (submitted). */
static uint8_t blk_ranges(struct vblk *b, struct blk_req *r)
{
	struct virtq_chain *c = &r->chain;
	struct virtio_blk_range seg;
	bool wz = r->type == VIRTIO_BLK_T_WRITE_ZEROES;

	if (!virtio_feature(&b->dev, wz ? VIRTIO_BLK_F_WRITE_ZEROES : VIRTIO_BLK_F_DISCARD))
		return VIRTIO_BLK_S_UNSUPP;
	if (b->disk->readonly)
		return VIRTIO_BLK_S_IOERR;
	if (c->out_len - BLK_HDR_BYTES != BLK_SEG_BYTES)
		return VIRTIO_BLK_S_IOERR;	/* max_discard_seg and max_write_zeroes_seg are 1 */
	iov_to_buf(c->iov, c->nout, BLK_HDR_BYTES, &seg, sizeof(seg));
	if (wz ? (seg.flags & ~VIRTIO_BLK_WZ_UNMAP) : seg.flags)
		return VIRTIO_BLK_S_UNSUPP;
	if (seg.num_sectors > VIRTIO_BLK_MAX_SECTORS ||
	    !blk_in_range(b, seg.sector, (uint64_t)seg.num_sectors * VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	if (seg.num_sectors == 0)
		return VIRTIO_BLK_S_OK;
	r->off = seg.sector * VIRTIO_BLK_SECTOR;
	r->left = seg.num_sectors * VIRTIO_BLK_SECTOR;
	r->mode = !wz || (seg.flags & VIRTIO_BLK_WZ_UNMAP) ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
							    : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	blk_write_started(b, r);
	blk_submit(r);
	return 0xff;
}

/* A read or a write. Returns a status, or 0xff when submitted. */
static uint8_t blk_rw(struct vblk *b, struct blk_req *r, uint64_t sector)
{
	struct virtq_chain *c = &r->chain;
	bool write = r->type == VIRTIO_BLK_T_OUT;
	uint32_t len;

	if (write) {
		if (b->disk->readonly)
			return VIRTIO_BLK_S_IOERR;
		len = c->out_len - BLK_HDR_BYTES;
		r->niov = c->nout;
		r->iov = iov_drop_front(c->iov, &r->niov, BLK_HDR_BYTES);
	} else {
		len = c->in_len - 1;
		r->niov = c->nin;
		r->iov = &c->iov[c->nout];
		iov_drop_back(r->iov, &r->niov, 1);
	}
	if (len % VIRTIO_BLK_SECTOR || !blk_in_range(b, sector, len) ||
	    sector > UINT64_MAX / VIRTIO_BLK_SECTOR)
		return VIRTIO_BLK_S_IOERR;
	r->written = write ? 1 : len + 1;
	r->len = len;
	if (len == 0)
		return VIRTIO_BLK_S_OK;
	r->off = sector * VIRTIO_BLK_SECTOR;
	r->left = len;
	r->direct = disk_direct_ok(b->disk, r->off, r->iov, r->niov);
	if (write)
		blk_write_started(b, r);
	blk_submit(r);
	return 0xff;
}

/* Start one request; it either completes here or once its I/O does. */
static void blk_start(struct vblk *b, struct blk_req *r)
{
	struct virtq_chain *c = &r->chain;
	struct iovec *last;
	struct virtio_blk_req_hdr h;
	uint8_t st = VIRTIO_BLK_S_UNSUPP;
	char id[VIRTIO_BLK_ID_BYTES] = { 0 };

	r->written = 1;
	r->len = 0;
	r->zlen = 0;
	last = &c->iov[c->nout + c->nin - 1];
	r->status = (uint8_t *)last->iov_base + last->iov_len - 1;
	iov_to_buf(c->iov, c->nout, 0, &h, sizeof(h));
	r->type = h.type;
	switch (h.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		st = blk_rw(b, r, h.sector);
		break;
	case VIRTIO_BLK_T_FLUSH:
		blk_flush(b, r);
		return;
	case VIRTIO_BLK_T_GET_ID:
		memcpy(id, b->disk->id, strnlen(b->disk->id, sizeof(id)));
		r->written = 1 + (uint32_t)iov_from_buf(&c->iov[c->nout], c->nin, 0, id,
						      c->in_len - 1 < sizeof(id) ? c->in_len - 1 : sizeof(id));
		st = VIRTIO_BLK_S_OK;
		break;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		st = blk_ranges(b, r);
		break;
	default:
		break;
	}
	if (st != 0xff && st != VIRTIO_BLK_S_OK)
		b->stats.invalid_reqs_count++;
	if (st != 0xff)
		blk_finish(r, st);
}

/* Take every available request while requests are free. */
static void blk_process(struct vblk *b)
{
	struct virtq *vq = &b->dev.vq[0];
	bool taken = false;

	if (b->processing)
		return;
	if (b->pending) {
		b->held = true;		/* new requests go to the new image */
		return;
	}
	b->processing = true;
	do {
		virtq_kick_disable(vq);
		while (b->free) {
			struct blk_req *r = b->free;
			int ret = virtio_pop(&b->dev, 0, &r->chain);

			if (ret == -EAGAIN) {
				if (!taken)
					b->stats.no_avail_buffer++;
				break;
			}
			if (ret < 0)
				goto out;	/* a guest fault: the device waits for a reset */
			taken = true;
			if (r->chain.out_len < BLK_HDR_BYTES || r->chain.in_len < 1) {
				/* No header to read, or no byte to answer in: nothing sensible to do. */
				virtio_fault(&b->dev, 0, VQ_FAULT_DIRECTION, r->chain.out_len < BLK_HDR_BYTES
					     ? "request header not in device-readable buffers"
					     : "no device-writable status byte");
				goto out;
			}
			b->free = r->next;
			virtio_request_start(&b->dev);
			blk_start(b, r);
		}
		if (!b->free) {
			b->starved = true;	/* blk_finish comes back */
			goto out;
		}
	} while (virtq_kick_enable(vq));
out:
	b->processing = false;
}

static void blk_queue_notify(struct virtio_dev *dev, unsigned int q)
{
	struct vblk *b = dev->priv;

	(void)q;
	b->stats.queue_event_count++;
	blk_process(b);
}

static void blk_reset(struct virtio_dev *dev)
{
	struct vblk *b = dev->priv;

	b->starved = false;	/* requests in flight finish without touching the rings */
}

static const struct virtio_dev_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.pci_class = BLK_PCI_CLASS,
	.nqueues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_SIZE,
	.config_size = VIRTIO_BLK_CFG_SIZE,
	.features = blk_features,
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
};

int virtio_blk_create(struct disk *disk, unsigned int index, const struct guest_mem *mem, struct ioloop *loop,
		      struct virtio_dev **out)
{
	struct vblk *b = calloc(1, sizeof(*b));
	char name[32];
	int ret;

	pthread_condattr_t ca;

	if (!b)
		return -ENOMEM;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->swapped, &ca);
	pthread_condattr_destroy(&ca);
	b->disk = disk;
	for (unsigned int i = VIRTIO_BLK_QUEUE_SIZE; i-- > 0;) {
		b->reqs[i].op.done = blk_done;
		b->reqs[i].b = b;
		b->reqs[i].next = b->free;
		b->free = &b->reqs[i];
	}
	snprintf(name, sizeof(name), "virtio-blk%u", index);
	ret = virtio_dev_init(&b->dev, &virtio_blk_ops, b, name, mem, loop);
	if (ret < 0) {
		virtio_blk_destroy(&b->dev);
		return ret;
	}
	*out = &b->dev;
	return 0;
}

void virtio_blk_destroy(struct virtio_dev *dev)
{
	struct vblk *b;

	if (!dev)
		return;
	b = dev->priv;
	if (b)
		pthread_cond_destroy(&b->swapped);
	virtio_dev_destroy(dev);
	free(dev->priv);
}

/*
 * The pending image becomes the disk (lock held, nothing in flight): the old one waits in
 * @retired for virtio_blk_swap to close it, the driver is told the configuration (capacity)
 * changed, and requests held back go to the new image.
 */
static void blk_swap_now(struct vblk *b)
{
	uint64_t was = b->disk->size / VIRTIO_BLK_SECTOR;

	b->retired = b->disk;
	b->disk = b->pending;
	b->pending = NULL;
	b->stats.update_count++;
	log_info("%s: now on %s, %llu sectors (was %llu)", b->dev.name, b->disk->path,
		 (unsigned long long)(b->disk->size / VIRTIO_BLK_SECTOR), (unsigned long long)was);
	virtio_config_changed(&b->dev);
	pthread_cond_broadcast(&b->swapped);
	if (b->held && ioloop_on_thread(b->dev.loop)) {
		b->held = false;
		blk_process(b);
	}
}

int virtio_blk_swap(struct virtio_dev *dev, struct disk *disk, unsigned int timeout_ms)
{
	struct vblk *b = dev->priv;
	struct disk *old = NULL;
	struct timespec until;
	bool kick = false;
	int ret = 0;

	if (dev->ops != &virtio_blk_ops)
		return -EINVAL;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&dev->lock);
	if (disk->readonly != b->disk->readonly || b->pending) {
		ret = b->pending ? -EBUSY : -EINVAL;
		pthread_mutex_unlock(&dev->lock);
		return ret;
	}
	b->pending = disk;
	if (!dev->inflight)
		blk_swap_now(b);	/* the I/O thread is outside the device: swap here */
	while (b->pending == disk && ret == 0)
		ret = -pthread_cond_timedwait(&b->swapped, &dev->lock, &until);
	if (b->pending == disk) {
		/* Still in flight after all this time: call it off; held requests go to the old image. */
		b->pending = NULL;
		kick = b->held;
		b->held = false;
		ret = -ETIMEDOUT;
	} else {
		old = b->retired;
		b->retired = NULL;
		ret = 0;
	}
	pthread_mutex_unlock(&dev->lock);
	if (kick)
		virtio_kick(dev, 0);
	if (old) {
		disk_close(old);	/* here, not on the I/O thread: closing and unlocking is the main thread's */
		disk_swap_lock(disk);
	}
	return ret;
}

int virtio_blk_stats(struct virtio_dev *dev, struct virtio_blk_stats *out)
{
	struct vblk *b = dev->priv;

	if (dev->ops != &virtio_blk_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	*out = b->stats;
	out->execute_fails = b->failed - b->stats.invalid_reqs_count;
	pthread_mutex_unlock(&dev->lock);
	return 0;
}

/* What the driver sees of @b's disk, as a struct virtio_blk_state. */
static void blk_describe(const struct vblk *b, struct virtio_blk_state *s)
{
	memset(s, 0, sizeof(*s));
	s->capacity = b->disk->size / VIRTIO_BLK_SECTOR;
	s->blk_size = b->disk->align;
	s->readonly = b->disk->readonly;
	memcpy(s->id, b->disk->id, strnlen(b->disk->id, sizeof(s->id)));
}

int virtio_blk_save(struct virtio_dev *dev, struct virtio_blk_state *s)
{
	int ret = 0;

	if (dev->ops != &virtio_blk_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting)
		ret = -EBUSY;
	else
		blk_describe(dev->priv, s);
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

int virtio_blk_restore(struct virtio_dev *dev, const struct virtio_blk_state *s)
{
	struct virtio_blk_state mine;
	int ret = 0;

	if (dev->ops != &virtio_blk_ops)
		return -EINVAL;
	pthread_mutex_lock(&dev->lock);
	if (dev->inflight || dev->resetting) {
		ret = -EBUSY;
	} else {
		blk_describe(dev->priv, &mine);
		if (s->capacity != mine.capacity || s->blk_size != mine.blk_size || s->readonly != mine.readonly ||
		    memcmp(s->id, mine.id, sizeof(mine.id)))
			ret = -EINVAL;
	}
	pthread_mutex_unlock(&dev->lock);
	return ret;
}

/* --- the device type (devices/virtio/type.h) ----------------------------------------------- */

static unsigned int blk_type_count(const struct virtio_config *c)
{
	return c->ndisks;
}

static struct virtio_place blk_type_place(const struct virtio_config *c, unsigned int i)
{
	return c->disks[i].place;
}

static int blk_type_open(const struct virtio_config *c, unsigned int i, const struct virtio_env *env, void **backend,
			 char *err, size_t errlen)
{
	struct disk *d = NULL;
	int ret;

	(void)env;
	ret = disk_open(&c->disks[i], i, &d, err, errlen);
	*backend = d;
	return ret;
}

static void blk_type_close(void *backend)
{
	disk_close(backend);
}

static int blk_type_create(void *backend, const struct virtio_config *c, unsigned int i, const struct guest_mem *mem,
			   struct ioloop *loop, struct virtio_dev **out)
{
	struct disk *dk = backend;

	(void)c;
	disk_register(dk, loop);
	log_debug("virtio-blk%u: %s, %llu bytes%s, %s, %s", i, dk->path, (unsigned long long)dk->size,
		  dk->readonly ? " read-only" : "", dk->dfd >= 0 ? "O_DIRECT when aligned" : "buffered",
		  dk->fixed >= 0 ? "registered with io_uring" : "plain descriptors");
	return virtio_blk_create(dk, i, mem, loop, out);
}

static int blk_type_save(struct virtio_dev *dev, union virtio_type_state *s)
{
	return virtio_blk_save(dev, &s->blk);
}

static int blk_type_restore(struct virtio_dev *dev, const union virtio_type_state *s)
{
	return virtio_blk_restore(dev, &s->blk);
}

const struct virtio_type virtio_blk_type = {
	.name = "virtio-blk",
	.count = blk_type_count,
	.place = blk_type_place,
	.open = blk_type_open,
	.close = blk_type_close,
	.create = blk_type_create,
	.destroy = virtio_blk_destroy,
	.save = blk_type_save,
	.restore = blk_type_restore,
};
