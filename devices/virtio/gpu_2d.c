/* virtio-gpu's 2D renderer: resources as pixels in host memory, transfers from their guest backing, scanouts and flushes to the display as ARGB words. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/gpu_backend.h"
#include "devices/virtio/gpu_format.h"

#define G2D_BAND_BYTES (1u << 20)	/* converted pixels handed to the display at a time */

/* A resource's pixels (gpu_resource.priv). */
struct g2d_res {
	struct gpu_resource *r;
	uint8_t *pix;
	uint32_t stride;
	struct g2d_res *prev, *next;	/* every resource, for the reset */
};

struct g2d_scanout {
	struct gpu_resource *r;		/* NULL: off */
	struct virtio_gpu_rect rect;
};

struct g2d {
	struct gpu_backend_env env;
	struct g2d_res *all;
	struct g2d_scanout scan[DISPLAY_MAX_OUTPUTS];
	uint32_t band[G2D_BAND_BYTES / 4];
};

static int g2d_create(const struct gpu_backend_env *env, void **out, char *err, size_t errlen)
{
	struct g2d *g = calloc(1, sizeof(*g));

	(void)err;
	(void)errlen;
	if (!g)
		return -ENOMEM;
	g->env = *env;
	*out = g;
	return 0;
}

static void g2d_free_res(struct g2d *g, struct g2d_res *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else
		g->all = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->r->priv = NULL;
	free(p->pix);
	free(p);
}

static void g2d_reset(void *b)
{
	struct g2d *g = b;

	while (g->all)
		g2d_free_res(g, g->all);
	for (unsigned int i = 0; i < DISPLAY_MAX_OUTPUTS; i++) {
		if (g->scan[i].r && g->env.display->ops->set_mode)
			g->env.display->ops->set_mode(g->env.display->opaque, i, 0, 0);
		g->scan[i].r = NULL;
	}
}

/* The outputs keep their last image (a screenshot at exit is taken after the devices go). */
static void g2d_destroy(void *b)
{
	struct g2d *g = b;

	if (!g)
		return;
	while (g->all)
		g2d_free_res(g, g->all);
	free(g);
}

static uint32_t g2d_resource_create(void *b, struct gpu_resource *r)
{
	struct g2d *g = b;
	struct g2d_res *p;

	if (r->is_3d || !gpu_format_bpp(r->format))
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	p = calloc(1, sizeof(*p));
	if (!p)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	p->stride = r->width * gpu_format_bpp(r->format);	/* the front end capped the size */
	p->pix = calloc(r->height, p->stride);
	if (!p->pix) {
		free(p);
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	}
	p->r = r;
	p->next = g->all;
	if (g->all)
		g->all->prev = p;
	g->all = p;
	r->priv = p;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static void g2d_resource_destroy(void *b, struct gpu_resource *r)
{
	struct g2d *g = b;

	for (unsigned int i = 0; i < DISPLAY_MAX_OUTPUTS; i++)
		if (g->scan[i].r == r)
			g->scan[i].r = NULL;
	if (r->priv)
		g2d_free_res(g, r->priv);
}

static uint32_t g2d_attach_backing(void *b, struct gpu_resource *r)
{
	(void)b;
	(void)r;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static void g2d_detach_backing(void *b, struct gpu_resource *r)
{
	(void)b;
	(void)r;
}

/* A forward-only position in a resource's backing. */
struct g2d_cursor {
	const struct iovec *iov;
	unsigned int n, i;
	uint64_t base;			/* backing offset where iov[i] starts */
};

/* Copy @len bytes at backing offset @off (not before the last call's) to @dst; the front end checked the range. */
static void g2d_copy(struct g2d_cursor *c, uint64_t off, uint8_t *dst, size_t len)
{
	while (len) {
		uint64_t in;
		size_t k;

		while (c->i < c->n && off >= c->base + c->iov[c->i].iov_len) {
			c->base += c->iov[c->i].iov_len;
			c->i++;
		}
		if (c->i == c->n)
			return;
		in = off - c->base;
		k = c->iov[c->i].iov_len - in < len ? (size_t)(c->iov[c->i].iov_len - in) : len;
		memcpy(dst, (const uint8_t *)c->iov[c->i].iov_base + in, k);
		dst += k;
		off += k;
		len -= k;
	}
}

static uint32_t g2d_transfer(void *b, struct gpu_resource *r, const struct virtio_gpu_rect *rect, uint64_t offset)
{
	struct g2d_res *p = r->priv;
	struct g2d_cursor c = { r->backing, r->nbacking, 0, 0 };
	uint32_t bpp = gpu_format_bpp(r->format);
	uint8_t *dst;

	(void)b;
	if (!p)
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	dst = p->pix + (size_t)rect->y * p->stride + (size_t)rect->x * bpp;
	if (rect->x == 0 && rect->width == r->width) {	/* whole rows: one run */
		g2d_copy(&c, offset, dst, (size_t)rect->height * p->stride);
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	for (uint32_t y = 0; y < rect->height; y++)
		g2d_copy(&c, offset + (uint64_t)y * p->stride, dst + (size_t)y * p->stride, (size_t)rect->width * bpp);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Send (@x, @y, @w, @h) of @r, in resource coordinates and inside output @out's scanout, to the display. */
static void g2d_show(struct g2d *g, unsigned int out, struct gpu_resource *r, uint32_t x, uint32_t y, uint32_t w,
		     uint32_t h)
{
	const struct display_sink_ops *d = g->env.display->ops;
	struct g2d_res *p = r->priv;
	uint32_t dx = x - g->scan[out].rect.x, dy = y - g->scan[out].rect.y;
	const uint8_t *src = p->pix + (size_t)y * p->stride + (size_t)x * 4;
	uint32_t rows;

	if (!d->update)
		return;
	if (r->format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM || r->format == VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM) {
		/* these are ARGB words in memory already (the display ignores a scanout's alpha) */
		d->update(g->env.display->opaque, out, (const uint32_t *)src, p->stride, dx, dy, w, h);
		return;
	}
	rows = (uint32_t)(sizeof(g->band) / 4 / w);
	for (uint32_t done = 0; done < h; done += rows) {
		uint32_t n = h - done < rows ? h - done : rows;

		for (uint32_t i = 0; i < n; i++)
			gpu_format_to_argb(r->format, src + (size_t)(done + i) * p->stride, g->band + (size_t)i * w, w);
		d->update(g->env.display->opaque, out, g->band, w * 4, dx, dy + done, w, n);
	}
}

/* The part of @rect of @r that output @out shows, sent to the display. */
static void g2d_flush_out(struct g2d *g, unsigned int out, struct gpu_resource *r, const struct virtio_gpu_rect *rect)
{
	const struct virtio_gpu_rect *s = &g->scan[out].rect;
	uint64_t x0 = rect->x > s->x ? rect->x : s->x, y0 = rect->y > s->y ? rect->y : s->y;
	uint64_t x1 = (uint64_t)rect->x + rect->width, y1 = (uint64_t)rect->y + rect->height;

	if (x1 > (uint64_t)s->x + s->width)
		x1 = (uint64_t)s->x + s->width;
	if (y1 > (uint64_t)s->y + s->height)
		y1 = (uint64_t)s->y + s->height;
	if (x1 <= x0 || y1 <= y0)
		return;
	g2d_show(g, out, r, (uint32_t)x0, (uint32_t)y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0));
}

static uint32_t g2d_set_scanout(void *b, unsigned int out, struct gpu_resource *r, const struct virtio_gpu_rect *rect)
{
	struct g2d *g = b;
	const struct display_sink_ops *d = g->env.display->ops;
	struct g2d_scanout *s = &g->scan[out];

	if (out >= DISPLAY_MAX_OUTPUTS)
		return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	if (!r || !r->priv) {
		if (s->r && d->set_mode)
			d->set_mode(g->env.display->opaque, out, 0, 0);
		s->r = NULL;
		return r ? VIRTIO_GPU_RESP_ERR_UNSPEC : VIRTIO_GPU_RESP_OK_NODATA;
	}
	if ((!s->r || s->rect.width != rect->width || s->rect.height != rect->height) && d->set_mode)
		d->set_mode(g->env.display->opaque, out, rect->width, rect->height);
	s->r = r;
	s->rect = *rect;
	g2d_flush_out(g, out, r, rect);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t g2d_flush(void *b, struct gpu_resource *r, const struct virtio_gpu_rect *rect)
{
	struct g2d *g = b;

	for (unsigned int i = 0; i < DISPLAY_MAX_OUTPUTS; i++)
		if (g->scan[i].r == r && r->priv)
			g2d_flush_out(g, i, r, rect);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t g2d_cursor_image(void *b, struct gpu_resource *r, uint32_t *argb)
{
	struct g2d_res *p = r->priv;

	(void)b;
	if (!p || r->width != DISPLAY_CURSOR_SIZE || r->height != DISPLAY_CURSOR_SIZE)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	for (uint32_t y = 0; y < DISPLAY_CURSOR_SIZE; y++)
		gpu_format_to_argb(r->format, p->pix + (size_t)y * p->stride, argb + y * DISPLAY_CURSOR_SIZE,
				   DISPLAY_CURSOR_SIZE);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

const struct gpu_backend_ops gpu_2d_backend = {
	.name = "2d",
	.create = g2d_create,
	.destroy = g2d_destroy,
	.reset = g2d_reset,
	.resource_create = g2d_resource_create,
	.resource_destroy = g2d_resource_destroy,
	.attach_backing = g2d_attach_backing,
	.detach_backing = g2d_detach_backing,
	.transfer_to_host_2d = g2d_transfer,
	.set_scanout = g2d_set_scanout,
	.resource_flush = g2d_flush,
	.cursor_image = g2d_cursor_image,
};
