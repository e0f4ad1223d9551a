/* libFuzzer target: descriptor chains parsed from arbitrary guest memory must stay inside guest RAM, and never crash or hang. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/virtqueue.h"
#include "vmm/memory.h"

#define FUZZ_RAM GMEM_MIN_SIZE		/* 4 MiB of guest RAM */
#define FUZZ_WINDOW 0x40000u		/* the input is copied into the first 256 KiB */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Guest RAM is created once and reused: a harness's state, not keel's. */
static struct guest_mem *fuzz_mem(void)
{
	static struct guest_mem mem;
	static int ready;

	if (!ready) {
		if (gmem_init(&mem, FUZZ_RAM) != 0)
			abort();
		ready = 1;
	}
	return &mem;
}

/* Every buffer of a chain lies inside the RAM mapping. */
static void check_chain(const struct guest_mem *m, const struct virtq_chain *c, uint16_t qsize)
{
	uint64_t out = 0, in = 0;

	if (c->head >= qsize || (unsigned int)c->nout + c->nin > VIRTQ_MAX_SIZE)
		abort();
	for (unsigned int i = 0; i < (unsigned int)c->nout + c->nin; i++) {
		const uint8_t *p = c->iov[i].iov_base;

		if (c->iov[i].iov_len == 0 || p < m->base || p + c->iov[i].iov_len > m->base + m->size)
			abort();
		if (i < c->nout)
			out += c->iov[i].iov_len;
		else
			in += c->iov[i].iov_len;
	}
	if (out != c->out_len || in != c->in_len || out + in > UINT32_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guest_mem *m = fuzz_mem();
	static struct virtq_chain chain;
	struct virtq vq;
	uint16_t qsize;
	uint8_t flags;

	if (size < 8)
		return 0;
	qsize = (uint16_t)(1u << (data[0] % 9));	/* 1 to 256 */
	flags = data[1];
	memset(m->base, 0, FUZZ_WINDOW);
	memcpy(m->base, data + 8, size - 8 < FUZZ_WINDOW ? size - 8 : FUZZ_WINDOW);

	virtq_init(&vq, VIRTQ_MAX_SIZE);
	vq.size = qsize;
	/* Rings where the input says (in the window, or anywhere: set-up must refuse bad places). */
	vq.desc_gpa = (uint64_t)(data[2] | data[3] << 8) << 4;
	vq.avail_gpa = (uint64_t)(data[4] | data[5] << 8) << 2;
	vq.used_gpa = (flags & 4) ? FUZZ_RAM - VRING_USED_BYTES(qsize) + (data[6] & 7) : (uint64_t)(data[6] | data[7] << 8) << 2;
	if (flags & 8)
		vq.desc_gpa |= (uint64_t)data[7] << 56;
	if (virtq_enable(&vq, m, flags & 1, flags & 2) != 0)
		return 0;
	for (unsigned int n = 0; n < 2u * qsize + 2; n++) {
		int r = virtq_pop(&vq, &chain);

		if (r == -EAGAIN)
			break;
		if (r == -EPROTO) {
			if (vq.fault == VQ_FAULT_NONE || vq.fault >= VQ_FAULT_COUNT)
				abort();
			break;
		}
		if (r != 0)
			abort();
		check_chain(m, &chain, qsize);
		virtq_push(&vq, chain.head, chain.in_len);
		if (n & 1)
			virtq_publish(&vq);
		virtq_kick_disable(&vq);
		virtq_kick_enable(&vq);
	}
	virtq_publish(&vq);
	return 0;
}
