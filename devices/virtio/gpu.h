/* virtio-gpu: the device (gpu.c: queues, render thread, fences) and its command front end (gpu_cmd.c), which checks every request before its renderer sees it. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_H
#define KEEL_DEVICES_VIRTIO_GPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/display.h"
#include "devices/virtio/config.h"
#include "devices/virtio/gpu_backend.h"
#include "devices/virtio/gpu_res.h"
#include "devices/virtio/type.h"

#define GPU_REQ_MAX (4u << 20)		/* request bytes read at most (SUBMIT_3D's stream included); the rest is cut */
#define GPU_RESP_MIN ((uint32_t)sizeof(struct virtio_gpu_resp_edid))	/* the largest fixed response */
#define GPU_RESP_MAX (64u << 10)	/* a capability set's response at most */

/*
 * The command front end's state: one per device, used on its render thread only (and by
 * the unit tests and the fuzz target directly, on theirs).
 */
struct gpu_cmd {
	const char *name;		/* the device's, for messages */
	const struct gpu_backend_ops *ops;
	void *b;			/* the renderer */
	const struct guest_mem *mem;
	struct display_port *display;
	unsigned int outputs;
	uint32_t width, height;		/* every output's mode */
	struct gpu_res_table res;
	uint32_t scanout[DISPLAY_MAX_OUTPUTS];	/* the resource each output shows, 0: none */
	struct {
		bool visible;
		uint32_t hot_x, hot_y;
	} cursor[DISPLAY_MAX_OUTPUTS];
	uint32_t warned;		/* one bit per enum gpu_err logged already */
};

/* What one request came to. */
struct gpu_cmd_result {
	size_t len;			/* response bytes in the response buffer */
	bool fence_wait;		/* the renderer completes fence_id later: answer then */
	uint64_t fence_id;
};

/*
 * gpu_cmd_exec - decode and check request @req (@len bytes, the host's copy: the renderer may
 * change it), run it, and write its response (at most @cap bytes, @cap >= GPU_RESP_MIN) into
 * @resp. @edid: VIRTIO_GPU_F_EDID was negotiated.
 */
void gpu_cmd_exec(struct gpu_cmd *g, uint8_t *req, size_t len, bool edid, uint8_t *resp, size_t cap,
		  struct gpu_cmd_result *res);

/* gpu_cmd_reset - the renderer forgets everything (its reset), the resource table is freed, outputs off. */
void gpu_cmd_reset(struct gpu_cmd *g);

/*
 * virtio_gpu_create - a virtio-gpu for @o drawing through @display with renderer @ops, made
 * (and later destroyed) on the device's render thread. Returns 0, or -errno with one line in
 * @err (the renderer's own when it cannot start).
 */
int virtio_gpu_create(struct display_port *display, const struct virtio_gpu_opts *o,
		      const struct gpu_backend_ops *ops, const struct guest_mem *mem, struct ioloop *loop,
		      struct virtio_dev **out, char *err, size_t errlen);

/* virtio_gpu_destroy - stop the render thread (the renderer goes with it) and free the device; NULL is fine. */
void virtio_gpu_destroy(struct virtio_dev *dev);

extern const struct virtio_type virtio_gpu_type;	/* --gpu */

#endif
