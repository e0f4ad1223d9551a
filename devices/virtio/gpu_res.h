/* virtio-gpu's resource table: ids, the host memory they hold, and their backing translated from ATTACH_BACKING's entries. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_RES_H
#define KEEL_DEVICES_VIRTIO_GPU_RES_H

#include <stdint.h>

#include "devices/virtio/gpu_backend.h"
#include "vmm/memory.h"

#define GPU_RES_HOST_MAX (256ull << 20)	/* host memory 2D resources and their backing lists may hold */
#define GPU_RES_3D_MAX (1ull << 30)	/* the same with the estimated size of 3D resources (the renderer's) */
#define GPU_RES_MAX_ENTRIES 16384u	/* ATTACH_BACKING's nr_entries at most */
#define GPU_RES_MAX_COUNT 65536u	/* resources at most */

struct gpu_res_slot {
	struct gpu_resource *r;
	uint64_t bytes;			/* host memory counted for it (its backing list included) */
};

/* The resources of one device, unordered. Render thread only. */
struct gpu_res_table {
	struct gpu_res_slot *v;
	unsigned int n, cap;
	uint64_t bytes;			/* their total */
};

/* gpu_res_find - resource @id, NULL when unknown (0 never is one). */
struct gpu_resource *gpu_res_find(const struct gpu_res_table *t, uint32_t id);

/*
 * gpu_res_new - a zeroed resource @id counting @bytes of host memory, in the table, while all
 * together stay within @limit (GPU_RES_HOST_MAX or GPU_RES_3D_MAX). Returns 0, -EEXIST (@id 0
 * or taken), -ENOSPC (over @limit or GPU_RES_MAX_COUNT) or -ENOMEM.
 */
int gpu_res_new(struct gpu_res_table *t, uint32_t id, uint64_t bytes, uint64_t limit, struct gpu_resource **out);

/* gpu_res_free - take @r out of the table and free it and its backing (the backend let it go). */
void gpu_res_free(struct gpu_res_table *t, struct gpu_resource *r);

/* gpu_res_clear - free every resource (after the backend's reset). */
void gpu_res_clear(struct gpu_res_table *t);

/*
 * gpu_res_attach - translate @n entries at @entries (any alignment: a request's bytes) into
 * @r's backing, each through gmem_translate with its length; the list counts against
 * GPU_RES_HOST_MAX. Returns VIRTIO_GPU_RESP_OK_NODATA, ERR_INVALID_PARAMETER (an entry outside
 * guest RAM, or empty) or ERR_OUT_OF_MEMORY, with nothing attached on error.
 */
uint32_t gpu_res_attach(struct gpu_res_table *t, const struct guest_mem *m, struct gpu_resource *r,
			const void *entries, uint32_t n);

/* gpu_res_detach - forget @r's backing. */
void gpu_res_detach(struct gpu_res_table *t, struct gpu_resource *r);

#endif
