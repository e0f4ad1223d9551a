/* The renderers behind virtio-gpu: 2D in host memory (gpu_2d.c) and virglrenderer (gpu_virgl.c), one const ops table each; the command front end (gpu.c) has checked every request before it calls one. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_BACKEND_H
#define KEEL_DEVICES_VIRTIO_GPU_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/display.h"
#include "devices/virtio/gpu_spec.h"

/*
 * One resource as the front end keeps it (gpu_res.c): the id the driver chose, its size and
 * format, and its backing (guest pages, each entry translated by gmem_translate and its length
 * checked; NULL before ATTACH_BACKING). The backend keeps its own data in @priv.
 */
struct gpu_resource {
	uint32_t id;
	uint32_t format;		/* VIRTIO_GPU_FORMAT_* (2D) or the virgl format (3D) */
	uint32_t width, height;
	bool is_3d;
	struct virtio_gpu_resource_create_3d create_3d;	/* as the driver sent it (3D only) */
	struct iovec *backing;		/* host views of the guest's pages */
	unsigned int nbacking;
	uint64_t backing_bytes;		/* their total */
	void *priv;			/* the backend's */
};

/* What a backend is given when the device is made. */
struct gpu_backend_env {
	struct display_port *display;	/* where scanouts go (never NULL: the VM always has one with a GPU) */
	unsigned int outputs;		/* scanouts, 1..DISPLAY_MAX_OUTPUTS */
	/* A fence the backend completes later (3D): call from any thread; the front end answers the request. */
	void (*fence_done)(void *opaque, uint64_t fence_id);
	void *opaque;
};

/*
 * A renderer. Every op but create/destroy runs on the device's render thread, one at a time, and
 * returns a VIRTIO_GPU_RESP_* type (OK_NODATA or an error the specification names). The front end
 * has already: read the whole request (short requests are ERR_INVALID_PARAMETER), looked the
 * resource up (unknown ids are ERR_INVALID_RESOURCE_ID), checked scanout ids, checked every 2D
 * rectangle against the resource's size without overflow, checked a 2D transfer's backing range
 * (offset + stride * rows within backing_bytes), and translated the backing.
 * An op may be NULL: the front end answers ERR_UNSPEC (a 3D command to the 2D renderer).
 */
struct gpu_backend_ops {
	const char *name;		/* "2d", "virgl" */
	/* Make the renderer in *@out; one line in @err (-ENOTSUP: virglrenderer is not built in or cannot start). */
	int (*create)(const struct gpu_backend_env *env, void **out, char *err, size_t errlen);
	void (*destroy)(void *b);
	/* Forget every resource, context and scanout (a device reset); the front end frees its table after. */
	void (*reset)(void *b);

	uint32_t (*resource_create)(void *b, struct gpu_resource *r);	/* 2D or 3D, as r->is_3d says */
	void (*resource_destroy)(void *b, struct gpu_resource *r);	/* unref, or reset */
	uint32_t (*attach_backing)(void *b, struct gpu_resource *r);	/* r->backing is set */
	void (*detach_backing)(void *b, struct gpu_resource *r);	/* r->backing is about to go */
	uint32_t (*transfer_to_host_2d)(void *b, struct gpu_resource *r, const struct virtio_gpu_rect *rect,
					uint64_t offset);
	/* Output @out shows @rect of @r from now on (@r NULL: the output is off). */
	uint32_t (*set_scanout)(void *b, unsigned int out, struct gpu_resource *r, const struct virtio_gpu_rect *rect);
	/* @rect of @r changed: send it to the outputs that show @r (display_sink_ops.update). */
	uint32_t (*resource_flush)(void *b, struct gpu_resource *r, const struct virtio_gpu_rect *rect);
	/* The 64 x 64 image of cursor resource @r as ARGB words into @argb. */
	uint32_t (*cursor_image)(void *b, struct gpu_resource *r, uint32_t *argb);

	/* 3D (NULL in the 2D renderer). */
	unsigned int (*num_capsets)(void *b);
	uint32_t (*capset_info)(void *b, uint32_t index, uint32_t *id, uint32_t *max_version, uint32_t *max_size);
	/* Capability set @id at @version into @buf (@len bytes, as capset_info gave); *@used its length. */
	uint32_t (*capset)(void *b, uint32_t id, uint32_t version, void *buf, size_t len, size_t *used);
	uint32_t (*ctx_create)(void *b, uint32_t ctx_id, uint32_t context_init, const char *name, size_t nlen);
	uint32_t (*ctx_destroy)(void *b, uint32_t ctx_id);
	uint32_t (*ctx_resource)(void *b, uint32_t ctx_id, struct gpu_resource *r, bool attach);
	uint32_t (*transfer_3d)(void *b, uint32_t ctx_id, struct gpu_resource *r,
				const struct virtio_gpu_transfer_host_3d *t, bool to_host);
	uint32_t (*submit_3d)(void *b, uint32_t ctx_id, void *cmds, uint32_t size);
	/* The request with fence @fence_id (of context @ctx_id, 0: the device's) is answered when the work before it is done: env->fence_done. */
	uint32_t (*create_fence)(void *b, uint32_t ctx_id, uint64_t fence_id);
	/* A file descriptor that becomes readable when fences may have completed (-1: none); poll() then reads it. */
	int (*poll_fd)(void *b);
	void (*poll)(void *b);
};

extern const struct gpu_backend_ops gpu_2d_backend;	/* devices/virtio/gpu_2d.c */
extern const struct gpu_backend_ops gpu_virgl_backend;	/* devices/virtio/gpu_virgl.c (create fails when not built in) */

#endif
