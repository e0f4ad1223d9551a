/* The virtio device fuzzers' shared driver: a session per input, chains laid out by the input, used entries checked against what was offered. */
#include "tests/fuzz/fuzz_vdev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/log.h"

#define FZ_GUARD (2ull << 20)
#define FZ_MAX_ACTIONS 256u
#define FZ_QGPA(q) ((uint64_t)(q) * 0x1000u)	/* queue q: descriptors, then avail at +0x400, used at +0x800 */

enum { A_CHAIN, A_KICK, A_COMPLETE, A_RESET, A_CONFIG, A_EXTRA, A_FULL, A_COUNT };

void fz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("fuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

uint8_t fz_u8(struct fz_in *in)
{
	uint8_t b = 0;

	if (in->n) {
		b = *in->p++;
		in->n--;
	}
	return b;
}

uint16_t fz_u16(struct fz_in *in)
{
	uint16_t lo = fz_u8(in);

	return (uint16_t)(lo | fz_u8(in) << 8);
}

uint32_t fz_u32(struct fz_in *in)
{
	uint32_t lo = fz_u16(in);

	return lo | (uint32_t)fz_u16(in) << 16;
}

uint64_t fz_u64(struct fz_in *in)
{
	uint64_t lo = fz_u32(in);

	return lo | (uint64_t)fz_u32(in) << 32;
}

size_t fz_take(struct fz_in *in, void *dst, size_t max)
{
	size_t n = fz_u8(in);

	if (n > in->n)
		n = in->n;
	if (n > max)
		n = max;
	memcpy(dst, in->p, n);
	in->p += n;
	in->n -= n;
	return n;
}

struct guest_mem *fz_ram(void)
{
	static struct guest_mem mem;

	if (!mem.base) {
		uint8_t *raw = mmap(NULL, FZ_RAM + 2 * FZ_GUARD, PROT_NONE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		log_set_level(LOG_ERROR);
		if (raw == MAP_FAILED || mprotect(raw + FZ_GUARD, FZ_RAM, PROT_READ | PROT_WRITE) != 0)
			abort();
		mem.base = raw + FZ_GUARD;
		mem.size = FZ_RAM;
		mem.regions[0] = (struct gmem_region){ .gpa = 0, .size = FZ_RAM, .hva = mem.base };
		mem.nregions = 1;
	}
	memset(mem.base, 0, FZ_RAM);
	return &mem;
}

uint64_t fz_iov_total(const struct iovec *iov, unsigned int n)
{
	volatile uint8_t sink = 0;
	uint64_t t = 0;

	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *p = iov[i].iov_base;

		for (size_t k = 0; k < iov[i].iov_len; k++)
			sink ^= p[k];
		t += iov[i].iov_len;
	}
	(void)sink;
	return t;
}

uint64_t fz_iov_fill(const struct iovec *iov, unsigned int n, struct fz_in *in, uint64_t max)
{
	uint8_t pat[256];
	size_t np = fz_take(in, pat, sizeof(pat));
	uint64_t t = 0;

	for (unsigned int i = 0; i < n && t < max; i++) {
		uint8_t *p = iov[i].iov_base;

		for (size_t k = 0; k < iov[i].iov_len && t < max; k++, t++)
			p[k] = np ? pat[t % np] : (uint8_t)t;
	}
	return t;
}

int fz_pick_res(struct fz_in *in, uint64_t full)
{
	static const int errs[] = { -EIO, -EAGAIN, -EINVAL, -EOPNOTSUPP, -ECANCELED, -EPIPE, -ENOBUFS, -ECONNRESET };
	uint8_t m = fz_u8(in);

	if (full > INT32_MAX)
		full = INT32_MAX;
	switch (m & 3) {
	case 0:
	case 1:
		return (int)full;
	case 2:
		return full ? (int)(fz_u32(in) % full) : 0;
	default:
		return errs[(m >> 2) % (sizeof(errs) / sizeof(errs[0]))];
	}
}

/* Under the device's lock, as the transports call the core. */
static void fz_status(struct fz_vdev *v, uint8_t s)
{
	pthread_mutex_lock(&v->dev->lock);
	virtio_status_set(v->dev, s);
	pthread_mutex_unlock(&v->dev->lock);
}

void fz_vdev_begin(struct fz_vdev *v, struct fz_in *in)
{
	struct virtio_dev *d = v->dev;
	uint64_t want = ((uint64_t)fz_u32(in) | (uint64_t)fz_u8(in) << 32) | VIRTIO_BIT(VIRTIO_F_VERSION_1);

	memset(v->mem->base, 0, FZ_DATA);
	memset(v->avail, 0, sizeof(v->avail));
	memset(v->used_seen, 0, sizeof(v->used_seen));
	memset(v->next_desc, 0, sizeof(v->next_desc));
	memset(v->wlen, 0xff, sizeof(v->wlen));
	memset(v->owner, 0xff, sizeof(v->owner));
	v->bump = v->bump_top = FZ_DATA;
	v->unchecked = false;
	fz_status(v, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	pthread_mutex_lock(&d->lock);
	virtio_driver_features_set(d, 0, (uint32_t)(d->host_features & want));
	virtio_driver_features_set(d, 1, (uint32_t)((d->host_features & want) >> 32));
	pthread_mutex_unlock(&d->lock);
	fz_status(v, VIRTIO_STATUS_FEATURES_OK);
	pthread_mutex_lock(&d->lock);
	for (unsigned int q = 0; q < d->ops->nqueues; q++) {
		d->vq[q].size = FZ_QS;
		d->vq[q].desc_gpa = FZ_QGPA(q);
		d->vq[q].avail_gpa = FZ_QGPA(q) + 0x400;
		d->vq[q].used_gpa = FZ_QGPA(q) + 0x800;
		virtio_queue_enable(d, q);
	}
	pthread_mutex_unlock(&d->lock);
	fz_status(v, VIRTIO_STATUS_DRIVER_OK);
	fz_loop_pump(v->loop);
}

/* Room for @len bytes at @align in the buffer area (wrapping round to its start). */
static uint64_t fz_alloc(struct fz_vdev *v, uint64_t len, uint64_t align)
{
	uint64_t at = (v->bump + align - 1) & ~(align - 1);

	if (at + len > FZ_RAM) {
		at = FZ_DATA;
		v->unchecked = true;	/* over the buffers and tables of chains still out */
	}
	v->bump = at + len;
	if (v->bump > v->bump_top)
		v->bump_top = v->bump;
	return at;
}

/* Descriptor @at of queue @q becomes @d, part of the chain at @head: a chain out still using it changes under the device. */
static void fz_desc(struct fz_vdev *v, unsigned int q, uint16_t at, uint16_t head, const struct vring_desc *d)
{
	struct vring_desc *table = (void *)(v->mem->base + FZ_QGPA(q));
	uint8_t was = v->owner[q][at];

	if (was < FZ_QS && v->wlen[q][was] != -1)
		v->wlen[q][was] = -2;
	v->owner[q][at] = (uint8_t)head;
	table[at] = *d;
}

/*
 * A chain: queue byte, count byte, then per buffer a flags byte (1 writable, 2 at the very end
 * of RAM, 4 anywhere the input says, 8 on the first: the chain in an indirect table), a 16-bit
 * length and its first bytes. Offered at once; the driver kicks separately.
 */
static void fz_chain(struct fz_vdev *v, struct fz_in *in)
{
	unsigned int q = fz_u8(in) % v->dev->ops->nqueues, n = fz_u8(in) % 6 + 1;
	struct vring_desc ds[8];
	struct vring_avail *av = (void *)(v->mem->base + FZ_QGPA(q) + 0x400);
	bool indirect = false;
	uint16_t head = v->next_desc[q] % FZ_QS;
	int64_t wl = 0;

	for (unsigned int i = 0; i < n; i++) {
		uint8_t f = fz_u8(in);
		uint32_t len = fz_u16(in);
		uint64_t gpa;
		uint8_t tmp[256];
		size_t c;

		if (i == 0)
			indirect = f & 8;
		if (f & 2) {
			gpa = FZ_RAM - len;
			v->unchecked |= gpa < v->bump_top;
		} else if (f & 4) {
			gpa = fz_u32(in) % FZ_RAM;	/* over the rings too: then they say what the device wrote there */
			v->unchecked = true;
		} else {
			gpa = fz_alloc(v, len, 1);
		}
		c = fz_take(in, tmp, sizeof(tmp));
		if (c > len)
			c = len;
		if (gpa + c <= FZ_RAM)
			memcpy(v->mem->base + gpa, tmp, c);
		ds[i] = (struct vring_desc){ .addr = gpa, .len = len, .flags = (f & 1) ? VIRTQ_DESC_F_WRITE : 0 };
		if (f & 1)
			wl += len;
	}
	if (indirect) {
		uint64_t t = fz_alloc(v, 16ull * n, 16);

		for (unsigned int i = 0; i < n; i++) {
			if (i + 1 < n) {
				ds[i].flags |= VIRTQ_DESC_F_NEXT;
				ds[i].next = (uint16_t)(i + 1);
			}
			memcpy(v->mem->base + t + 16ull * i, &ds[i], sizeof(ds[i]));
		}
		fz_desc(v, q, head, head, &(struct vring_desc){ .addr = t, .len = 16u * n, .flags = VIRTQ_DESC_F_INDIRECT });
		v->next_desc[q]++;
	} else {
		for (unsigned int i = 0; i < n; i++) {
			uint16_t at = (uint16_t)((head + i) % FZ_QS);

			if (i + 1 < n) {
				ds[i].flags |= VIRTQ_DESC_F_NEXT;
				ds[i].next = (uint16_t)((at + 1) % FZ_QS);
			}
			fz_desc(v, q, at, head, &ds[i]);
		}
		v->next_desc[q] = (uint16_t)(v->next_desc[q] + n);
	}
	v->wlen[q][head] = v->wlen[q][head] == -1 ? wl : -2;
	av->ring[v->avail[q] % FZ_QS] = head;
	__atomic_store_n(&av->idx, ++v->avail[q], __ATOMIC_RELEASE);
}

/* Every entry the device made visible names a head it had, with no more bytes than it could write. */
static void fz_check_used(struct fz_vdev *v)
{
	struct virtio_dev *d = v->dev;

	if (v->unchecked)
		return;		/* the used ring, or the chains, may hold whatever the device wrote there */
	for (unsigned int q = 0; q < d->ops->nqueues; q++) {
		const struct vring_used *u = (const void *)(v->mem->base + FZ_QGPA(q) + 0x800);
		uint16_t idx = __atomic_load_n(&u->idx, __ATOMIC_ACQUIRE);

		if ((uint16_t)(idx - v->used_seen[q]) > FZ_QS)
			fz_fail("queue %u: used index %u after %u: more returned than the queue holds", q, idx,
				v->used_seen[q]);
		for (; v->used_seen[q] != idx; v->used_seen[q]++) {
			const struct vring_used_elem *e = &u->ring[v->used_seen[q] % FZ_QS];

			if (e->id >= FZ_QS)
				fz_fail("queue %u: used entry %u names head %u", q, v->used_seen[q], e->id);
			if (v->wlen[q][e->id] >= 0 && e->len > v->wlen[q][e->id])
				fz_fail("queue %u: head %u returned with %u bytes written, the chain takes %lld", q, e->id,
					e->len, (long long)v->wlen[q][e->id]);
			v->wlen[q][e->id] = -1;
		}
	}
}

/* A configuration-space access: offset byte, size, write or read. */
static void fz_config(struct fz_vdev *v, struct fz_in *in)
{
	uint8_t off = fz_u8(in), f = fz_u8(in);
	uint32_t len = 1u << (f & 3);
	uint8_t buf[8];
	uint64_t val = fz_u64(in);

	memcpy(buf, &val, sizeof(buf));
	pthread_mutex_lock(&v->dev->lock);
	virtio_config_access(v->dev, off, buf, len, f & 4);
	pthread_mutex_unlock(&v->dev->lock);
}

void fz_vdev_run(struct fz_vdev *v, struct fz_in *in, const struct fz_hooks *h)
{
	for (unsigned int n = 0; n < FZ_MAX_ACTIONS && in->n; n++) {
		uint8_t a = fz_u8(in);

		switch (a % A_COUNT) {
		case A_CHAIN:
			fz_chain(v, in);
			break;
		case A_KICK:
			pthread_mutex_lock(&v->dev->lock);
			virtio_kick(v->dev, fz_u8(in) % v->dev->ops->nqueues);
			pthread_mutex_unlock(&v->dev->lock);
			break;
		case A_COMPLETE:
			if (fz_loop_pending(v->loop)) {
				unsigned int i = fz_u8(in) % fz_loop_pending(v->loop);

				h->complete(v, in, i, fz_loop_sub(v->loop, i));
			}
			break;
		case A_RESET:
			if (virtio_status_get(v->dev) == 0 && !v->dev->resetting)
				fz_vdev_begin(v, in);	/* the reset finished: a new session */
			else
				fz_status(v, 0);
			break;
		case A_CONFIG:
			fz_config(v, in);
			break;
		case A_EXTRA:
			if (h->extra)
				h->extra(v, in);
			break;
		default:
			fz_loop_set_full(v->loop, a & 0x80);
			break;
		}
		fz_loop_pump(v->loop);
		fz_check_used(v);
		if (h->check)
			h->check(v);
	}
	/* The loop shuts down: whatever is outstanding completes with -ECANCELED. */
	fz_loop_set_full(v->loop, false);
	fz_loop_set_stopping(v->loop, true);
	while (fz_loop_pending(v->loop)) {
		fz_loop_complete(v->loop, 0, -ECANCELED);
		fz_loop_pump(v->loop);
	}
	fz_check_used(v);
}

void fz_vdev_session(struct fz_vdev *v, struct fz_in *in, const struct fz_hooks *h)
{
	fz_vdev_begin(v, in);
	fz_vdev_run(v, in, h);
	if (v->dev->inflight)
		fz_fail("%s: %u requests still in flight after every submission completed", v->dev->name,
			v->dev->inflight);
}
