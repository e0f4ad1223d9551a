/* The virgl renderer behind virtio-gpu: 2D and 3D resources, contexts, command streams and fences through virglrenderer (EGL surfaceless), scanouts read back into the display. */
#include "devices/virtio/gpu_backend.h"

#include "keel-config.h"

#include <errno.h>
#include <stdio.h>

#if KEEL_HAVE_VIRGLRENDERER

#include "devices/virtio/gpu_format.h"
#include "devices/virtio/gpu_virgl_check.h"
#include "devices/virtio/virgl_proto.h"
#include "vmm/log.h"

#include <dlfcn.h>
#include <link.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <virgl/virglrenderer.h>

/* virglrenderer's transfer box: its public header only declares the struct. */
struct virgl_box {
	uint32_t x, y, z, w, h, d;
};

#define VGPU_MAX_CONTEXTS 1024u		/* contexts a driver may hold at once */
#define VGPU_MAX_FENCES 4096u		/* fences waiting at once (a virtqueue holds far fewer) */

struct vgpu_scanout {
	uint32_t res_id;		/* 0: off */
	struct virtio_gpu_rect rect;
};

/*
 * A context the driver made. virglrenderer 0.10.4 marks a context whose stream it rejected as
 * being in error and from then on silently drops that context's commands: keel remembers it and
 * answers the context's later submissions with an error rather than a success that did nothing.
 */
struct vgpu_ctx {
	uint32_t id;
	bool failed;
};

struct vgpu_fence {
	uint32_t seq;			/* what virglrenderer knows it by */
	uint64_t fence_id;		/* what the driver knows it by */
};

struct vgpu {
	struct gpu_backend_env env;
	struct vgpu_scanout scanouts[DISPLAY_MAX_OUTPUTS];
	struct vgpu_ctx *ctxs;		/* the live contexts, unordered */
	unsigned int nctxs;
	uint32_t *res;			/* the ids of the live resources, unordered (for a reset) */
	unsigned int nres, res_cap;
	struct vgpu_fence *fences;	/* waiting, oldest first */
	unsigned int nfences;
	uint32_t fence_seq;
	void *raw;			/* read-back staging: the resource's bytes */
	uint32_t *argb;			/* and as ARGB words */
	size_t raw_bytes, argb_pixels;	/* their sizes */
	struct virgl_renderer_callbacks cb;
};

/*
 * virglrenderer keeps one renderer per process in its own globals (its EGL display and context,
 * its resource and context tables), whatever cookie it is given: a second struct vgpu could not
 * make a second renderer, only corrupt the first. This flag is the one thing keel keeps per
 * process for it: a second create fails with -EBUSY while a renderer exists.
 */
static atomic_bool vgpu_in_use;

/* An errno as virglrenderer returns it (either sign) to the response the specification names. */
static uint32_t vgpu_err(int ret)
{
	switch (ret < 0 ? -ret : ret) {
	case 0:
		return VIRTIO_GPU_RESP_OK_NODATA;
	case ENOMEM:
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	case EINVAL:
	case E2BIG:
	case ERANGE:
	case EFAULT:
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	case ENOENT:
	case ESRCH:
		return VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	default:
		return VIRTIO_GPU_RESP_ERR_UNSPEC;
	}
}

/* virglrenderer's own messages (a rejected stream is logged there too) go to keel's log at debug level. */
static void vgpu_debug(const char *fmt, va_list ap)
{
	char line[256];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	if (n && line[n - 1] == '\n')
		line[n - 1] = '\0';
	log_debug("virglrenderer: %s", line);
}

/*
 * Completes every waiting fence up to and including virglrenderer's @seq, oldest first: fences
 * retire in order and it may report only the newest. A @seq no longer waiting completes nothing.
 */
static void vgpu_write_fence(void *cookie, uint32_t seq)
{
	struct vgpu *g = cookie;
	unsigned int done = 0;

	while (done < g->nfences && g->fences[done].seq != seq)
		done++;
	if (done == g->nfences)
		return;
	done++;
	for (unsigned int i = 0; i < done; i++)
		g->env.fence_done(g->env.opaque, g->fences[i].fence_id);
	memmove(g->fences, g->fences + done, (g->nfences - done) * sizeof(*g->fences));
	g->nfences -= done;
}

#if defined(__SANITIZE_ADDRESS__)
/*
 * Sanitizer builds only: Mesa's DRI driver (swrast_dri.so for llvmpipe) keeps a pthread_once
 * allocation that becomes unreachable when virgl_renderer_cleanup unloads it, which LeakSanitizer
 * reports at exit. Pinning every loaded DRI driver (RTLD_NODELETE) keeps that memory reachable.
 */
static int vgpu_pin_one(struct dl_phdr_info *info, size_t size, void *unused)
{
	(void)size;
	(void)unused;
	if (info->dlpi_name && strstr(info->dlpi_name, "/dri/"))
		(void)dlopen(info->dlpi_name, RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
	return 0;
}

static void vgpu_pin_drivers(void)
{
	dl_iterate_phdr(vgpu_pin_one, NULL);
}
#else
static void vgpu_pin_drivers(void)
{
}
#endif

/*
 * virglrenderer calls GL through libepoxy, which aborts the process on the first call when it
 * finds neither libOpenGL.so.0 nor libGL.so.1 (a fresh Debian with EGL alone). False with one
 * line in @err.
 */
static bool vgpu_gl_ok(char *err, size_t errlen)
{
	static const char *const libs[] = { "libOpenGL.so.0", "libGL.so.1" };

	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		void *gl = dlopen(libs[i], RTLD_LAZY | RTLD_LOCAL);

		if (gl) {
			dlclose(gl);
			return true;
		}
	}
	snprintf(err, errlen, "virglrenderer needs OpenGL: neither libOpenGL.so.0 nor libGL.so.1 is there "
		 "(install libopengl0)");
	return false;
}

/*
 * Can EGL give virglrenderer a surfaceless display? virglrenderer 0.10.4 crashes in
 * virgl_renderer_init when libEGL has no driver (glvnd without Mesa's vendor library): ask libEGL
 * first, then for the OpenGL library libepoxy needs. False with one line in @err naming what is missing.
 */
static bool vgpu_egl_ok(char *err, size_t errlen)
{
	const char *(*query)(void *dpy, int32_t name);
	const char *ext;
	void *egl = dlopen("libEGL.so.1", RTLD_LAZY | RTLD_LOCAL);
	bool ok = false;

	if (!egl) {
		snprintf(err, errlen, "virglrenderer needs EGL: libEGL.so.1 is not there (install libegl1)");
		return false;
	}
	*(void **)&query = dlsym(egl, "eglQueryString");
	ext = query ? query(NULL, 0x3055 /* EGL_EXTENSIONS */) : NULL;
	if (!ext)
		snprintf(err, errlen, "virglrenderer needs EGL: libEGL found no driver (install libegl-mesa0)");
	else if (!strstr(ext, "EGL_MESA_platform_surfaceless"))
		snprintf(err, errlen, "virglrenderer needs EGL's surfaceless platform (EGL_MESA_platform_surfaceless), "
			 "which this EGL lacks (install Mesa's: libegl-mesa0)");
	else
		ok = vgpu_gl_ok(err, errlen);
	dlclose(egl);
	return ok;
}

/* Frees @g and lets the next create run (the renderer itself is cleaned up, or was never made). */
static void vgpu_free(struct vgpu *g)
{
	if (g) {
		free(g->ctxs);
		free(g->res);
		free(g->fences);
		free(g->raw);
		free(g->argb);
		free(g);
	}
	atomic_store(&vgpu_in_use, false);
}

static int vgpu_create(const struct gpu_backend_env *env, void **out, char *err, size_t errlen)
{
	struct vgpu *g;
	bool expected = false;
	int ret;

	if (!atomic_compare_exchange_strong(&vgpu_in_use, &expected, true)) {
		snprintf(err, errlen, "virglrenderer is already in use in this process (one virgl GPU per VM process)");
		return -EBUSY;
	}
	if (!vgpu_egl_ok(err, errlen)) {
		vgpu_free(NULL);
		return -ENOTSUP;
	}
	g = calloc(1, sizeof(*g));
	if (g) {
		g->ctxs = calloc(VGPU_MAX_CONTEXTS, sizeof(*g->ctxs));
		g->fences = calloc(VGPU_MAX_FENCES, sizeof(*g->fences));
	}
	if (!g || !g->ctxs || !g->fences) {
		vgpu_free(g);
		snprintf(err, errlen, "virgl renderer: out of memory");
		return -ENOMEM;
	}
	g->env = *env;
	g->cb.version = 1;
	g->cb.write_fence = vgpu_write_fence;
	virgl_set_debug_callback(vgpu_debug);
	/* The EGL context becomes current on this thread: every later op must run here too. */
	ret = virgl_renderer_init(g, VIRGL_RENDERER_USE_EGL | VIRGL_RENDERER_USE_SURFACELESS | VIRGL_RENDERER_THREAD_SYNC,
				  &g->cb);
	if (ret) {
		snprintf(err, errlen,
			 "virglrenderer could not start (error %d): EGL opened no surfaceless display with OpenGL "
			 "(Mesa's drivers: libgl1-mesa-dri; llvmpipe needs no /dev/dri)",
			 ret);
		vgpu_free(g);
		return -ENOTSUP;
	}
	vgpu_pin_drivers();
	*out = g;
	return 0;
}

static void vgpu_destroy(void *b)
{
	if (!b)
		return;
	virgl_renderer_cleanup(b);
	vgpu_free(b);
}

/* --- resources ------------------------------------------------------------------------ */

/* Remembers resource @id for a reset; false when out of memory. */
static bool vgpu_res_add(struct vgpu *g, uint32_t id)
{
	if (g->nres == g->res_cap) {
		unsigned int cap = g->res_cap ? g->res_cap * 2 : 64;
		uint32_t *res = realloc(g->res, cap * sizeof(*res));

		if (!res)
			return false;
		g->res = res;
		g->res_cap = cap;
	}
	g->res[g->nres++] = id;
	return true;
}

static uint32_t vgpu_resource_create(void *b, struct gpu_resource *r)
{
	struct vgpu *g = b;
	struct virgl_renderer_resource_create_args a = { .handle = r->id };
	uint32_t resp;

	if (r->is_3d) {
		const struct virtio_gpu_resource_create_3d *c = &r->create_3d;

		resp = gpu_virgl_resource_ok(c);
		if (resp != VIRTIO_GPU_RESP_OK_NODATA)
			return resp;
		a.target = c->target;
		a.format = c->format;
		a.bind = c->bind;
		a.width = c->width;
		a.height = c->height;
		a.depth = c->depth;
		a.array_size = c->array_size;
		a.last_level = c->last_level;
		a.nr_samples = c->nr_samples;
		a.flags = c->flags;
	} else {
		/* The 2D formats are virgl's formats by number. */
		if (!gpu_format_bpp(r->format))
			return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
		a.target = PIPE_TEXTURE_2D;
		a.format = r->format;
		a.bind = VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW;
		a.width = r->width;
		a.height = r->height;
		a.depth = 1;
		a.array_size = 1;
	}
	if (!vgpu_res_add(g, r->id))
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	resp = vgpu_err(virgl_renderer_resource_create(&a, NULL, 0));
	if (resp != VIRTIO_GPU_RESP_OK_NODATA)
		g->nres--;
	return resp;
}

/* Output @i shows a @w x @h image from now on (0 x 0: nothing). */
static void vgpu_set_mode(struct vgpu *g, unsigned int i, uint32_t w, uint32_t h)
{
	if (g->env.display->ops->set_mode)
		g->env.display->ops->set_mode(g->env.display->opaque, i, w, h);
}

/* Output @i no longer shows anything. */
static void vgpu_scanout_off(struct vgpu *g, unsigned int i)
{
	memset(&g->scanouts[i], 0, sizeof(g->scanouts[i]));
	vgpu_set_mode(g, i, 0, 0);
}

/*
 * Forgets every context and resource one by one. Not virgl_renderer_reset: after it, virglrenderer
 * 0.10.4's poll fd never becomes readable again (its fence thread no longer signals it), and a
 * guest driver resets the device before its first command. The fences that wait are dropped (the
 * front end answers their requests): virglrenderer may still report them, which finds nothing.
 */
static void vgpu_reset(void *b)
{
	struct vgpu *g = b;

	for (unsigned int i = 0; i < g->nctxs; i++)
		virgl_renderer_context_destroy(g->ctxs[i].id);
	for (unsigned int i = 0; i < g->nres; i++) {
		virgl_renderer_resource_detach_iov((int)g->res[i], NULL, NULL);
		virgl_renderer_resource_unref(g->res[i]);
	}
	g->nctxs = 0;
	g->nres = 0;
	g->nfences = 0;
	for (unsigned int i = 0; i < g->env.outputs && i < DISPLAY_MAX_OUTPUTS; i++) {
		if (g->scanouts[i].res_id)
			vgpu_scanout_off(g, i);
	}
}

static void vgpu_resource_destroy(void *b, struct gpu_resource *r)
{
	struct vgpu *g = b;

	for (unsigned int i = 0; i < g->env.outputs && i < DISPLAY_MAX_OUTPUTS; i++)
		if (g->scanouts[i].res_id == r->id)
			vgpu_scanout_off(g, i);
	for (unsigned int i = 0; i < g->nres; i++) {
		if (g->res[i] == r->id) {
			g->res[i] = g->res[--g->nres];
			break;
		}
	}
	if (r->backing)
		virgl_renderer_resource_detach_iov((int)r->id, NULL, NULL);
	virgl_renderer_resource_unref(r->id);
}

static uint32_t vgpu_attach_backing(void *b, struct gpu_resource *r)
{
	(void)b;
	if (!r->backing || !r->nbacking)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	return vgpu_err(virgl_renderer_resource_attach_iov((int)r->id, r->backing, (int)r->nbacking));
}

static void vgpu_detach_backing(void *b, struct gpu_resource *r)
{
	(void)b;
	virgl_renderer_resource_detach_iov((int)r->id, NULL, NULL);
}

/* Grows the staging buffers to @npix pixels of @bpp bytes; false when out of memory. */
static bool vgpu_stage(struct vgpu *g, size_t npix, unsigned int bpp)
{
	void *raw;
	uint32_t *argb;

	if (npix * bpp > g->raw_bytes) {
		raw = realloc(g->raw, npix * bpp);
		if (!raw)
			return false;
		g->raw = raw;
		g->raw_bytes = npix * bpp;
	}
	if (npix > g->argb_pixels) {
		argb = realloc(g->argb, npix * sizeof(uint32_t));
		if (!argb)
			return false;
		g->argb = argb;
		g->argb_pixels = npix;
	}
	return true;
}

/* Reads @box (z 0, depth 1) of level 0 of @r back as ARGB words into g->argb, rows box->w words apart. */
static uint32_t vgpu_read_argb(struct vgpu *g, struct gpu_resource *r, struct virgl_box *box)
{
	unsigned int bpp = gpu_format_bpp(r->format);
	size_t npix = (size_t)box->w * box->h;
	struct iovec iov;
	int ret;

	if (!bpp)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!vgpu_stage(g, npix, bpp))
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	iov.iov_base = g->raw;
	iov.iov_len = npix * bpp;
	ret = virgl_renderer_transfer_read_iov(r->id, 0, 0, box->w * bpp, 0, box, 0, &iov, 1);
	if (ret)
		return vgpu_err(ret);
	gpu_format_to_argb(r->format, g->raw, g->argb, npix);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* Sends @rect of @r, clipped to what output @i shows of it, to the display. */
static uint32_t vgpu_flush_out(struct vgpu *g, unsigned int i, struct gpu_resource *r,
			       const struct virtio_gpu_rect *rect)
{
	const struct vgpu_scanout *s = &g->scanouts[i];
	const struct display_sink_ops *d = g->env.display->ops;
	uint64_t x0, y0, x1, y1;
	struct virgl_box box;
	uint32_t resp;

	/* in 64 bits */
	x0 = rect->x > s->rect.x ? rect->x : s->rect.x;
	y0 = rect->y > s->rect.y ? rect->y : s->rect.y;
	x1 = (uint64_t)rect->x + rect->width;
	if (x1 > (uint64_t)s->rect.x + s->rect.width)
		x1 = (uint64_t)s->rect.x + s->rect.width;
	y1 = (uint64_t)rect->y + rect->height;
	if (y1 > (uint64_t)s->rect.y + s->rect.height)
		y1 = (uint64_t)s->rect.y + s->rect.height;
	if (x0 >= x1 || y0 >= y1 || x1 > r->width || y1 > r->height || !d->update)
		return VIRTIO_GPU_RESP_OK_NODATA;
	box = (struct virgl_box){ (uint32_t)x0, (uint32_t)y0, 0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0), 1 };
	resp = vgpu_read_argb(g, r, &box);
	if (resp == VIRTIO_GPU_RESP_OK_NODATA)
		d->update(g->env.display->opaque, i, g->argb, box.w * 4u, box.x - s->rect.x, box.y - s->rect.y, box.w,
			  box.h);
	return resp;
}

static uint32_t vgpu_set_scanout(void *b, unsigned int out, struct gpu_resource *r, const struct virtio_gpu_rect *rect)
{
	struct vgpu *g = b;
	struct vgpu_scanout *s;

	if (out >= g->env.outputs || out >= DISPLAY_MAX_OUTPUTS)
		return VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	s = &g->scanouts[out];
	if (!r) {
		if (s->res_id)
			vgpu_scanout_off(g, out);
		return VIRTIO_GPU_RESP_OK_NODATA;
	}
	if (!gpu_format_bpp(r->format) || !rect->width || !rect->height || (uint64_t)rect->x + rect->width > r->width ||
	    (uint64_t)rect->y + rect->height > r->height)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!s->res_id || s->rect.width != rect->width || s->rect.height != rect->height)
		vgpu_set_mode(g, out, rect->width, rect->height);
	s->res_id = r->id;
	s->rect = *rect;
	/* what the resource holds now, as the 2D renderer shows it */
	return vgpu_flush_out(g, out, r, rect);
}

static uint32_t vgpu_resource_flush(void *b, struct gpu_resource *r, const struct virtio_gpu_rect *rect)
{
	struct vgpu *g = b;

	for (unsigned int i = 0; i < g->env.outputs && i < DISPLAY_MAX_OUTPUTS; i++) {
		uint32_t resp;

		if (g->scanouts[i].res_id != r->id)
			continue;
		resp = vgpu_flush_out(g, i, r, rect);
		if (resp != VIRTIO_GPU_RESP_OK_NODATA)
			return resp;
	}
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t vgpu_cursor_image(void *b, struct gpu_resource *r, uint32_t *argb)
{
	struct vgpu *g = b;
	struct virgl_box box = { 0, 0, 0, DISPLAY_CURSOR_SIZE, DISPLAY_CURSOR_SIZE, 1 };
	uint32_t resp;

	if (r->width < DISPLAY_CURSOR_SIZE || r->height < DISPLAY_CURSOR_SIZE)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	resp = vgpu_read_argb(g, r, &box);
	if (resp == VIRTIO_GPU_RESP_OK_NODATA)
		memcpy(argb, g->argb, DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE * sizeof(uint32_t));
	return resp;
}

/* --- 3D ------------------------------------------------------------------------------- */

static unsigned int vgpu_num_capsets(void *b)
{
	uint32_t ver = 0, size = 0;

	(void)b;
	virgl_renderer_get_cap_set(VIRTIO_GPU_CAPSET_VIRGL2, &ver, &size);
	return size ? 2 : 1;
}

static uint32_t vgpu_capset_info(void *b, uint32_t index, uint32_t *id, uint32_t *max_version, uint32_t *max_size)
{
	if (index >= vgpu_num_capsets(b))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	*id = index ? VIRTIO_GPU_CAPSET_VIRGL2 : VIRTIO_GPU_CAPSET_VIRGL;
	*max_version = 0;
	*max_size = 0;
	virgl_renderer_get_cap_set(*id, max_version, max_size);
	return *max_size ? VIRTIO_GPU_RESP_OK_NODATA : VIRTIO_GPU_RESP_ERR_UNSPEC;
}

static uint32_t vgpu_capset(void *b, uint32_t id, uint32_t version, void *buf, size_t len, size_t *used)
{
	uint32_t max_version = 0, max_size = 0;

	(void)b;
	if (id != VIRTIO_GPU_CAPSET_VIRGL && id != VIRTIO_GPU_CAPSET_VIRGL2)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	virgl_renderer_get_cap_set(id, &max_version, &max_size);
	if (!max_size || version > max_version || len < max_size)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	memset(buf, 0, max_size);
	virgl_renderer_fill_caps(id, version, buf);
	*used = max_size;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* The slot of context @ctx_id in g->ctxs, or -1. */
static int vgpu_ctx_find(const struct vgpu *g, uint32_t ctx_id)
{
	for (unsigned int i = 0; i < g->nctxs; i++)
		if (g->ctxs[i].id == ctx_id)
			return (int)i;
	return -1;
}

static uint32_t vgpu_ctx_create(void *b, uint32_t ctx_id, uint32_t context_init, const char *name, size_t nlen)
{
	struct vgpu *g = b;
	uint32_t capset = context_init & VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK;
	int ret;

	if (!ctx_id || ctx_id > INT32_MAX || vgpu_ctx_find(g, ctx_id) >= 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if (capset && capset != VIRTIO_GPU_CAPSET_VIRGL && capset != VIRTIO_GPU_CAPSET_VIRGL2)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (context_init & ~(uint32_t)VIRGL_RENDERER_CONTEXT_FLAG_CAPSET_ID_MASK)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (nlen > sizeof(((struct virtio_gpu_ctx_create *)0)->debug_name))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (g->nctxs >= VGPU_MAX_CONTEXTS)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	if (capset)
		ret = virgl_renderer_context_create_with_flags(ctx_id, context_init, (uint32_t)nlen, name);
	else
		ret = virgl_renderer_context_create(ctx_id, (uint32_t)nlen, name);
	if (ret)
		return vgpu_err(ret);
	g->ctxs[g->nctxs++] = (struct vgpu_ctx){ .id = ctx_id };
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t vgpu_ctx_destroy(void *b, uint32_t ctx_id)
{
	struct vgpu *g = b;
	int i = vgpu_ctx_find(g, ctx_id);

	if (i < 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	g->ctxs[i] = g->ctxs[--g->nctxs];
	virgl_renderer_context_destroy(ctx_id);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t vgpu_ctx_resource(void *b, uint32_t ctx_id, struct gpu_resource *r, bool attach)
{
	struct vgpu *g = b;

	if (vgpu_ctx_find(g, ctx_id) < 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if (attach)
		virgl_renderer_ctx_attach_resource((int)ctx_id, (int)r->id);
	else
		virgl_renderer_ctx_detach_resource((int)ctx_id, (int)r->id);
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t vgpu_transfer_to_host_2d(void *b, struct gpu_resource *r, const struct virtio_gpu_rect *rect,
					 uint64_t offset)
{
	uint64_t stride = (uint64_t)r->width * gpu_format_bpp(r->format);
	/* The rows in the backing are the resource's rows: say so rather than let virglrenderer guess. */
	struct virtio_gpu_transfer_host_3d t = {
		.box = { rect->x, rect->y, 0, rect->width, rect->height, 1 },
		.offset = offset,
		.stride = (uint32_t)stride,
	};

	struct virgl_box box = { rect->x, rect->y, 0, rect->width, rect->height, 1 };

	(void)b;
	/* The front end checked the rectangle and the backing; virglrenderer gets nothing it could misread. */
	if (!stride || stride > UINT32_MAX || !gpu_virgl_transfer_ok(r, &t))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	return vgpu_err(virgl_renderer_transfer_write_iov(r->id, 0, 0, t.stride, 0, &box, offset, r->backing,
							  r->nbacking));
}

static uint32_t vgpu_transfer_3d(void *b, uint32_t ctx_id, struct gpu_resource *r,
				 const struct virtio_gpu_transfer_host_3d *t, bool to_host)
{
	struct vgpu *g = b;
	struct virgl_box box = { t->box.x, t->box.y, t->box.z, t->box.w, t->box.h, t->box.d };
	int ret;

	if (ctx_id && vgpu_ctx_find(g, ctx_id) < 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if (!gpu_virgl_transfer_ok(r, t))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (to_host)
		ret = virgl_renderer_transfer_write_iov(r->id, ctx_id, (int)t->level, t->stride, t->layer_stride, &box,
							t->offset, r->backing, r->nbacking);
	else
		ret = virgl_renderer_transfer_read_iov(r->id, ctx_id, t->level, t->stride, t->layer_stride, &box,
						       t->offset, r->backing, (int)r->nbacking);
	return vgpu_err(ret);
}

static uint32_t vgpu_submit_3d(void *b, uint32_t ctx_id, void *cmds, uint32_t size)
{
	struct vgpu *g = b;
	int i = vgpu_ctx_find(g, ctx_id);

	if (i < 0)
		return VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID;
	if (size % 4 || (size && !cmds) || (uintptr_t)cmds % 4)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (!size)
		return VIRTIO_GPU_RESP_OK_NODATA;
	if (!gpu_virgl_stream_framed(cmds, size / 4))
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	if (g->ctxs[i].failed)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	/* virglrenderer decodes every word itself; a stream it rejects is the guest's error. */
	if (virgl_renderer_submit_cmd(cmds, (int)ctx_id, (int)(size / 4))) {
		log_debug("virgl: context %u's stream was rejected: the context renders nothing from now on", ctx_id);
		g->ctxs[i].failed = true;
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	}
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static uint32_t vgpu_create_fence(void *b, uint32_t ctx_id, uint64_t fence_id)
{
	struct vgpu *g = b;
	uint32_t seq;
	int ret;

	/* A fence of a command whose context is gone (a fenced CTX_DESTROY) waits on the device's timeline. */
	if (ctx_id && vgpu_ctx_find(g, ctx_id) < 0)
		ctx_id = 0;
	if (g->nfences >= VGPU_MAX_FENCES)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	/* virglrenderer's fence ids are 31 bits and retire in order: keel's own sequence, the driver's id beside it. */
	seq = ++g->fence_seq & INT32_MAX;
	if (!seq)
		seq = g->fence_seq = 1;
	g->fences[g->nfences++] = (struct vgpu_fence){ seq, fence_id };
	ret = virgl_renderer_create_fence((int)seq, ctx_id);
	if (ret) {
		g->nfences--;
		return vgpu_err(ret);
	}
	return VIRTIO_GPU_RESP_OK_NODATA;
}

static int vgpu_poll_fd(void *b)
{
	(void)b;
	return virgl_renderer_get_poll_fd();
}

static void vgpu_poll(void *b)
{
	(void)b;
	virgl_renderer_poll();
}

const struct gpu_backend_ops gpu_virgl_backend = {
	.name = "virgl",
	.create = vgpu_create,
	.destroy = vgpu_destroy,
	.reset = vgpu_reset,
	.resource_create = vgpu_resource_create,
	.resource_destroy = vgpu_resource_destroy,
	.attach_backing = vgpu_attach_backing,
	.detach_backing = vgpu_detach_backing,
	.transfer_to_host_2d = vgpu_transfer_to_host_2d,
	.set_scanout = vgpu_set_scanout,
	.resource_flush = vgpu_resource_flush,
	.cursor_image = vgpu_cursor_image,
	.num_capsets = vgpu_num_capsets,
	.capset_info = vgpu_capset_info,
	.capset = vgpu_capset,
	.ctx_create = vgpu_ctx_create,
	.ctx_destroy = vgpu_ctx_destroy,
	.ctx_resource = vgpu_ctx_resource,
	.transfer_3d = vgpu_transfer_3d,
	.submit_3d = vgpu_submit_3d,
	.create_fence = vgpu_create_fence,
	.poll_fd = vgpu_poll_fd,
	.poll = vgpu_poll,
};

#else /* !KEEL_HAVE_VIRGLRENDERER */

static int vgpu_create(const struct gpu_backend_env *env, void **out, char *err, size_t errlen)
{
	(void)env;
	*out = NULL;
	snprintf(err, errlen, "keel was built without virglrenderer (Debian's libvirglrenderer-dev)");
	return -ENOTSUP;
}

static void vgpu_destroy(void *b)
{
	(void)b;
}

const struct gpu_backend_ops gpu_virgl_backend = {
	.name = "virgl",
	.create = vgpu_create,
	.destroy = vgpu_destroy,
};

#endif
