/* A fake guest driver's virtqueue laid out in guest RAM: build chains (valid or not), offer them, read the used ring. */
#ifndef KEEL_TESTS_VIRTIO_FAKEQ_H
#define KEEL_TESTS_VIRTIO_FAKEQ_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/spec.h"
#include "vmm/memory.h"

struct fakeq {
	const struct guest_mem *mem;
	uint16_t size;
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx;		/* the driver's next available entry */
	uint16_t used_seen;		/* the driver's next used entry */
};

/* One buffer of a chain: guest-physical address, length, device-writable or not. */
struct fakeq_buf {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/*
 * fakeq_init - a queue of @size entries at @gpa (descriptor table, then the available ring, then
 * the used ring at the next 4-byte boundary), zeroed. Returns the bytes it takes.
 */
uint64_t fakeq_init(struct fakeq *q, const struct guest_mem *mem, uint64_t gpa, uint16_t size);

/* fakeq_set_desc - write descriptor @i of the table as given. */
void fakeq_set_desc(struct fakeq *q, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next);

/* fakeq_chain - @n buffers in descriptors @first, @first + 1, ... (mod size), chained. Returns @first. */
uint16_t fakeq_chain(struct fakeq *q, uint16_t first, const struct fakeq_buf *b, unsigned int n);

/*
 * fakeq_indirect - an indirect table of @n buffers at @table_gpa, and descriptor @d pointing at it.
 * Returns @d.
 */
uint16_t fakeq_indirect(struct fakeq *q, uint16_t d, uint64_t table_gpa, const struct fakeq_buf *b,
			unsigned int n);

/* fakeq_offer - put @head into the available ring and publish the index (release). */
void fakeq_offer(struct fakeq *q, uint16_t head);

/* fakeq_set_avail_idx - publish an arbitrary available index (a driver that lies). */
void fakeq_set_avail_idx(struct fakeq *q, uint16_t idx);

/* fakeq_used - take the next used entry into *@id, *@len. Returns 1, or 0 when none is there. */
int fakeq_used(struct fakeq *q, uint32_t *id, uint32_t *len);

/* fakeq_wait_used - fakeq_used, polling up to @ms milliseconds. */
int fakeq_wait_used(struct fakeq *q, uint32_t *id, uint32_t *len, int ms);

/* fakeq_used_event / fakeq_set_avail_flags - the driver's suppression fields. */
void fakeq_set_used_event(struct fakeq *q, uint16_t v);
void fakeq_set_avail_flags(struct fakeq *q, uint16_t v);

/* fakeq_avail_event / fakeq_used_flags - what the device asked of the driver. */
uint16_t fakeq_avail_event(const struct fakeq *q);
uint16_t fakeq_used_flags(const struct fakeq *q);

/* fakeq_hva - host pointer of guest range [@gpa, @gpa + @len) (NULL outside RAM). */
void *fakeq_hva(const struct fakeq *q, uint64_t gpa, uint64_t len);

#endif
