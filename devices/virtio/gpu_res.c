/* virtio-gpu's resource table: lookup by id, host memory accounting, backing translated entry by entry through gmem_translate. */
#include "devices/virtio/gpu_res.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int gpu_res_index(const struct gpu_res_table *t, uint32_t id)
{
	for (unsigned int i = 0; i < t->n; i++)
		if (t->v[i].r->id == id)
			return (int)i;
	return -1;
}

struct gpu_resource *gpu_res_find(const struct gpu_res_table *t, uint32_t id)
{
	int i = id ? gpu_res_index(t, id) : -1;

	return i < 0 ? NULL : t->v[i].r;
}

int gpu_res_new(struct gpu_res_table *t, uint32_t id, uint64_t bytes, uint64_t limit, struct gpu_resource **out)
{
	struct gpu_resource *r;

	if (!id || gpu_res_index(t, id) >= 0)
		return -EEXIST;
	if (t->bytes > limit || bytes > limit - t->bytes || t->n >= GPU_RES_MAX_COUNT)
		return -ENOSPC;
	if (t->n == t->cap) {
		unsigned int cap = t->cap ? t->cap * 2 : 16;
		struct gpu_res_slot *v = realloc(t->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		t->v = v;
		t->cap = cap;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->id = id;
	t->v[t->n++] = (struct gpu_res_slot){ r, bytes };
	t->bytes += bytes;
	*out = r;
	return 0;
}

void gpu_res_free(struct gpu_res_table *t, struct gpu_resource *r)
{
	int i;

	gpu_res_detach(t, r);
	i = gpu_res_index(t, r->id);
	if (i >= 0) {
		t->bytes -= t->v[i].bytes;
		t->v[i] = t->v[--t->n];
	}
	free(r);
}

void gpu_res_clear(struct gpu_res_table *t)
{
	for (unsigned int i = 0; i < t->n; i++) {
		free(t->v[i].r->backing);
		free(t->v[i].r);
	}
	free(t->v);
	memset(t, 0, sizeof(*t));
}

/* Count @delta more (or fewer) bytes for @r. */
static void gpu_res_charge(struct gpu_res_table *t, const struct gpu_resource *r, int64_t delta)
{
	int i = gpu_res_index(t, r->id);

	if (i >= 0) {
		t->v[i].bytes += (uint64_t)delta;
		t->bytes += (uint64_t)delta;
	}
}

uint32_t gpu_res_attach(struct gpu_res_table *t, const struct guest_mem *m, struct gpu_resource *r,
			const void *entries, uint32_t n)
{
	uint64_t list = (uint64_t)n * sizeof(struct iovec);
	struct iovec *iov;
	uint64_t total = 0;

	if (n == 0 || n > GPU_RES_MAX_ENTRIES)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (t->bytes > GPU_RES_HOST_MAX || list > GPU_RES_HOST_MAX - t->bytes)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	iov = calloc(n, sizeof(*iov));
	if (!iov)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	for (uint32_t i = 0; i < n; i++) {
		struct virtio_gpu_mem_entry e;
		void *hva;

		memcpy(&e, (const uint8_t *)entries + (size_t)i * sizeof(e), sizeof(e));
		if (gmem_translate(m, e.addr, e.length, &hva) < 0) {
			free(iov);
			return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
		}
		iov[i] = (struct iovec){ hva, e.length };
		total += e.length;	/* at most 16384 * 4 GiB: no overflow */
	}
	r->backing = iov;
	r->nbacking = n;
	r->backing_bytes = total;
	gpu_res_charge(t, r, (int64_t)list);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

void gpu_res_detach(struct gpu_res_table *t, struct gpu_resource *r)
{
	if (r->backing)
		gpu_res_charge(t, r, -(int64_t)((uint64_t)r->nbacking * sizeof(struct iovec)));
	free(r->backing);
	r->backing = NULL;
	r->nbacking = 0;
	r->backing_bytes = 0;
}
