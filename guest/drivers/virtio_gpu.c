/* virtio-gpu: bring-up, one polled request at a time on the control or cursor queue, the common 2D requests. */
#include "guest/drivers/virtio_gpu.h"

#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

#define FRAME 4096u

static struct vgpu gpu;

struct vgpu *vgpu_get(const char **why)
{
	struct vgpu *g = &gpu;

	if (g->tried) {
		if (!g->up && why)
			*why = g->d && g->d->error ? g->d->error : "no virtio-gpu device";
		return g->up ? g : 0;
	}
	g->tried = true;
	if (why)
		*why = "no virtio-gpu device";
	if (!(g->d = virtio_find(VIRTIO_ID_GPU, 0)))
		return 0;
	if (!virtio_init(g->d, VIRTIO_BIT(VIRTIO_GPU_F_VIRGL) | VIRTIO_BIT(VIRTIO_GPU_F_EDID), 2)) {
		if (why)
			*why = g->d->error;
		return 0;
	}
	if (!(g->req_pa = frame_alloc_zeroed()) || !(g->resp_pa = frame_alloc_zeroed())) {
		g->d->error = "no frames for the request buffers";
		if (why)
			*why = g->d->error;
		return 0;
	}
	g->req = phys_to_virt(g->req_pa);
	g->resp = phys_to_virt(g->resp_pa);
	g->virgl = g->d->features & VIRTIO_BIT(VIRTIO_GPU_F_VIRGL);
	g->edid = g->d->features & VIRTIO_BIT(VIRTIO_GPU_F_EDID);
	g->nscanouts = g->d->ops->cfg_read32(g->d, VIRTIO_GPU_CFG_NUM_SCANOUTS);
	g->ncapsets = g->d->ops->cfg_read32(g->d, VIRTIO_GPU_CFG_NUM_CAPSETS);
	g->next_fence = 1;
	g->up = true;
	return g;
}

void *vgpu_req(struct vgpu *g, uint32_t type, uint32_t len)
{
	struct virtio_gpu_ctrl_hdr *h = (struct virtio_gpu_ctrl_hdr *)g->req;

	memset(g->req, 0, len < FRAME ? len : FRAME);
	h->type = type;
	return g->req;
}

int vgpu_send(struct vgpu *g, uint16_t q, uint32_t len, uint32_t resp_len, bool fence)
{
	struct virtio_gpu_ctrl_hdr *h = (struct virtio_gpu_ctrl_hdr *)g->req;
	struct virtio_buf bufs[2] = { { g->req_pa, len, false }, { g->resp_pa, resp_len, true } };
	unsigned int n = resp_len ? 2 : 1;

	if (len > FRAME || resp_len > FRAME)
		return VGPU_TIMEOUT;
	if (fence) {
		h->flags |= VIRTIO_GPU_FLAG_FENCE;
		h->fence_id = g->next_fence++;
	}
	if (resp_len)
		memset(g->resp, 0, resp_len);
	if (!virtio_request(g->d, q, bufs, n, 0, VGPU_WAIT_MS)) {
		/* The device may still answer into the buffers later: start again from a reset, resources gone. */
		g->up = virtio_init(g->d, g->d->features, 2);
		g->fb_created = false;
		return VGPU_TIMEOUT;
	}
	return resp_len ? (int)((struct virtio_gpu_ctrl_hdr *)g->resp)->type : 0;
}

int vgpu_send_nodata(struct vgpu *g, uint32_t len, bool fence)
{
	return vgpu_send(g, VIRTIO_GPU_Q_CONTROL, len, sizeof(struct virtio_gpu_ctrl_hdr), fence);
}

int vgpu_display_info(struct vgpu *g)
{
	struct virtio_gpu_resp_display_info *r = (struct virtio_gpu_resp_display_info *)g->resp;
	int t;

	vgpu_req(g, VIRTIO_GPU_CMD_GET_DISPLAY_INFO, sizeof(struct virtio_gpu_ctrl_hdr));
	t = vgpu_send(g, VIRTIO_GPU_Q_CONTROL, sizeof(struct virtio_gpu_ctrl_hdr), sizeof(*r), false);
	if (t == VIRTIO_GPU_RESP_OK_DISPLAY_INFO && r->pmodes[0].enabled) {
		g->width = r->pmodes[0].r.width;
		g->height = r->pmodes[0].r.height;
	}
	return t;
}

int vgpu_create_2d(struct vgpu *g, uint32_t res, uint32_t format, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d *c = vgpu_req(g, VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, sizeof(*c));

	c->resource_id = res;
	c->format = format;
	c->width = w;
	c->height = h;
	return vgpu_send_nodata(g, sizeof(*c), false);
}

int vgpu_attach(struct vgpu *g, uint32_t res, uint64_t pa, uint64_t len)
{
	struct virtio_gpu_resource_attach_backing *a = vgpu_req(g, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
								 sizeof(*a) + sizeof(struct virtio_gpu_mem_entry));
	struct virtio_gpu_mem_entry *e = (struct virtio_gpu_mem_entry *)(a + 1);

	a->resource_id = res;
	a->nr_entries = 1;
	e->addr = pa;
	e->length = (uint32_t)len;
	return vgpu_send_nodata(g, sizeof(*a) + sizeof(*e), false);
}

int vgpu_unref(struct vgpu *g, uint32_t res)
{
	struct virtio_gpu_resource_unref *u = vgpu_req(g, VIRTIO_GPU_CMD_RESOURCE_UNREF, sizeof(*u));

	u->resource_id = res;
	return vgpu_send_nodata(g, sizeof(*u), false);
}

int vgpu_set_scanout(struct vgpu *g, uint32_t scanout, uint32_t res, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct virtio_gpu_set_scanout *s = vgpu_req(g, VIRTIO_GPU_CMD_SET_SCANOUT, sizeof(*s));

	s->r = (struct virtio_gpu_rect){ x, y, w, h };
	s->scanout_id = scanout;
	s->resource_id = res;
	return vgpu_send_nodata(g, sizeof(*s), false);
}

int vgpu_transfer_2d(struct vgpu *g, uint32_t res, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off)
{
	struct virtio_gpu_transfer_to_host_2d *t = vgpu_req(g, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, sizeof(*t));

	t->r = (struct virtio_gpu_rect){ x, y, w, h };
	t->offset = off;
	t->resource_id = res;
	return vgpu_send_nodata(g, sizeof(*t), false);
}

int vgpu_flush(struct vgpu *g, uint32_t res, uint32_t x, uint32_t y, uint32_t w, uint32_t h, bool fence)
{
	struct virtio_gpu_resource_flush *f = vgpu_req(g, VIRTIO_GPU_CMD_RESOURCE_FLUSH, sizeof(*f));

	f->r = (struct virtio_gpu_rect){ x, y, w, h };
	f->resource_id = res;
	return vgpu_send_nodata(g, sizeof(*f), fence);
}

uint64_t vgpu_alloc_contig(unsigned int n)
{
	uint64_t start = 0, prev = 0;
	unsigned int run = 0, tries = 2 * n + 64;

	/* The bump allocator hands out ascending frames; a run broken by a freed frame is left behind. */
	while (run < n && tries--) {
		uint64_t f = frame_alloc();

		if (!f)
			return 0;
		if (run && f == prev + FRAME) {
			prev = f;
			run++;
			continue;
		}
		start = prev = f;
		run = 1;
	}
	return run == n ? start : 0;
}

const char *vgpu_resp_name(int type)
{
	static const char *const ok[] = { "OK_NODATA", "OK_DISPLAY_INFO", "OK_CAPSET_INFO", "OK_CAPSET",
					  "OK_EDID", "OK_RESOURCE_UUID", "OK_MAP_INFO" };
	static const char *const err[] = { "ERR_UNSPEC", "ERR_OUT_OF_MEMORY", "ERR_INVALID_SCANOUT_ID",
					   "ERR_INVALID_RESOURCE_ID", "ERR_INVALID_CONTEXT_ID",
					   "ERR_INVALID_PARAMETER" };

	if (type == VGPU_TIMEOUT)
		return "no answer in time";
	if (type >= VIRTIO_GPU_RESP_OK_NODATA && type < VIRTIO_GPU_RESP_OK_NODATA + 7)
		return ok[type - VIRTIO_GPU_RESP_OK_NODATA];
	if (type >= VIRTIO_GPU_RESP_ERR_UNSPEC && type < VIRTIO_GPU_RESP_ERR_UNSPEC + 6)
		return err[type - VIRTIO_GPU_RESP_ERR_UNSPEC];
	return "an unknown response";
}
