/* The fake driver's side of a split virtqueue, written the way a guest would, with the same barriers. */
#include "tests/virtio/fakeq.h"

#include <string.h>
#include <time.h>

void *fakeq_hva(const struct fakeq *q, uint64_t gpa, uint64_t len)
{
	void *hva;

	return gmem_translate(q->mem, gpa, len, &hva) == 0 ? hva : NULL;
}

uint64_t fakeq_init(struct fakeq *q, const struct guest_mem *mem, uint64_t gpa, uint16_t size)
{
	uint64_t total;

	memset(q, 0, sizeof(*q));
	q->mem = mem;
	q->size = size;
	q->desc_gpa = gpa;
	q->avail_gpa = gpa + VRING_DESC_BYTES(size);
	q->used_gpa = (q->avail_gpa + VRING_AVAIL_BYTES(size) + 3) & ~3ull;
	total = q->used_gpa + VRING_USED_BYTES(size) - gpa;
	q->desc = fakeq_hva(q, q->desc_gpa, VRING_DESC_BYTES(size));
	q->avail = fakeq_hva(q, q->avail_gpa, VRING_AVAIL_BYTES(size));
	q->used = fakeq_hva(q, q->used_gpa, VRING_USED_BYTES(size));
	memset(q->desc, 0, total);
	return total;
}

void fakeq_set_desc(struct fakeq *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	q->desc[i] = (struct vring_desc){ .addr = addr, .len = len, .flags = flags, .next = next };
}

uint16_t fakeq_chain(struct fakeq *q, uint16_t first, const struct fakeq_buf *b, unsigned int n)
{
	for (unsigned int k = 0; k < n; k++) {
		uint16_t i = (uint16_t)((first + k) % q->size), next = (uint16_t)((first + k + 1) % q->size);
		uint16_t flags = (uint16_t)((b[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0));

		fakeq_set_desc(q, i, b[k].gpa, b[k].len, flags, k + 1 < n ? next : 0);
	}
	return first;
}

uint16_t fakeq_indirect(struct fakeq *q, uint16_t d, uint64_t table_gpa, const struct fakeq_buf *b,
			unsigned int n)
{
	struct vring_desc *t = fakeq_hva(q, table_gpa, n * sizeof(*t));

	for (unsigned int k = 0; k < n; k++)
		t[k] = (struct vring_desc){
			.addr = b[k].gpa,
			.len = b[k].len,
			.flags = (uint16_t)((b[k].write ? VIRTQ_DESC_F_WRITE : 0) | (k + 1 < n ? VIRTQ_DESC_F_NEXT : 0)),
			.next = (uint16_t)(k + 1 < n ? k + 1 : 0),
		};
	fakeq_set_desc(q, d, table_gpa, (uint32_t)(n * sizeof(*t)), VIRTQ_DESC_F_INDIRECT, 0);
	return d;
}

void fakeq_offer(struct fakeq *q, uint16_t head)
{
	q->avail->ring[q->avail_idx % q->size] = head;
	q->avail_idx++;
	__atomic_store_n(&q->avail->idx, q->avail_idx, __ATOMIC_RELEASE);
}

void fakeq_set_avail_idx(struct fakeq *q, uint16_t idx)
{
	q->avail_idx = idx;
	__atomic_store_n(&q->avail->idx, idx, __ATOMIC_RELEASE);
}

int fakeq_used(struct fakeq *q, uint32_t *id, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE);
	const struct vring_used_elem *e;

	if (idx == q->used_seen)
		return 0;
	e = &q->used->ring[q->used_seen % q->size];
	if (id)
		*id = e->id;
	if (len)
		*len = e->len;
	q->used_seen++;
	return 1;
}

int fakeq_wait_used(struct fakeq *q, uint32_t *id, uint32_t *len, int ms)
{
	struct timespec ts = { .tv_nsec = 100000 };

	for (int i = 0; i < ms * 10; i++) {
		if (fakeq_used(q, id, len))
			return 1;
		nanosleep(&ts, NULL);
	}
	return fakeq_used(q, id, len);
}

void fakeq_set_used_event(struct fakeq *q, uint16_t v)
{
	__atomic_store_n(&q->avail->ring[q->size], v, __ATOMIC_RELEASE);
}

void fakeq_set_avail_flags(struct fakeq *q, uint16_t v)
{
	__atomic_store_n(&q->avail->flags, v, __ATOMIC_RELEASE);
}

uint16_t fakeq_avail_event(const struct fakeq *q)
{
	return __atomic_load_n((uint16_t *)&q->used->ring[q->size], __ATOMIC_ACQUIRE);
}

uint16_t fakeq_used_flags(const struct fakeq *q)
{
	return __atomic_load_n(&q->used->flags, __ATOMIC_ACQUIRE);
}
