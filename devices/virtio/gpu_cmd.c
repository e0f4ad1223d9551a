/* virtio-gpu's command front end: every request's length, ids, rectangles and backing checked, then one renderer op, then the response. */
#include "devices/virtio/gpu.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "devices/virtio/gpu_edid.h"
#include "devices/virtio/gpu_format.h"
#include "vmm/log.h"


/* What a driver can get wrong, each logged once per device. */
enum gpu_err {
	GPU_E_SHORT,		/* a request shorter than its command */
	GPU_E_TYPE,		/* an unknown or unsupported command */
	GPU_E_RESOURCE,		/* a resource id that is 0, unknown or taken */
	GPU_E_SCANOUT,		/* a scanout id beyond the outputs */
	GPU_E_FORMAT,		/* an unknown format */
	GPU_E_SIZE,		/* a resource too large or empty */
	GPU_E_RECT,		/* a rectangle outside its resource */
	GPU_E_BACKING,		/* backing missing, outside guest RAM, too short or attached twice */
	GPU_E_PARAM,		/* another bad field */
	GPU_E_RENDERER,		/* the renderer refused a command */
};

static const char *const gpu_err_names[] = {
	[GPU_E_SHORT] = "request shorter than its command",
	[GPU_E_TYPE] = "unknown or unsupported command",
	[GPU_E_RESOURCE] = "bad resource id",
	[GPU_E_SCANOUT] = "bad scanout id",
	[GPU_E_FORMAT] = "unknown pixel format",
	[GPU_E_SIZE] = "resource size not possible",
	[GPU_E_RECT] = "rectangle outside its resource",
	[GPU_E_BACKING] = "bad backing",
	[GPU_E_PARAM] = "bad parameter",
	[GPU_E_RENDERER] = "the renderer refused a command",
};

/* Answer @resp for @kind, logging the first of each kind. */
static uint32_t gpu_fail(struct gpu_cmd *g, enum gpu_err kind, uint32_t resp, uint32_t type)
{
	if (!(g->warned & (1u << kind))) {
		g->warned |= 1u << kind;
		log_warn("%s: guest driver error: %s (command 0x%x, response 0x%x); further ones of this kind are "
			 "not logged", g->name, gpu_err_names[kind], type, resp);
	}
	return resp;
}

/* A renderer's answer @resp to command @type, its refusals logged once. */
static uint32_t gpu_renderer(struct gpu_cmd *g, uint32_t type, uint32_t resp)
{
	return resp == VIRTIO_GPU_RESP_OK_NODATA ? resp : gpu_fail(g, GPU_E_RENDERER, resp, type);
}

/* Each command keel takes: its length at least, and where its resource id is (0: none looked up here). */
struct gpu_cmd_def {
	uint32_t type;
	uint32_t len;
	uint32_t res_off;
};

#define GPU_CMD(t, s) { VIRTIO_GPU_CMD_##t, sizeof(struct s), 0 }
#define GPU_CMD_RES(t, s) { VIRTIO_GPU_CMD_##t, sizeof(struct s), offsetof(struct s, resource_id) }

static const struct gpu_cmd_def gpu_cmds[] = {
	GPU_CMD(GET_DISPLAY_INFO, virtio_gpu_ctrl_hdr),
	GPU_CMD(RESOURCE_CREATE_2D, virtio_gpu_resource_create_2d),
	GPU_CMD_RES(RESOURCE_UNREF, virtio_gpu_resource_unref),
	GPU_CMD(SET_SCANOUT, virtio_gpu_set_scanout),	/* resource 0: the output goes off */
	GPU_CMD_RES(RESOURCE_FLUSH, virtio_gpu_resource_flush),
	GPU_CMD_RES(TRANSFER_TO_HOST_2D, virtio_gpu_transfer_to_host_2d),
	GPU_CMD_RES(RESOURCE_ATTACH_BACKING, virtio_gpu_resource_attach_backing),
	GPU_CMD_RES(RESOURCE_DETACH_BACKING, virtio_gpu_resource_detach_backing),
	GPU_CMD(GET_CAPSET_INFO, virtio_gpu_get_capset_info),
	GPU_CMD(GET_CAPSET, virtio_gpu_get_capset),
	GPU_CMD(GET_EDID, virtio_gpu_get_edid),
	GPU_CMD(CTX_CREATE, virtio_gpu_ctx_create),
	GPU_CMD(CTX_DESTROY, virtio_gpu_ctrl_hdr),
	GPU_CMD_RES(CTX_ATTACH_RESOURCE, virtio_gpu_ctx_resource),
	GPU_CMD_RES(CTX_DETACH_RESOURCE, virtio_gpu_ctx_resource),
	GPU_CMD(RESOURCE_CREATE_3D, virtio_gpu_resource_create_3d),
	GPU_CMD_RES(TRANSFER_TO_HOST_3D, virtio_gpu_transfer_host_3d),
	GPU_CMD_RES(TRANSFER_FROM_HOST_3D, virtio_gpu_transfer_host_3d),
	GPU_CMD(SUBMIT_3D, virtio_gpu_cmd_submit),
	GPU_CMD(UPDATE_CURSOR, virtio_gpu_update_cursor),	/* resource 0: the cursor is hidden */
	GPU_CMD(MOVE_CURSOR, virtio_gpu_update_cursor),
};

static const struct gpu_cmd_def *gpu_cmd_def(uint32_t type)
{
	for (size_t i = 0; i < sizeof(gpu_cmds) / sizeof(gpu_cmds[0]); i++)
		if (gpu_cmds[i].type == type)
			return &gpu_cmds[i];
	return NULL;
}

static bool gpu_is_3d_cmd(uint32_t type)
{
	return type >= VIRTIO_GPU_CMD_CTX_CREATE && type <= VIRTIO_GPU_CMD_SUBMIT_3D;
}

/* [@x, @x + @w) inside [0, @limit), without overflow. */
static bool gpu_span_in(uint32_t x, uint32_t w, uint32_t limit)
{
	return x <= limit && w <= limit - x;
}

static bool gpu_rect_in(const struct virtio_gpu_rect *r, const struct gpu_resource *res)
{
	return gpu_span_in(r->x, r->width, res->width) && gpu_span_in(r->y, r->height, res->height);
}

/* Resource @id, or NULL with the response type in *@resp. */
static struct gpu_resource *gpu_lookup(struct gpu_cmd *g, uint32_t id, uint32_t type, uint32_t *resp)
{
	struct gpu_resource *r = gpu_res_find(&g->res, id);

	if (!r)
		*resp = gpu_fail(g, GPU_E_RESOURCE, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, type);
	return r;
}

static void gpu_display_info(struct gpu_cmd *g, uint8_t *resp, size_t *len)
{
	struct virtio_gpu_resp_display_info *d = (struct virtio_gpu_resp_display_info *)resp;

	memset(d, 0, sizeof(*d));
	for (unsigned int i = 0; i < g->outputs; i++) {
		d->pmodes[i].r = (struct virtio_gpu_rect){ 0, 0, g->width, g->height };
		d->pmodes[i].enabled = 1;
	}
	d->hdr.type = VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
	*len = sizeof(*d);
}

static uint32_t gpu_edid(struct gpu_cmd *g, const uint8_t *req, bool edid, uint8_t *resp, size_t *len)
{
	struct virtio_gpu_resp_edid *e = (struct virtio_gpu_resp_edid *)resp;
	struct virtio_gpu_get_edid c;

	memcpy(&c, req, sizeof(c));
	if (!edid)
		return gpu_fail(g, GPU_E_TYPE, VIRTIO_GPU_RESP_ERR_UNSPEC, c.hdr.type);
	if (c.scanout >= g->outputs)
		return gpu_fail(g, GPU_E_SCANOUT, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID, c.hdr.type);
	memset(e, 0, sizeof(*e));
	gpu_edid_build(e->edid, g->width, g->height, c.scanout);
	e->size = GPU_EDID_BYTES;
	*len = sizeof(*e);
	return VIRTIO_GPU_RESP_OK_EDID;
}

/* RESOURCE_CREATE_2D and RESOURCE_CREATE_3D. */
static uint32_t gpu_create(struct gpu_cmd *g, const uint8_t *req, uint32_t type)
{
	struct virtio_gpu_resource_create_3d c3 = { 0 };
	struct gpu_resource *r;
	uint64_t bytes, limit = GPU_RES_HOST_MAX;
	uint32_t ret;
	bool is_3d = type == VIRTIO_GPU_CMD_RESOURCE_CREATE_3D;

	if (is_3d) {
		memcpy(&c3, req, sizeof(c3));
	} else {
		struct virtio_gpu_resource_create_2d c;

		memcpy(&c, req, sizeof(c));
		c3.resource_id = c.resource_id;
		c3.format = c.format;
		c3.width = c.width;
		c3.height = c.height;
	}
	if (!c3.resource_id || gpu_res_find(&g->res, c3.resource_id))
		return gpu_fail(g, GPU_E_RESOURCE, VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID, type);
	if (!is_3d && !gpu_format_bpp(c3.format))
		return gpu_fail(g, GPU_E_FORMAT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, type);
	if (!c3.width || !c3.height)
		return gpu_fail(g, GPU_E_SIZE, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, type);
	bytes = (uint64_t)c3.width * c3.height;		/* < 2^64 */
	if (is_3d) {
		uint64_t layers = (uint64_t)(c3.depth ? c3.depth : 1) * (c3.array_size ? c3.array_size : 1);

		/* the renderer's memory, estimated at 4 bytes a texel: 3D resources have a limit of their own */
		if (bytes > GPU_RES_3D_MAX / 4 / layers)
			return gpu_fail(g, GPU_E_SIZE, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, type);
		bytes *= 4 * layers;
		limit = GPU_RES_3D_MAX;
	} else {
		if (bytes > GPU_RES_HOST_MAX / gpu_format_bpp(c3.format))
			return gpu_fail(g, GPU_E_SIZE, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, type);
		bytes *= gpu_format_bpp(c3.format);
	}
	switch (gpu_res_new(&g->res, c3.resource_id, bytes, limit, &r)) {
	case 0:
		break;
	case -ENOSPC:
		return gpu_fail(g, GPU_E_SIZE, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY, type);
	default:
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	r->format = c3.format;
	r->width = c3.width;
	r->height = c3.height;
	r->is_3d = is_3d;
	if (is_3d)
		r->create_3d = c3;
	ret = gpu_renderer(g, type, g->ops->resource_create(g->b, r));
	if (ret != VIRTIO_GPU_RESP_OK_NODATA)
		gpu_res_free(&g->res, r);
	return ret;
}

/* Output @out shows nothing from now on. */
static void gpu_scanout_off(struct gpu_cmd *g, unsigned int out)
{
	if (!g->scanout[out])
		return;
	g->ops->set_scanout(g->b, out, NULL, NULL);
	g->scanout[out] = 0;
}

static uint32_t gpu_unref(struct gpu_cmd *g, struct gpu_resource *r)
{
	for (unsigned int i = 0; i < g->outputs; i++)
		if (g->scanout[i] == r->id)
			gpu_scanout_off(g, i);
	if (r->backing)
		g->ops->detach_backing(g->b, r);
	g->ops->resource_destroy(g->b, r);
	gpu_res_free(&g->res, r);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t gpu_set_scanout(struct gpu_cmd *g, const uint8_t *req)
{
	struct virtio_gpu_set_scanout c;
	struct gpu_resource *r;
	uint32_t resp;

	memcpy(&c, req, sizeof(c));
	if (c.scanout_id >= g->outputs)
		return gpu_fail(g, GPU_E_SCANOUT, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID, c.hdr.type);
	if (!c.resource_id) {
		gpu_scanout_off(g, c.scanout_id);
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	r = gpu_lookup(g, c.resource_id, c.hdr.type, &resp);
	if (!r)
		return resp;
	if (!c.r.width || !c.r.height || !gpu_rect_in(&c.r, r))
		return gpu_fail(g, GPU_E_RECT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	resp = g->ops->set_scanout(g->b, c.scanout_id, r, &c.r);
	if (resp != VIRTIO_GPU_RESP_OK_NODATA)
		return gpu_fail(g, GPU_E_RENDERER, resp, c.hdr.type);
	g->scanout[c.scanout_id] = r->id;
	return resp;
}

static uint32_t gpu_flush(struct gpu_cmd *g, const uint8_t *req, struct gpu_resource *r)
{
	struct virtio_gpu_resource_flush c;

	memcpy(&c, req, sizeof(c));
	if (!gpu_rect_in(&c.r, r))
		return gpu_fail(g, GPU_E_RECT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	return g->ops->resource_flush(g->b, r, &c.r);
}

static uint32_t gpu_transfer_2d(struct gpu_cmd *g, const uint8_t *req, struct gpu_resource *r)
{
	struct virtio_gpu_transfer_to_host_2d c;
	uint64_t stride, last, need;
	unsigned int bpp;

	memcpy(&c, req, sizeof(c));
	if (!gpu_rect_in(&c.r, r))
		return gpu_fail(g, GPU_E_RECT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	bpp = gpu_format_bpp(r->format);
	if (!bpp)
		return gpu_fail(g, GPU_E_FORMAT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	if (!r->backing)
		return gpu_fail(g, GPU_E_BACKING, VIRTIO_GPU_RESP_ERR_UNSPEC, c.hdr.type);
	if (!c.r.width || !c.r.height)
		return VIRTIO_GPU_RESP_OK_NODATA;
	/* offset + stride * (height - 1) + width * bpp within the backing; each term < 2^34, the product < 2^66 */
	stride = (uint64_t)r->width * bpp;
	if (__builtin_mul_overflow(stride, (uint64_t)(c.r.height - 1), &last) ||
	    __builtin_add_overflow(last, (uint64_t)c.r.width * bpp, &need) ||
	    __builtin_add_overflow(need, c.offset, &need) || need > r->backing_bytes)
		return gpu_fail(g, GPU_E_BACKING, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	return g->ops->transfer_to_host_2d(g->b, r, &c.r, c.offset);
}

static uint32_t gpu_attach(struct gpu_cmd *g, const uint8_t *req, size_t len, struct gpu_resource *r)
{
	struct virtio_gpu_resource_attach_backing c;
	uint32_t resp;

	memcpy(&c, req, sizeof(c));
	if (r->backing)
		return gpu_fail(g, GPU_E_BACKING, VIRTIO_GPU_RESP_ERR_UNSPEC, c.hdr.type);
	if (!c.nr_entries || c.nr_entries > GPU_RES_MAX_ENTRIES)
		return gpu_fail(g, GPU_E_BACKING, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	if ((len - sizeof(c)) / sizeof(struct virtio_gpu_mem_entry) < c.nr_entries)
		return gpu_fail(g, GPU_E_SHORT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	resp = gpu_res_attach(&g->res, g->mem, r, req + sizeof(c), c.nr_entries);
	if (resp != VIRTIO_GPU_RESP_OK_NODATA)
		return gpu_fail(g, GPU_E_BACKING, resp, c.hdr.type);
	resp = g->ops->attach_backing(g->b, r);
	if (resp != VIRTIO_GPU_RESP_OK_NODATA) {
		gpu_res_detach(&g->res, r);
		return gpu_fail(g, GPU_E_RENDERER, resp, c.hdr.type);
	}
	return resp;
}

static uint32_t gpu_detach(struct gpu_cmd *g, struct gpu_resource *r)
{
	if (!r->backing)
		return gpu_fail(g, GPU_E_BACKING, VIRTIO_GPU_RESP_ERR_UNSPEC, VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING);
	g->ops->detach_backing(g->b, r);
	gpu_res_detach(&g->res, r);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static unsigned int gpu_num_capsets(struct gpu_cmd *g)
{
	return g->ops->num_capsets && g->ops->capset_info ? g->ops->num_capsets(g->b) : 0;
}

static uint32_t gpu_capset_info(struct gpu_cmd *g, const uint8_t *req, uint8_t *resp, size_t *len)
{
	struct virtio_gpu_resp_capset_info *ci = (struct virtio_gpu_resp_capset_info *)resp;
	struct virtio_gpu_get_capset_info c;
	uint32_t ret;

	memcpy(&c, req, sizeof(c));
	if (c.capset_index >= gpu_num_capsets(g))
		return gpu_fail(g, GPU_E_PARAM, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	memset(ci, 0, sizeof(*ci));
	ret = g->ops->capset_info(g->b, c.capset_index, &ci->capset_id, &ci->capset_max_version,
				  &ci->capset_max_size);
	if (ret != VIRTIO_GPU_RESP_OK_NODATA)
		return gpu_fail(g, GPU_E_RENDERER, ret, c.hdr.type);
	*len = sizeof(*ci);
	return VIRTIO_GPU_RESP_OK_CAPSET_INFO;
}

static uint32_t gpu_capset(struct gpu_cmd *g, const uint8_t *req, uint8_t *resp, size_t cap, size_t *len)
{
	struct virtio_gpu_get_capset c;
	unsigned int n = gpu_num_capsets(g);
	uint32_t id = 0, maxv = 0, maxs = 0;
	size_t room = cap - sizeof(struct virtio_gpu_resp_capset), used = 0;
	unsigned int i;
	uint32_t ret;

	memcpy(&c, req, sizeof(c));
	for (i = 0; i < n; i++)
		if (g->ops->capset_info(g->b, i, &id, &maxv, &maxs) == VIRTIO_GPU_RESP_OK_NODATA && id == c.capset_id)
			break;
	if (i == n || !g->ops->capset || c.capset_version > maxv)
		return gpu_fail(g, GPU_E_PARAM, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	if (maxs < room)
		room = maxs;
	memset(resp + sizeof(struct virtio_gpu_resp_capset), 0, room);
	ret = g->ops->capset(g->b, c.capset_id, c.capset_version, resp + sizeof(struct virtio_gpu_resp_capset), room,
			     &used);
	if (ret != VIRTIO_GPU_RESP_OK_NODATA)
		return gpu_fail(g, GPU_E_RENDERER, ret, c.hdr.type);
	*len = sizeof(struct virtio_gpu_resp_capset) + (used < room ? used : room);
	return VIRTIO_GPU_RESP_OK_CAPSET;
}

static uint32_t gpu_cursor(struct gpu_cmd *g, const uint8_t *req)
{
	struct virtio_gpu_update_cursor c;
	uint32_t image[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE];
	const struct display_sink_ops *d = g->display->ops;
	struct gpu_resource *r;
	unsigned int out;
	uint32_t resp;

	memcpy(&c, req, sizeof(c));
	out = c.pos.scanout_id;
	if (out >= g->outputs)
		return gpu_fail(g, GPU_E_SCANOUT, VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID, c.hdr.type);
	if (c.hdr.type == VIRTIO_GPU_CMD_MOVE_CURSOR) {
		if (d->cursor)
			d->cursor(g->display->opaque, out, (int32_t)c.pos.x, (int32_t)c.pos.y, NULL,
				  g->cursor[out].hot_x, g->cursor[out].hot_y, g->cursor[out].visible);
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	if (!c.resource_id) {
		g->cursor[out].visible = false;
		if (d->cursor)
			d->cursor(g->display->opaque, out, (int32_t)c.pos.x, (int32_t)c.pos.y, NULL, 0, 0, false);
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	r = gpu_lookup(g, c.resource_id, c.hdr.type, &resp);
	if (!r)
		return resp;
	if (r->width != VIRTIO_GPU_CURSOR_SIZE || r->height != VIRTIO_GPU_CURSOR_SIZE ||
	    c.hot_x >= VIRTIO_GPU_CURSOR_SIZE || c.hot_y >= VIRTIO_GPU_CURSOR_SIZE || !g->ops->cursor_image)
		return gpu_fail(g, GPU_E_PARAM, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, c.hdr.type);
	resp = g->ops->cursor_image(g->b, r, image);
	if (resp != VIRTIO_GPU_RESP_OK_NODATA)
		return gpu_fail(g, GPU_E_RENDERER, resp, c.hdr.type);
	g->cursor[out].visible = true;
	g->cursor[out].hot_x = c.hot_x;
	g->cursor[out].hot_y = c.hot_y;
	if (d->cursor)
		d->cursor(g->display->opaque, out, (int32_t)c.pos.x, (int32_t)c.pos.y, image, c.hot_x, c.hot_y, true);
	return resp;
}

/* The 3D commands, straight to the renderer once their resource is known. */
static uint32_t gpu_3d(struct gpu_cmd *g, uint8_t *req, size_t len, uint32_t type, struct gpu_resource *r)
{
	const struct gpu_backend_ops *o = g->ops;
	struct virtio_gpu_ctrl_hdr h;

	memcpy(&h, req, sizeof(h));
	switch (type) {
	case VIRTIO_GPU_CMD_CTX_CREATE: {
		struct virtio_gpu_ctx_create c;

		memcpy(&c, req, sizeof(c));
		if (c.nlen > sizeof(c.debug_name))
			return gpu_fail(g, GPU_E_PARAM, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, type);
		return gpu_renderer(g, type, o->ctx_create(g->b, h.ctx_id, c.context_init, c.debug_name, c.nlen));
	}
	case VIRTIO_GPU_CMD_CTX_DESTROY:
		return gpu_renderer(g, type, o->ctx_destroy(g->b, h.ctx_id));
	case VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE:
	case VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE:
		return gpu_renderer(g, type, o->ctx_resource(g->b, h.ctx_id, r, type == VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE));
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_3D:
		return gpu_create(g, req, type);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D:
	case VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D: {
		struct virtio_gpu_transfer_host_3d t;

		memcpy(&t, req, sizeof(t));
		return gpu_renderer(g, type, o->transfer_3d(g->b, h.ctx_id, r, &t, type == VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D));
	}
	case VIRTIO_GPU_CMD_SUBMIT_3D: {
		struct virtio_gpu_cmd_submit c;

		memcpy(&c, req, sizeof(c));
		if (c.size > len - sizeof(c))
			return gpu_fail(g, GPU_E_SHORT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, type);
		return gpu_renderer(g, type, o->submit_3d(g->b, h.ctx_id, req + sizeof(c), c.size));
	}
	default:
		return gpu_fail(g, GPU_E_TYPE, VIRTIO_GPU_RESP_ERR_UNSPEC, type);
	}
}

/* A renderer without one of the 3D ops takes no 3D command at all. */
static bool gpu_has_3d(const struct gpu_backend_ops *o)
{
	return o->ctx_create && o->ctx_destroy && o->ctx_resource && o->transfer_3d && o->submit_3d;
}

/* Run command @type; its response's type, and the response body in @resp when it has one. */
static uint32_t gpu_dispatch(struct gpu_cmd *g, uint8_t *req, size_t len, uint32_t type, bool edid, uint8_t *resp,
			     size_t cap, size_t *rlen)
{
	const struct gpu_cmd_def *d = gpu_cmd_def(type);
	struct gpu_resource *r = NULL;
	uint32_t ret;

	if (!d || (gpu_is_3d_cmd(type) && !gpu_has_3d(g->ops)))
		return gpu_fail(g, GPU_E_TYPE, VIRTIO_GPU_RESP_ERR_UNSPEC, type);
	if (len < d->len)
		return gpu_fail(g, GPU_E_SHORT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, type);
	if (d->res_off) {
		uint32_t id;

		memcpy(&id, req + d->res_off, sizeof(id));
		r = gpu_lookup(g, id, type, &ret);
		if (!r)
			return ret;
	}
	if (gpu_is_3d_cmd(type))
		return gpu_3d(g, req, len, type, r);
	switch (type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		gpu_display_info(g, resp, rlen);
		return VIRTIO_GPU_RESP_OK_DISPLAY_INFO;
	case VIRTIO_GPU_CMD_GET_EDID:
		return gpu_edid(g, req, edid, resp, rlen);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		return gpu_create(g, req, type);
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
		return gpu_unref(g, r);
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		return gpu_set_scanout(g, req);
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		return gpu_flush(g, req, r);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		return gpu_transfer_2d(g, req, r);
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return gpu_attach(g, req, len, r);
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		return gpu_detach(g, r);
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO:
		return gpu_capset_info(g, req, resp, rlen);
	case VIRTIO_GPU_CMD_GET_CAPSET:
		return gpu_capset(g, req, resp, cap, rlen);
	default:	/* UPDATE_CURSOR, MOVE_CURSOR */
		return gpu_cursor(g, req);
	}
}

void gpu_cmd_exec(struct gpu_cmd *g, uint8_t *req, size_t len, bool edid, uint8_t *resp, size_t cap,
		  struct gpu_cmd_result *res)
{
	struct virtio_gpu_ctrl_hdr h = { 0 }, out = { 0 };
	size_t rlen = sizeof(out);
	uint32_t type;

	memset(res, 0, sizeof(*res));
	if (len < sizeof(h)) {
		memcpy(&h, req, len);
		type = gpu_fail(g, GPU_E_SHORT, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, h.type);
	} else {
		memcpy(&h, req, sizeof(h));
		type = gpu_dispatch(g, req, len, h.type, edid, resp, cap, &rlen);
	}
	if (type < VIRTIO_GPU_RESP_OK_DISPLAY_INFO || type >= VIRTIO_GPU_RESP_ERR_UNSPEC)
		rlen = sizeof(out);	/* OK_NODATA and the errors are a bare header */
	out.type = type;
	if (len >= sizeof(h) && (h.flags & VIRTIO_GPU_FLAG_FENCE)) {
		out.flags = h.flags & (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX);
		out.fence_id = h.fence_id;
		out.ctx_id = h.ctx_id;
		out.ring_idx = h.flags & VIRTIO_GPU_FLAG_INFO_RING_IDX ? h.ring_idx : 0;
		res->fence_id = h.fence_id;
		if (g->ops->create_fence && g->ops->create_fence(g->b, h.ctx_id, h.fence_id) == VIRTIO_GPU_RESP_OK_NODATA)
			res->fence_wait = true;
	}
	memcpy(resp, &out, sizeof(out));
	res->len = rlen;
}

void gpu_cmd_reset(struct gpu_cmd *g)
{
	g->ops->reset(g->b);
	gpu_res_clear(&g->res);
	memset(g->scanout, 0, sizeof(g->scanout));
	memset(g->cursor, 0, sizeof(g->cursor));
}
