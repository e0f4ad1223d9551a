/* The split virtqueue: every descriptor copied once, bounded and checked, every address through gmem_translate. */
#include "devices/virtio/virtqueue.h"

#include <errno.h>
#include <string.h>

/* The guest writes the rings concurrently: read each shared field exactly once. */
#define VQ_LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define VQ_LOAD_ACQ(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define VQ_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define VQ_STORE_REL(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define VQ_FENCE() __atomic_thread_fence(__ATOMIC_SEQ_CST)

const char *virtq_fault_name(enum virtq_fault f)
{
	static const char *const names[VQ_FAULT_COUNT] = {
		[VQ_FAULT_NONE] = "no fault",
		[VQ_FAULT_AVAIL_JUMP] = "available index jumped ahead by more than the queue size",
		[VQ_FAULT_HEAD_RANGE] = "chain head outside the descriptor table",
		[VQ_FAULT_NEXT_RANGE] = "next descriptor outside the table",
		[VQ_FAULT_LOOP] = "descriptor loop",
		[VQ_FAULT_TOO_LONG] = "chain longer than the queue",
		[VQ_FAULT_ADDR] = "buffer outside guest RAM",
		[VQ_FAULT_LEN_OVERFLOW] = "buffer length overflows",
		[VQ_FAULT_INDIRECT] = "malformed indirect descriptor",
		[VQ_FAULT_ORDER] = "device-readable buffer after a device-writable one",
		[VQ_FAULT_DIRECTION] = "buffer of the wrong direction",
		[VQ_FAULT_FORMAT] = "malformed request",
		[VQ_FAULT_RING] = "bad virtqueue configuration",
		[VQ_FAULT_OUTSTANDING] = "a chain head offered again before it was returned",
	};

	return (unsigned int)f < VQ_FAULT_COUNT ? names[f] : "unknown fault";
}

void virtq_init(struct virtq *vq, uint16_t max_size)
{
	memset(vq, 0, sizeof(*vq));
	vq->max_size = max_size;
	vq->size = max_size;
}

void virtq_reset(struct virtq *vq)
{
	virtq_init(vq, vq->max_size);
}

/* Translate a whole ring part, checking its alignment. */
static void *vq_ring(const struct guest_mem *mem, uint64_t gpa, uint64_t len, uint64_t align)
{
	void *hva;

	if (gpa & (align - 1))
		return NULL;
	return gmem_translate(mem, gpa, len, &hva) == 0 ? hva : NULL;
}

/*
 * The checks of a queue about to be used, shared by virtq_enable and virtq_restore: size a power
 * of 2 within max_size, indices no further apart than the size allows (modulo 2^16), each ring
 * aligned and wholly inside @mem. Sets the rings' host pointers; 0, or -EINVAL with them NULL.
 */
static int vq_check(struct virtq *vq, const struct guest_mem *mem)
{
	uint16_t n = vq->size;

	vq->fault_desc = n;
	vq->fault_addr = 0;
	if (n == 0 || n > vq->max_size || (n & (n - 1)))
		return -EINVAL;
	/* In flight: [used_idx, last_avail); returned, not yet published: [published, used_idx). */
	if ((uint16_t)(vq->last_avail - vq->used_idx) > n || (uint16_t)(vq->used_idx - vq->published) > n)
		return -EINVAL;
	vq->desc = vq_ring(mem, vq->desc_gpa, VRING_DESC_BYTES(n), VRING_DESC_ALIGN);
	vq->avail = vq_ring(mem, vq->avail_gpa, VRING_AVAIL_BYTES(n), VRING_AVAIL_ALIGN);
	vq->used = vq_ring(mem, vq->used_gpa, VRING_USED_BYTES(n), VRING_USED_ALIGN);
	if (!vq->desc || !vq->avail || !vq->used) {
		vq->fault_addr = !vq->desc ? vq->desc_gpa : !vq->avail ? vq->avail_gpa : vq->used_gpa;
		vq->desc = NULL;
		vq->avail = NULL;
		vq->used = NULL;
		return -EINVAL;
	}
	vq->mem = mem;
	return 0;
}

int virtq_enable(struct virtq *vq, const struct guest_mem *mem, bool event_idx, bool indirect)
{
	/* The driver's configuration with no progress yet: last_avail = used_idx = published = 0. */
	const struct virtq_state s = {
		.max_size = vq->max_size,
		.size = vq->size,
		.desc_gpa = vq->desc_gpa,
		.avail_gpa = vq->avail_gpa,
		.used_gpa = vq->used_gpa,
		.ready = true,
		.event_idx = event_idx,
		.indirect = indirect,
	};

	return virtq_restore(vq, &s, mem);
}

void virtq_save(const struct virtq *vq, struct virtq_state *s)
{
	memset(s, 0, sizeof(*s));	/* padding too: the state may be written out as bytes */
	s->max_size = vq->max_size;
	s->size = vq->size;
	s->desc_gpa = vq->desc_gpa;
	s->avail_gpa = vq->avail_gpa;
	s->used_gpa = vq->used_gpa;
	s->ready = vq->ready;
	s->event_idx = vq->event_idx;
	s->indirect = vq->indirect;
	s->last_avail = vq->last_avail;
	s->used_idx = vq->used_idx;
	s->published = vq->published;
}

int virtq_restore(struct virtq *vq, const struct virtq_state *s, const struct guest_mem *mem)
{
	vq->ready = false;
	vq->mem = NULL;
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
	vq->fault = VQ_FAULT_RING;
	vq->fault_desc = s->size;
	vq->fault_addr = 0;
	if (s->max_size != vq->max_size)
		return -EINVAL;
	vq->size = s->size;
	vq->desc_gpa = s->desc_gpa;
	vq->avail_gpa = s->avail_gpa;
	vq->used_gpa = s->used_gpa;
	vq->event_idx = s->event_idx;
	vq->indirect = s->indirect;
	vq->last_avail = s->last_avail;
	vq->used_idx = s->used_idx;
	vq->published = s->published;
	if (s->ready && vq_check(vq, mem) < 0)
		return -EINVAL;
	vq->fault = VQ_FAULT_NONE;
	vq->ready = s->ready;
	return 0;
}

uint16_t virtq_pending(const struct virtq *vq)
{
	if (!vq->ready)
		return 0;
	return (uint16_t)(VQ_LOAD_ACQ(&vq->avail->idx) - vq->last_avail);
}

static int vq_fail(struct virtq *vq, enum virtq_fault f, uint16_t desc, uint64_t addr)
{
	vq->fault = f;
	vq->fault_desc = desc;
	vq->fault_addr = addr;
	return -EPROTO;
}

/* Copy descriptor @i of @table once; the compiler may not re-read the guest's copy afterwards. */
static void vq_read_desc(const struct vring_desc *table, uint16_t i, struct vring_desc *d)
{
	memcpy(d, &table[i], sizeof(*d));
	__asm__ __volatile__("" ::: "memory");
}

/* Check [addr, addr + len) and translate it. */
static int vq_translate(struct virtq *vq, uint16_t i, uint64_t addr, uint32_t len, void **hva)
{
	uint64_t last;

	if (__builtin_add_overflow(addr, (uint64_t)len - 1, &last))
		return vq_fail(vq, VQ_FAULT_LEN_OVERFLOW, i, addr);
	if (gmem_translate(vq->mem, addr, len, hva) != 0)
		return vq_fail(vq, VQ_FAULT_ADDR, i, addr);
	return 0;
}

/* Walk the chain starting at @head into @c. */
static int vq_walk(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	uint8_t seen[VIRTQ_MAX_SIZE / 8];
	const struct vring_desc *table = vq->desc;
	uint16_t tsize = vq->size, i = head;
	unsigned int count = 0, niov = 0;
	uint64_t total = 0;
	bool in_indirect = false;

	memset(seen, 0, sizeof(seen));
	if (head >= vq->size)
		return vq_fail(vq, VQ_FAULT_HEAD_RANGE, head, 0);
	c->head = head;
	c->nout = c->nin = 0;
	c->out_len = c->in_len = 0;
	for (;;) {
		struct vring_desc d;
		void *hva;

		if (seen[i / 8] & (1u << (i % 8)))
			return vq_fail(vq, VQ_FAULT_LOOP, i, 0);
		seen[i / 8] |= (uint8_t)(1u << (i % 8));
		vq_read_desc(table, i, &d);

		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (!vq->indirect || in_indirect || (d.flags & VIRTQ_DESC_F_NEXT) || d.len == 0 ||
			    d.len % sizeof(struct vring_desc))
				return vq_fail(vq, VQ_FAULT_INDIRECT, i, d.addr);
			if (d.len / sizeof(struct vring_desc) > vq->size)
				return vq_fail(vq, VQ_FAULT_TOO_LONG, i, d.addr);
			if (vq_translate(vq, i, d.addr, d.len, &hva) < 0)
				return -EPROTO;
			table = hva;
			tsize = (uint16_t)(d.len / sizeof(struct vring_desc));
			in_indirect = true;
			i = 0;
			memset(seen, 0, sizeof(seen));
			continue;
		}
		/* The descriptor naming an indirect table is not counted; every other one is. */
		if (++count > vq->size)
			return vq_fail(vq, VQ_FAULT_TOO_LONG, i, 0);
		if (d.len) {
			bool writable = d.flags & VIRTQ_DESC_F_WRITE;

			if (vq_translate(vq, i, d.addr, d.len, &hva) < 0)
				return -EPROTO;
			total += d.len;
			if (total > UINT32_MAX)
				return vq_fail(vq, VQ_FAULT_LEN_OVERFLOW, i, d.addr);
			if (!writable && c->nin)
				return vq_fail(vq, VQ_FAULT_ORDER, i, d.addr);
			if (niov == VIRTQ_MAX_SIZE)	/* unreachable: count <= size <= VIRTQ_MAX_SIZE */
				return vq_fail(vq, VQ_FAULT_TOO_LONG, i, 0);
			c->iov[niov++] = (struct iovec){ .iov_base = hva, .iov_len = d.len };
			if (writable) {
				c->nin++;
				c->in_len += d.len;
			} else {
				c->nout++;
				c->out_len += d.len;
			}
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		if (d.next >= tsize)
			return vq_fail(vq, VQ_FAULT_NEXT_RANGE, i, 0);
		i = d.next;
	}
}

int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint16_t avail_idx, pending, head;
	int r;

	if (!vq->ready)
		return -EAGAIN;
	/* Acquire: the ring entries and descriptors are read after the index that exposed them. */
	avail_idx = VQ_LOAD_ACQ(&vq->avail->idx);
	pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return -EAGAIN;
	if (pending > vq->size)
		return vq_fail(vq, VQ_FAULT_AVAIL_JUMP, avail_idx, 0);
	/* Every head out (popped, or pushed and not yet published) holds a descriptor of its own. */
	if ((uint16_t)(vq->last_avail - vq->published) >= vq->size)
		return vq_fail(vq, VQ_FAULT_OUTSTANDING, avail_idx, 0);
	head = VQ_LOAD(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	r = vq_walk(vq, head, c);
	if (r < 0)
		return r;
	vq->last_avail++;
	return 0;
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e;

	if (!vq->ready)
		return;
	e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	VQ_STORE(&e->id, (uint32_t)head);
	VQ_STORE(&e->len, len);
	vq->used_idx++;
}

/* The used_event / avail_event words that follow the rings. */
static uint16_t *vq_used_event(const struct virtq *vq)
{
	return &vq->avail->ring[vq->size];
}

static uint16_t *vq_avail_event(const struct virtq *vq)
{
	return (uint16_t *)&vq->used->ring[vq->size];
}

bool virtq_publish(struct virtq *vq)
{
	uint16_t old = vq->published, new = vq->used_idx;

	if (!vq->ready || old == new)
		return false;
	/* Release: the used elements (and the data written into the buffers) come first. */
	VQ_STORE_REL(&vq->used->idx, new);
	vq->published = new;
	/* The index must be visible before we read the driver's suppression state. */
	VQ_FENCE();
	if (vq->event_idx) {
		uint16_t ev = VQ_LOAD(vq_used_event(vq));

		/* Notify when used_event lies in [old, new): the driver waits for that entry. */
		return (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
	}
	return !(VQ_LOAD(&vq->avail->flags) & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

void virtq_kick_disable(struct virtq *vq)
{
	if (!vq->ready || vq->event_idx)
		return;
	VQ_STORE(&vq->used->flags, (uint16_t)VIRTQ_USED_F_NO_NOTIFY);
}

bool virtq_kick_enable(struct virtq *vq)
{
	if (!vq->ready)
		return false;
	if (vq->event_idx)
		VQ_STORE(vq_avail_event(vq), vq->last_avail);
	else
		VQ_STORE(&vq->used->flags, (uint16_t)0);
	VQ_FENCE();
	return VQ_LOAD_ACQ(&vq->avail->idx) != vq->last_avail;
}
