/* The guest's virtio-gpu driver: one device brought up once, polled control and cursor queues, the 2D scanout resource. */
#ifndef KEEL_GUEST_DRIVERS_VIRTIO_GPU_H
#define KEEL_GUEST_DRIVERS_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/gpu_spec.h"
#include "guest/drivers/virtio.h"

#define VGPU_TIMEOUT (-1)		/* no answer in time */
#define VGPU_WAIT_MS 20000		/* a command may wait for the renderer (llvmpipe compiles on first use) */
#define VGPU_FB_RES 1u			/* the resource output 0 shows */
#define VGPU_FB_MAX (64u << 20)		/* the largest scanout resource the driver backs */

struct vgpu {
	struct virtio_dev *d;
	bool tried, up;
	bool virgl, edid;		/* features negotiated */
	uint32_t nscanouts, ncapsets;
	uint64_t req_pa, resp_pa;	/* one frame each: the request, the response */
	uint8_t *req, *resp;
	uint64_t next_fence;
	uint32_t width, height;		/* output 0's mode (GET_DISPLAY_INFO) */
	uint64_t fb_pa;			/* the scanout resource's backing, contiguous */
	uint32_t *fb;
	size_t fb_bytes;
	bool fb_created;
};

/* The first virtio-gpu, brought up once (features VIRGL and EDID when offered, both queues); NULL when absent or failed (*why). */
struct vgpu *vgpu_get(const char **why);

/* A zeroed request of @len bytes (at most a frame) in the request buffer, its header's type set. */
void *vgpu_req(struct vgpu *g, uint32_t type, uint32_t len);

/*
 * Send the request vgpu_req() prepared (@len bytes) on queue @q, the response (@resp_len bytes) into
 * g->resp; with @fence, flagged FENCE with a new fence id (answered when the work is done). Returns
 * the response type (VIRTIO_GPU_RESP_*), 0 for a cursor-queue request that came back, or VGPU_TIMEOUT
 * (then the device is reset and brought up again: every resource and context is gone).
 */
int vgpu_send(struct vgpu *g, uint16_t q, uint32_t len, uint32_t resp_len, bool fence);

/* vgpu_send() on the control queue of a request answered by a bare header. */
int vgpu_send_nodata(struct vgpu *g, uint32_t len, bool fence);

/* Common requests; each returns the response type or VGPU_TIMEOUT. */
int vgpu_display_info(struct vgpu *g);	/* sets width, height from output 0 */
int vgpu_create_2d(struct vgpu *g, uint32_t res, uint32_t format, uint32_t w, uint32_t h);
int vgpu_attach(struct vgpu *g, uint32_t res, uint64_t pa, uint64_t len);	/* one entry */
int vgpu_unref(struct vgpu *g, uint32_t res);
int vgpu_set_scanout(struct vgpu *g, uint32_t scanout, uint32_t res, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
int vgpu_transfer_2d(struct vgpu *g, uint32_t res, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off);
int vgpu_flush(struct vgpu *g, uint32_t res, uint32_t x, uint32_t y, uint32_t w, uint32_t h, bool fence);

/* @n physically contiguous frames (not zeroed), or 0. */
uint64_t vgpu_alloc_contig(unsigned int n);

/*
 * Output 0's scanout resource (VGPU_FB_RES, B8G8R8X8, the output's size) created, backed and set on
 * scanout 0, once. Returns 0, or the failing response type / VGPU_TIMEOUT / -1 (no memory, mode too
 * big) with *@what naming the step.
 */
int vgpu_fb_setup(struct vgpu *g, const char **what);

/* Draw the test card (firmware/testcard.h) into the scanout resource's backing. */
void vgpu_draw_testcard(struct vgpu *g);

/* Transfer the whole scanout resource and flush it, the flush fenced: 0 or what failed (as above). */
int vgpu_fb_update(struct vgpu *g, const char **what);

/* virtio_gpu_3d.c: the virgl requests (each returns the response type or VGPU_TIMEOUT). */
int vgpu_capset_info(struct vgpu *g, uint32_t index, uint32_t *id, uint32_t *max_version, uint32_t *max_size);
int vgpu_ctx_create(struct vgpu *g, uint32_t ctx, const char *name);
int vgpu_ctx_destroy(struct vgpu *g, uint32_t ctx);
int vgpu_ctx_attach(struct vgpu *g, uint32_t ctx, uint32_t res);
/* A PIPE_TEXTURE_2D of @w x @h, one level, one layer, @format and @bind (virgl_proto.h). */
int vgpu_create_3d(struct vgpu *g, uint32_t res, uint32_t format, uint32_t bind, uint32_t w, uint32_t h);
/* SUBMIT_3D of @nwords words of @stream in context @ctx, fenced. */
int vgpu_submit_3d(struct vgpu *g, uint32_t ctx, const uint32_t *stream, uint32_t nwords);
/* TRANSFER_FROM_HOST_3D of @w x @h at level 0 into the backing (stride @w * 4), fenced. */
int vgpu_transfer_from_host_3d(struct vgpu *g, uint32_t ctx, uint32_t res, uint32_t w, uint32_t h);

/*
 * The stream that makes surface @surf over resource @res (@format) the only colour buffer and
 * clears it to @rgba (four IEEE-754 single floats): into @out (at least VGPU_CLEAR_WORDS), returns
 * its length in words. @with_surface: include the surface and framebuffer commands (else CLEAR only).
 */
#define VGPU_CLEAR_WORDS 20u
uint32_t vgpu_clear_stream(uint32_t *out, bool with_surface, uint32_t surf, uint32_t res, uint32_t format,
			   const uint32_t rgba[4]);

/* "OK_NODATA", "ERR_INVALID_PARAMETER", ...: a response type's name for diagnostics. */
const char *vgpu_resp_name(int type);

#endif
