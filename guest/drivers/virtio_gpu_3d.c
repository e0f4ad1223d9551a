/* virtio-gpu's 3D requests for virgl: capsets, contexts, 3D resources, command streams, transfers back. */
#include "guest/drivers/virtio_gpu.h"

#include "devices/virtio/virgl_proto.h"
#include "guest/lib/string.h"

#define FRAME 4096u

int vgpu_capset_info(struct vgpu *g, uint32_t index, uint32_t *id, uint32_t *max_version, uint32_t *max_size)
{
	struct virtio_gpu_get_capset_info *c = vgpu_req(g, VIRTIO_GPU_CMD_GET_CAPSET_INFO, sizeof(*c));
	struct virtio_gpu_resp_capset_info *r = (struct virtio_gpu_resp_capset_info *)g->resp;
	int t;

	c->capset_index = index;
	t = vgpu_send(g, VIRTIO_GPU_Q_CONTROL, sizeof(*c), sizeof(*r), false);
	*id = r->capset_id;
	*max_version = r->capset_max_version;
	*max_size = r->capset_max_size;
	return t;
}

int vgpu_ctx_create(struct vgpu *g, uint32_t ctx, const char *name)
{
	struct virtio_gpu_ctx_create *c = vgpu_req(g, VIRTIO_GPU_CMD_CTX_CREATE, sizeof(*c));
	size_t n = strnlen(name, sizeof(c->debug_name));

	c->hdr.ctx_id = ctx;
	c->nlen = (uint32_t)n;
	memcpy(c->debug_name, name, n);
	return vgpu_send_nodata(g, sizeof(*c), false);
}

int vgpu_ctx_destroy(struct vgpu *g, uint32_t ctx)
{
	struct virtio_gpu_ctrl_hdr *h = vgpu_req(g, VIRTIO_GPU_CMD_CTX_DESTROY, sizeof(*h));

	h->ctx_id = ctx;
	return vgpu_send_nodata(g, sizeof(*h), false);
}

int vgpu_ctx_attach(struct vgpu *g, uint32_t ctx, uint32_t res)
{
	struct virtio_gpu_ctx_resource *a = vgpu_req(g, VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE, sizeof(*a));

	a->hdr.ctx_id = ctx;
	a->resource_id = res;
	return vgpu_send_nodata(g, sizeof(*a), false);
}

int vgpu_create_3d(struct vgpu *g, uint32_t res, uint32_t format, uint32_t bind, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_3d *c = vgpu_req(g, VIRTIO_GPU_CMD_RESOURCE_CREATE_3D, sizeof(*c));

	c->resource_id = res;
	c->target = PIPE_TEXTURE_2D;
	c->format = format;
	c->bind = bind;
	c->width = w;
	c->height = h;
	c->depth = 1;
	c->array_size = 1;
	return vgpu_send_nodata(g, sizeof(*c), false);
}

int vgpu_submit_3d(struct vgpu *g, uint32_t ctx, const uint32_t *stream, uint32_t nwords)
{
	struct virtio_gpu_cmd_submit *s;
	uint32_t bytes = nwords * 4;

	if (bytes > FRAME - sizeof(*s))
		return VGPU_TIMEOUT;
	s = vgpu_req(g, VIRTIO_GPU_CMD_SUBMIT_3D, (uint32_t)sizeof(*s) + bytes);
	s->hdr.ctx_id = ctx;
	s->size = bytes;
	memcpy(s + 1, stream, bytes);
	return vgpu_send_nodata(g, (uint32_t)sizeof(*s) + bytes, true);
}

int vgpu_transfer_from_host_3d(struct vgpu *g, uint32_t ctx, uint32_t res, uint32_t w, uint32_t h)
{
	struct virtio_gpu_transfer_host_3d *t = vgpu_req(g, VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D, sizeof(*t));

	t->hdr.ctx_id = ctx;
	t->box = (struct virtio_gpu_box){ 0, 0, 0, w, h, 1 };
	t->resource_id = res;
	t->stride = w * 4;
	return vgpu_send_nodata(g, sizeof(*t), true);
}

uint32_t vgpu_clear_stream(uint32_t *out, bool with_surface, uint32_t surf, uint32_t res, uint32_t format,
			   const uint32_t rgba[4])
{
	uint32_t n = 0;

	if (with_surface) {
		out[n++] = VIRGL_CMD0(VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_SURFACE, VIRGL_OBJ_SURFACE_SIZE);
		out[n++] = surf;
		out[n++] = res;
		out[n++] = format;
		out[n++] = 0;		/* level 0 */
		out[n++] = 0;		/* layers 0..0 */
		out[n++] = VIRGL_CMD0(VIRGL_CCMD_SET_FRAMEBUFFER_STATE, 0, VIRGL_SET_FRAMEBUFFER_STATE_SIZE(1));
		out[n++] = 1;		/* one colour buffer */
		out[n++] = 0;		/* no depth/stencil */
		out[n++] = surf;
	}
	out[n++] = VIRGL_CMD0(VIRGL_CCMD_CLEAR, 0, VIRGL_OBJ_CLEAR_SIZE);
	out[n++] = PIPE_CLEAR_COLOR0;
	for (unsigned int i = 0; i < 4; i++)
		out[n++] = rgba[i];
	out[n++] = 0;			/* depth 0.0 as a double */
	out[n++] = 0;
	out[n++] = 0;			/* stencil */
	return n;
}
