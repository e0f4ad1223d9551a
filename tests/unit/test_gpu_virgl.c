/* Unit tests of the virgl renderer (devices/virtio/gpu_virgl.c) driven directly on llvmpipe: 2D through a flush into a fake display, a virgl CLEAR read back, fences, hostile streams and transfers. */
#include "tests/unit/suites.h"

#include "devices/virtio/gpu_backend.h"
#include "devices/virtio/gpu_virgl_check.h"
#include "devices/virtio/virgl_proto.h"
#include "keel-config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OK VIRTIO_GPU_RESP_OK_NODATA
#define EPARAM VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER
#define ECTX VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID
#define MAX_FENCES 64u
#define CLEAR_WORDS 20u		/* a surface, the framebuffer state and a CLEAR */

/* A display that keeps each output's image and counts the calls. */
struct fake_display {
	uint32_t w[DISPLAY_MAX_OUTPUTS], h[DISPLAY_MAX_OUTPUTS];
	uint32_t *fb[DISPLAY_MAX_OUTPUTS];
	unsigned int modes, updates;
	uint64_t fences[MAX_FENCES];	/* fence_done's ids, in order */
	unsigned int nfences;
};

static void fd_set_mode(void *opaque, unsigned int out, uint32_t w, uint32_t h)
{
	struct fake_display *d = opaque;

	ck_assert_uint_lt(out, DISPLAY_MAX_OUTPUTS);
	free(d->fb[out]);
	d->fb[out] = calloc((size_t)w * h + 1, sizeof(uint32_t));
	ck_assert_ptr_nonnull(d->fb[out]);
	d->w[out] = w;
	d->h[out] = h;
	d->modes++;
}

static void fd_update(void *opaque, unsigned int out, const uint32_t *pixels, uint32_t stride, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h)
{
	struct fake_display *d = opaque;

	ck_assert_uint_lt(out, DISPLAY_MAX_OUTPUTS);
	ck_assert_uint_le((uint64_t)x + w, d->w[out]);
	ck_assert_uint_le((uint64_t)y + h, d->h[out]);
	for (uint32_t r = 0; r < h; r++)
		memcpy(&d->fb[out][(size_t)(y + r) * d->w[out] + x], (const uint8_t *)pixels + (size_t)r * stride,
		       (size_t)w * 4);
	d->updates++;
}

static const struct display_sink_ops fake_display_ops = {
	.set_mode = fd_set_mode,
	.update = fd_update,
};

static void fake_fence_done(void *opaque, uint64_t fence_id)
{
	struct fake_display *d = opaque;

	ck_assert_uint_lt(d->nfences, MAX_FENCES);
	d->fences[d->nfences++] = fence_id;
}

static struct fake_display disp;
static struct display_port port;
static const struct gpu_backend_ops *ops = &gpu_virgl_backend;
static void *gpu;

static void setup(void)
{
	struct gpu_backend_env env = {
		.display = &port,
		.outputs = 2,
		.fence_done = fake_fence_done,
		.opaque = &disp,
	};
	char err[256] = "";
	int ret;

	memset(&disp, 0, sizeof(disp));
	port = (struct display_port){ .ops = &fake_display_ops, .opaque = &disp };
	ret = ops->create(&env, &gpu, err, sizeof(err));
	/* No silent pass where virglrenderer cannot start: say why. */
	ck_assert_msg(ret == 0, "virgl renderer did not start here (%d): %s", ret, err);
}

static void teardown(void)
{
	ops->destroy(gpu);
	gpu = NULL;
	for (unsigned int i = 0; i < DISPLAY_MAX_OUTPUTS; i++)
		free(disp.fb[i]);
}

/* A resource as the front end would hand it over, its backing @nbuf bytes of @buf in two pieces. */
struct res {
	struct gpu_resource r;
	struct iovec iov[2];
	uint8_t *buf;
};

static void res_backing(struct res *s, size_t bytes)
{
	s->buf = calloc(1, bytes);
	ck_assert_ptr_nonnull(s->buf);
	/* two pieces split off a pixel boundary, as guest pages would be */
	s->iov[0] = (struct iovec){ s->buf, bytes / 2 + 3 };
	s->iov[1] = (struct iovec){ s->buf + bytes / 2 + 3, bytes - (bytes / 2 + 3) };
	s->r.backing = s->iov;
	s->r.nbacking = 2;
	s->r.backing_bytes = bytes;
	ck_assert_uint_eq(ops->attach_backing(gpu, &s->r), OK);
}

static void res_2d(struct res *s, uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	memset(s, 0, sizeof(*s));
	s->r = (struct gpu_resource){ .id = id, .format = format, .width = w, .height = h };
	ck_assert_uint_eq(ops->resource_create(gpu, &s->r), OK);
	res_backing(s, (size_t)w * h * 4);
}

/* A 3D resource of @target and @format, @w x @h, with a backing of @bytes. */
static void res_3d_as(struct res *s, uint32_t id, uint32_t target, uint32_t format, uint32_t bind, uint32_t w,
		      uint32_t h, size_t bytes)
{
	memset(s, 0, sizeof(*s));
	s->r = (struct gpu_resource){ .id = id, .format = format, .width = w, .height = h, .is_3d = true };
	s->r.create_3d = (struct virtio_gpu_resource_create_3d){ .resource_id = id, .target = target, .format = format,
								 .bind = bind, .width = w, .height = h, .depth = 1,
								 .array_size = 1 };
	ck_assert_uint_eq(ops->resource_create(gpu, &s->r), OK);
	res_backing(s, bytes);
}

/* A 2D render target of 32-bit @format, backed tightly. */
static void res_3d(struct res *s, uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	res_3d_as(s, id, PIPE_TEXTURE_2D, format, VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW, w, h,
		  (size_t)w * h * 4);
}

static void res_free(struct res *s)
{
	ops->detach_backing(gpu, &s->r);
	ops->resource_destroy(gpu, &s->r);
	free(s->buf);
}

/* The words that clear resource @res_id (in the context) to RGBA (0x33, 0x66, 0x99, 0xff) through surface @surf. */
static unsigned int clear_stream(uint32_t *w, uint32_t res_id, uint32_t format, uint32_t surf)
{
	unsigned int n = 0;

	w[n++] = VIRGL_CMD0(VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_SURFACE, VIRGL_OBJ_SURFACE_SIZE);
	w[n++] = surf;
	w[n++] = res_id;
	w[n++] = format;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = VIRGL_CMD0(VIRGL_CCMD_SET_FRAMEBUFFER_STATE, 0, VIRGL_SET_FRAMEBUFFER_STATE_SIZE(1));
	w[n++] = 1;
	w[n++] = 0;
	w[n++] = surf;
	w[n++] = VIRGL_CMD0(VIRGL_CCMD_CLEAR, 0, VIRGL_OBJ_CLEAR_SIZE);
	w[n++] = PIPE_CLEAR_COLOR0;
	w[n++] = VIRGL_F32_0_2;
	w[n++] = VIRGL_F32_0_4;
	w[n++] = VIRGL_F32_0_6;
	w[n++] = VIRGL_F32_1_0;
	w[n++] = 0;
	w[n++] = 0;
	w[n++] = 0;
	ck_assert_uint_le(n, CLEAR_WORDS);
	return n;
}

/* Waits (5 s at most) until fence_done has reported @n fences. */
static void wait_fences(unsigned int n)
{
	struct timespec t0, t;
	int fd = ops->poll_fd(gpu);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (disp.nfences < n) {
		/* as the device's render thread does: poll() once the descriptor is readable */
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, 50) == 1)
				ops->poll(gpu);
		} else {
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
			ops->poll(gpu);
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		ck_assert_msg(t.tv_sec - t0.tv_sec < 5, "fences: %u of %u after 5 s", disp.nfences, n);
	}
}

/* Reads all of 3D resource @s back into its backing and checks every pixel is the clear colour (B8G8R8A8 bytes). */
static void check_cleared(struct res *s, uint32_t ctx)
{
	struct virtio_gpu_transfer_host_3d t = {
		.box = { 0, 0, 0, s->r.width, s->r.height, 1 },
		.stride = s->r.width * 4,
	};
	static const uint8_t want[4] = { 0x99, 0x66, 0x33, 0xff };

	memset(s->buf, 0, s->r.backing_bytes);
	ck_assert_uint_eq(ops->transfer_3d(gpu, ctx, &s->r, &t, false), OK);
	for (size_t i = 0; i < (size_t)s->r.width * s->r.height; i++)
		ck_assert_msg(!memcmp(s->buf + i * 4, want, 4), "pixel %zu: %02x %02x %02x %02x", i, s->buf[i * 4],
			      s->buf[i * 4 + 1], s->buf[i * 4 + 2], s->buf[i * 4 + 3]);
}

/* Clears @s through context @ctx with fence @fence and waits for it. */
static void clear_and_wait(struct res *s, uint32_t ctx, uint32_t surf, uint64_t fence)
{
	uint32_t w[CLEAR_WORDS];
	unsigned int n = clear_stream(w, s->r.id, VIRGL_FORMAT_B8G8R8A8_UNORM, surf);
	unsigned int before = disp.nfences;

	ck_assert_uint_eq(ops->submit_3d(gpu, ctx, w, n * 4), OK);
	ck_assert_uint_eq(ops->create_fence(gpu, ctx, fence), OK);
	wait_fences(before + 1);
	ck_assert_uint_eq(disp.fences[before], fence);
}

START_TEST(init_and_capsets)
{
	uint32_t id, ver, size;
	size_t used = 0;
	uint8_t *caps;
	void *second = NULL;
	char err[256] = "";
	struct gpu_backend_env env = { .display = &port, .outputs = 1, .fence_done = fake_fence_done, .opaque = &disp };

	ck_assert_str_eq(ops->name, "virgl");
	ck_assert_uint_eq(ops->num_capsets(gpu), 2);
	ck_assert_uint_eq(ops->capset_info(gpu, 0, &id, &ver, &size), OK);
	ck_assert_uint_eq(id, VIRTIO_GPU_CAPSET_VIRGL);
	ck_assert_uint_ge(ver, 1);
	ck_assert_uint_gt(size, 0);
	ck_assert_uint_eq(ops->capset_info(gpu, 1, &id, &ver, &size), OK);
	ck_assert_uint_eq(id, VIRTIO_GPU_CAPSET_VIRGL2);
	ck_assert_uint_eq(ops->capset_info(gpu, 2, &id, &ver, &size), EPARAM);
	caps = calloc(1, size);
	ck_assert_ptr_nonnull(caps);
	ck_assert_uint_eq(ops->capset(gpu, VIRTIO_GPU_CAPSET_VIRGL2, ver, caps, size, &used), OK);
	ck_assert_uint_eq(used, size);
	ck_assert_uint_ne(caps[0] | caps[1] | caps[2] | caps[3], 0);	/* max_version is first */
	ck_assert_uint_eq(ops->capset(gpu, VIRTIO_GPU_CAPSET_VIRGL2, ver, caps, size - 1, &used), EPARAM);
	ck_assert_uint_eq(ops->capset(gpu, VIRTIO_GPU_CAPSET_VIRGL2, ver + 1, caps, size, &used), EPARAM);
	ck_assert_uint_eq(ops->capset(gpu, 9, 0, caps, size, &used), EPARAM);
	free(caps);
	/* virglrenderer is one per process */
	ck_assert_int_eq(ops->create(&env, &second, err, sizeof(err)), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "already in use"));
}
END_TEST

START_TEST(flush_2d_exact_pixels)
{
	struct res s;
	const uint32_t W = 40, H = 24;
	struct virtio_gpu_rect all = { 0, 0, W, H }, part = { 5, 3, 17, 9 };

	res_2d(&s, 7, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	for (uint32_t i = 0; i < W * H; i++) {
		uint32_t px = 0x5a000000u | (i * 2654435761u >> 8);	/* X byte set: the display must see 0xff */

		memcpy(s.buf + i * 4, &px, 4);
	}
	/* the output shows what the resource holds at once: nothing transferred yet, black */
	ck_assert_uint_eq(ops->set_scanout(gpu, 0, &s.r, &all), OK);
	ck_assert_uint_eq(disp.w[0], W);
	ck_assert_uint_eq(disp.h[0], H);
	ck_assert_uint_eq(disp.updates, 1);
	ck_assert_uint_eq(disp.fb[0][W * H - 1], 0xff000000u);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &s.r, &all, 0), OK);
	/* a part first: only it reaches the display */
	ck_assert_uint_eq(ops->resource_flush(gpu, &s.r, &part), OK);
	ck_assert_uint_eq(disp.updates, 2);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			uint32_t px, got = disp.fb[0][y * W + x];
			bool in = x >= part.x && x < part.x + part.width && y >= part.y && y < part.y + part.height;

			memcpy(&px, s.buf + (y * W + x) * 4, 4);
			ck_assert_msg(got == (in ? (px | 0xff000000u) : 0xff000000u), "(%u,%u): %08x", x, y, got);
		}
	/* then a rectangle written at an offset, and the whole */
	memset(s.buf + (2 * W + 1) * 4, 0x11, 4);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &s.r, &(struct virtio_gpu_rect){ 1, 2, 1, 1 }, (2 * W + 1) * 4),
			  OK);
	ck_assert_uint_eq(ops->resource_flush(gpu, &s.r, &all), OK);
	for (uint32_t i = 0; i < W * H; i++) {
		uint32_t px;

		memcpy(&px, s.buf + i * 4, 4);
		ck_assert_uint_eq(disp.fb[0][i], px | 0xff000000u);
	}
	ck_assert_uint_eq(disp.fb[0][2 * W + 1], 0xff111111u);
	/* output 1 shows a window of it: its coordinates are the window's */
	ck_assert_uint_eq(ops->set_scanout(gpu, 1, &s.r, &(struct virtio_gpu_rect){ 10, 10, 8, 8 }), OK);
	ck_assert_uint_eq(ops->resource_flush(gpu, &s.r, &all), OK);
	for (uint32_t y = 0; y < 8; y++)
		for (uint32_t x = 0; x < 8; x++)
			ck_assert_uint_eq(disp.fb[1][y * 8 + x], disp.fb[0][(y + 10) * W + x + 10]);
	ck_assert_uint_eq(ops->set_scanout(gpu, 2, &s.r, &all), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	ck_assert_uint_eq(ops->set_scanout(gpu, 0, &s.r, &(struct virtio_gpu_rect){ 1, 0, W, H }), EPARAM);
	ck_assert_uint_eq(ops->set_scanout(gpu, 1, NULL, NULL), OK);
	ck_assert_uint_eq(disp.w[1], 0);
	res_free(&s);
}
END_TEST

START_TEST(cursor_read_back)
{
	struct res s;
	uint32_t *img = calloc(64 * 64, 4);

	ck_assert_ptr_nonnull(img);
	res_2d(&s, 3, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64);
	for (uint32_t i = 0; i < 64 * 64; i++)
		memcpy(s.buf + i * 4, &(uint32_t){ (i & 1 ? 0x80000000u : 0) | i }, 4);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &s.r, &(struct virtio_gpu_rect){ 0, 0, 64, 64 }, 0), OK);
	ck_assert_uint_eq(ops->cursor_image(gpu, &s.r, img), OK);
	for (uint32_t i = 0; i < 64 * 64; i++)
		ck_assert_uint_eq(img[i], (i & 1 ? 0x80000000u : 0) | i);
	res_free(&s);
	free(img);
}
END_TEST

START_TEST(clear_3d_read_back)
{
	struct res s;

	ck_assert_uint_eq(ops->ctx_create(gpu, 1, 0, "test", 4), OK);
	res_3d(&s, 5, VIRGL_FORMAT_B8G8R8A8_UNORM, 64, 64);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 1, &s.r, true), OK);
	clear_and_wait(&s, 1, 1, 0x100000001ull);
	check_cleared(&s, 1);
	/* a 3D resource on a scanout reaches the display too */
	ck_assert_uint_eq(ops->set_scanout(gpu, 0, &s.r, &(struct virtio_gpu_rect){ 0, 0, 64, 64 }), OK);
	ck_assert_uint_eq(ops->resource_flush(gpu, &s.r, &(struct virtio_gpu_rect){ 0, 0, 64, 64 }), OK);
	ck_assert_uint_eq(disp.fb[0][0], 0xff336699u);
	ck_assert_uint_eq(disp.fb[0][64 * 64 - 1], 0xff336699u);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 1, &s.r, false), OK);
	ck_assert_uint_eq(ops->ctx_destroy(gpu, 1), OK);
	ck_assert_uint_eq(ops->ctx_destroy(gpu, 1), ECTX);
	res_free(&s);
}
END_TEST

START_TEST(fences_in_order)
{
	ck_assert_uint_eq(ops->create_fence(gpu, 0, 10), OK);
	ck_assert_uint_eq(ops->create_fence(gpu, 0, 0xffffffff00000011ull), OK);
	ck_assert_uint_eq(ops->create_fence(gpu, 0, 12), OK);
	wait_fences(3);
	ck_assert_uint_eq(disp.fences[0], 10);
	ck_assert_uint_eq(disp.fences[1], 0xffffffff00000011ull);
	ck_assert_uint_eq(disp.fences[2], 12);
	/* a command of a context that is not there is still fenced, on the device's timeline */
	ck_assert_uint_eq(ops->create_fence(gpu, 77, 13), OK);
	wait_fences(4);
	ck_assert_uint_eq(disp.fences[3], 13);
}
END_TEST

START_TEST(garbage_stream_then_good)
{
	struct res s;
	/* a command promising more words than the stream has (virglrenderer alone would answer success) */
	uint32_t bad[8] = { VIRGL_CMD0(VIRGL_CCMD_CREATE_OBJECT, VIRGL_OBJECT_SURFACE, 0xffff), 1, 2, 3, 4, 5, 6, 7 };
	uint32_t w[CLEAR_WORDS];

	ck_assert_uint_eq(ops->ctx_create(gpu, 2, 0, "g", 1), OK);
	res_3d(&s, 9, VIRGL_FORMAT_B8G8R8A8_UNORM, 32, 32);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 2, &s.r, true), OK);
	ck_assert_uint_eq(ops->submit_3d(gpu, 2, bad, sizeof(bad)), EPARAM);
	bad[0] = VIRGL_CMD0(VIRGL_CCMD_NOP, 0, 8);	/* one word past the end */
	ck_assert_uint_eq(ops->submit_3d(gpu, 2, bad, sizeof(bad)), EPARAM);
	ck_assert_uint_eq(ops->submit_3d(gpu, 2, bad, 6), EPARAM);
	ck_assert_uint_eq(ops->submit_3d(gpu, 3, bad, sizeof(bad)), ECTX);
	/* none of those reached virglrenderer: the same context still renders */
	clear_and_wait(&s, 2, 1, 1);
	check_cleared(&s, 2);
	/* a surface of a resource the context does not have: virglrenderer refuses it, and the context for good */
	ck_assert_uint_eq(ops->submit_3d(gpu, 2, w, clear_stream(w, 4242, VIRGL_FORMAT_B8G8R8A8_UNORM, 5) * 4), EPARAM);
	ck_assert_uint_eq(ops->submit_3d(gpu, 2, w, clear_stream(w, s.r.id, VIRGL_FORMAT_B8G8R8A8_UNORM, 6) * 4),
			  EPARAM);
	/* another context renders */
	ck_assert_uint_eq(ops->ctx_create(gpu, 3, 0, "h", 1), OK);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 3, &s.r, true), OK);
	memset(s.buf, 0, s.r.backing_bytes);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 3, &s.r, &(struct virtio_gpu_transfer_host_3d){
		.box = { 0, 0, 0, 32, 32, 1 }, .stride = 128 }, true), OK);	/* black again */
	clear_and_wait(&s, 3, 1, 2);
	check_cleared(&s, 3);
	res_free(&s);
}
END_TEST

/* A tiny deterministic generator for the hostile streams. */
static uint32_t xorshift(uint32_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 17;
	*st ^= *st << 5;
	return *st;
}

START_TEST(hostile_streams_fuzz)
{
	struct res s;
	uint32_t st = 0x9e3779b9u, words[64];
	unsigned int rejected = 0;

	ck_assert_uint_eq(ops->ctx_create(gpu, 4, 0, "fuzz", 4), OK);
	res_3d(&s, 11, VIRGL_FORMAT_B8G8R8A8_UNORM, 16, 16);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 4, &s.r, true), OK);
	for (unsigned int round = 0; round < 400; round++) {
		unsigned int n = 1 + xorshift(&st) % 64, i = 0;

		/* headers that look plausible (small commands, lengths near the truth) among random words */
		while (i < n) {
			uint32_t r = xorshift(&st);
			uint32_t len = r >> 24 & 0xf;

			words[i++] = r & 1 ? r : VIRGL_CMD0(r >> 8 & 0x1f, r >> 16 & 0xf, len);
			for (uint32_t k = 0; k < len && i < n; k++)
				words[i++] = xorshift(&st) % 3 ? xorshift(&st) & 0xff : xorshift(&st);
		}
		if (ops->submit_3d(gpu, 4, words, n * 4) != OK)
			rejected++;
	}
	ck_assert_uint_gt(rejected, 0);
	/* and a fresh context still renders */
	ck_assert_uint_eq(ops->ctx_create(gpu, 5, 0, "after", 5), OK);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 5, &s.r, true), OK);
	clear_and_wait(&s, 5, 1, 99);
	check_cleared(&s, 5);
	res_free(&s);
}
END_TEST

START_TEST(transfers_out_of_range)
{
	struct res s, t2;
	struct virtio_gpu_transfer_host_3d t;
	const struct virtio_gpu_transfer_host_3d good = { .box = { 0, 0, 0, 32, 32, 1 }, .stride = 128 };

	ck_assert_uint_eq(ops->ctx_create(gpu, 6, 0, NULL, 0), OK);
	res_3d(&s, 13, VIRGL_FORMAT_B8G8R8A8_UNORM, 32, 32);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 6, &s.r, true), OK);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &s.r, &good, true), OK);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &s.r, &good, false), OK);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &s.r, &good, false), OK);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 99, &s.r, &good, false), ECTX);
#define REFUSED(field_changes)                                                              \
	do {                                                                                \
		t = good;                                                                   \
		field_changes;                                                              \
		ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &s.r, &t, true), EPARAM);        \
		ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &s.r, &t, false), EPARAM);       \
	} while (0)
	REFUSED(t.box.x = 1);				/* past the right edge */
	REFUSED(t.box.y = 0xffffffffu);			/* y + h wraps in 32 bits */
	REFUSED(t.box.x = 0xfffffff0u; t.box.w = 0x20);
	REFUSED(t.box.z = 1);				/* a 2D texture has one layer */
	REFUSED(t.box.d = 2);
	REFUSED(t.box.w = 0);
	REFUSED(t.level = 1);				/* no mip levels */
	REFUSED(t.offset = 4);				/* the last row would end past the backing */
	REFUSED(t.offset = 0xffffffffffffff00ull);
	REFUSED(t.stride = 132);
	REFUSED(t.stride = 0xffffffffu);
	REFUSED(t.box.d = 1; t.layer_stride = 0xffffffffu; t.box.h = 1; t.box.z = 0; t.box.d = 2);
#undef REFUSED
	/* a resource bigger than keel lets one driver have */
	{
		struct gpu_resource big = { .id = 16, .format = VIRGL_FORMAT_B8G8R8A8_UNORM, .width = 16384,
					    .height = 16384, .is_3d = true };

		big.create_3d = (struct virtio_gpu_resource_create_3d){ .resource_id = 16, .target = PIPE_TEXTURE_3D,
			.format = VIRGL_FORMAT_B8G8R8A8_UNORM, .bind = VIRGL_BIND_SAMPLER_VIEW, .width = 16384,
			.height = 16384, .depth = 2048, .array_size = 1 };
		ck_assert_uint_eq(ops->resource_create(gpu, &big), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
		big.create_3d.target = 77;
		ck_assert_uint_eq(ops->resource_create(gpu, &big), EPARAM);
	}
	/* a smaller box at the end of the backing is fine */
	t = good;
	t.box = (struct virtio_gpu_box){ 31, 31, 0, 1, 1, 1 };
	t.offset = s.r.backing_bytes - 4;
	ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &s.r, &t, true), OK);
	/* no backing, or a 2D resource: refused */
	res_2d(&t2, 14, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 32, 32);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &t2.r, &good, false), OK);	/* a 2D resource is a 2D texture */
	t = good;
	t.box.d = 2;
	ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &t2.r, &t, false), EPARAM);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &t2.r, &(struct virtio_gpu_rect){ 0, 0, 33, 1 }, 0), EPARAM);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &t2.r, &(struct virtio_gpu_rect){ 0, 31, 32, 1 }, 31 * 128), OK);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &t2.r, &(struct virtio_gpu_rect){ 0, 0, 32, 32 }, 4), EPARAM);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &t2.r, &(struct virtio_gpu_rect){ 1, 0, 32, 1 }, 0), EPARAM);
	ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &t2.r, &(struct virtio_gpu_rect){ 0, 0xffffffffu, 1, 2 }, 0),
			  EPARAM);
	ops->detach_backing(gpu, &s.r);
	s.r.backing = NULL;
	s.r.nbacking = 0;
	s.r.backing_bytes = 0;
	ck_assert_uint_eq(ops->transfer_3d(gpu, 6, &s.r, &good, false), EPARAM);
	res_free(&t2);
	res_free(&s);
}
END_TEST

/* The backing check knows a buffer's bytes and a wide format's pixels. */
START_TEST(transfer_formats)
{
	struct res buf, wide;
	struct virtio_gpu_transfer_host_3d t = { .box = { 0, 0, 0, 4096, 1, 1 } };

	res_3d_as(&buf, 20, PIPE_BUFFER, 64 /* R8_UNORM */, VIRGL_BIND_VERTEX_BUFFER, 4096, 1, 4096);
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &buf.r, &t, true), OK);
	t.offset = 1;
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &buf.r, &t, true), EPARAM);
	t = (struct virtio_gpu_transfer_host_3d){ .box = { 1, 0, 0, 4096, 1, 1 } };
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &buf.r, &t, true), EPARAM);
	t = (struct virtio_gpu_transfer_host_3d){ .box = { 0, 0, 0, 4096, 2, 1 } };
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &buf.r, &t, true), EPARAM);	/* a buffer has one row */
	/* R32G32B32A32_FLOAT: 16 bytes a pixel; the backing one byte short of 8 x 8 of them */
	res_3d_as(&wide, 21, PIPE_TEXTURE_2D, 31, VIRGL_BIND_SAMPLER_VIEW, 8, 8, 8 * 8 * 16 - 1);
	t = (struct virtio_gpu_transfer_host_3d){ .box = { 0, 0, 0, 8, 7, 1 }, .stride = 128 };
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &wide.r, &t, true), OK);
	t.box.h = 8;
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &wide.r, &t, true), EPARAM);
	t.box.w = 7;
	ck_assert_uint_eq(ops->transfer_3d(gpu, 0, &wide.r, &t, true), OK);
	res_free(&buf);
	res_free(&wide);
}
END_TEST

START_TEST(contexts_checked)
{
	struct res s;

	ck_assert_uint_eq(ops->ctx_create(gpu, 0, 0, NULL, 0), ECTX);
	ck_assert_uint_eq(ops->ctx_create(gpu, 8, 0, "a", 1), OK);
	ck_assert_uint_eq(ops->ctx_create(gpu, 8, 0, "a", 1), ECTX);
	ck_assert_uint_eq(ops->ctx_create(gpu, 9, 0x55, "b", 1), EPARAM);
	ck_assert_uint_eq(ops->ctx_create(gpu, 10, VIRTIO_GPU_CAPSET_VIRGL2, "c", 1), OK);
	res_2d(&s, 15, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 11, &s.r, true), ECTX);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 8, &s.r, true), OK);
	/* a reset forgets contexts and resources; their ids can be used again */
	ops->reset(gpu);
	ck_assert_uint_eq(ops->ctx_destroy(gpu, 8), ECTX);
	ck_assert_uint_eq(ops->ctx_create(gpu, 8, 0, "a", 1), OK);
	free(s.buf);
	res_2d(&s, 15, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8, 8);
	res_free(&s);
}
END_TEST

/* A reset forgets the fences that wait: the front end answers their requests itself, so none may come back later. */
START_TEST(reset_drops_fences)
{
	struct timespec t0, t;
	int fd;

	ck_assert_uint_eq(ops->create_fence(gpu, 0, 55), OK);
	ops->reset(gpu);
	fd = ops->poll_fd(gpu);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (fd < 0 || poll(&p, 1, 20) == 1)
			ops->poll(gpu);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 200);
	ck_assert_uint_eq(disp.nfences, 0);
	/* and the fences after it work */
	ck_assert_uint_eq(ops->create_fence(gpu, 0, 56), OK);
	wait_fences(1);
	ck_assert_uint_eq(disp.fences[0], 56);
}
END_TEST

/* KEEL_VIRGL_CLEARS=N: time N fenced 256x256 clears straight through the renderer (the floor under make bench-gpu). */
START_TEST(clear_rate)
{
	const char *e = getenv("KEEL_VIRGL_CLEARS");
	unsigned int n = e ? (unsigned int)strtoul(e, NULL, 10) : 3;
	struct timespec t0, t1;
	struct res s;
	uint32_t w[CLEAR_WORDS];
	unsigned int words;
	double ns;

	ck_assert_uint_eq(ops->ctx_create(gpu, 12, 0, "bench", 5), OK);
	res_3d(&s, 17, VIRGL_FORMAT_B8G8R8A8_UNORM, 256, 256);
	ck_assert_uint_eq(ops->ctx_resource(gpu, 12, &s.r, true), OK);
	words = clear_stream(w, s.r.id, VIRGL_FORMAT_B8G8R8A8_UNORM, 1);
	ck_assert_uint_eq(ops->submit_3d(gpu, 12, w, 6 * 4), OK);	/* the surface once */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < n; i++) {
		disp.nfences = 0;
		ck_assert_uint_eq(ops->submit_3d(gpu, 12, w + 6, (words - 6) * 4), OK);
		ck_assert_uint_eq(ops->create_fence(gpu, 12, i), OK);
		wait_fences(1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	if (e)
		fprintf(stderr, "virgl: %u fenced clears of 256x256 in %.0f ns: %.1f us each, %.0f per second\n", n, ns,
			ns / n / 1e3, n * 1e9 / ns);
	check_cleared(&s, 12);
	res_free(&s);
}
END_TEST

/* Without an EGL driver (glvnd finds no vendor library) create refuses with the package to install, where virglrenderer alone would crash. */
START_TEST(no_egl_driver)
{
	struct gpu_backend_env env = { .display = &port, .outputs = 1, .fence_done = fake_fence_done, .opaque = &disp };
	char err[256] = "";
	const char *mode = getenv("CK_FORK");

	if (mode && !strcmp(mode, "no"))
		return;		/* EGL reads its vendors once a process: this needs a fresh one */
	setenv("__EGL_VENDOR_LIBRARY_FILENAMES", "/nonexistent/keel-no-vendor.json", 1);
	ck_assert_int_eq(ops->create(&env, &gpu, err, sizeof(err)), -ENOTSUP);
	ck_assert_msg(strstr(err, "libegl-mesa0") != NULL, "%s", err);
	unsetenv("__EGL_VENDOR_LIBRARY_FILENAMES");
}
END_TEST

/* The checks keel makes before virglrenderer sees a request, without virglrenderer. */
START_TEST(pure_checks)
{
	uint32_t w[4] = { VIRGL_CMD0(VIRGL_CCMD_NOP, 0, 1), 0, VIRGL_CMD0(VIRGL_CCMD_NOP, 0, 0),
			  VIRGL_CMD0(VIRGL_CCMD_CLEAR, 0, 0) };
	static struct iovec iov = { NULL, 4096 };
	struct gpu_resource r = { .id = 1, .format = VIRGL_FORMAT_B8G8R8A8_UNORM, .width = 32, .height = 32,
				  .is_3d = true, .backing = &iov, .nbacking = 1, .backing_bytes = 4096 };
	struct virtio_gpu_transfer_host_3d t = { .box = { 0, 0, 0, 32, 32, 1 } };

	ck_assert(gpu_virgl_stream_framed(w, 4));
	ck_assert(gpu_virgl_stream_framed(w, 0));
	ck_assert(!gpu_virgl_stream_framed(w, 1));		/* the NOP's word is missing */
	w[3] = VIRGL_CMD0(VIRGL_CCMD_CLEAR, 0, 0xffff);
	ck_assert(!gpu_virgl_stream_framed(w, 4));
	w[3] = 0xffffffffu;
	ck_assert(!gpu_virgl_stream_framed(w, 4));

	ck_assert_uint_eq(gpu_virgl_pixel_bytes(VIRGL_FORMAT_B8G8R8X8_UNORM), 4);
	ck_assert_uint_eq(gpu_virgl_pixel_bytes(64 /* R8_UNORM */), 1);
	ck_assert_uint_eq(gpu_virgl_pixel_bytes(31 /* R32G32B32A32_FLOAT */), 16);
	ck_assert_uint_eq(gpu_virgl_pixel_bytes(108 /* DXT5 */), GPU_VIRGL_MAX_PIXEL_BYTES);
	ck_assert_uint_eq(gpu_virgl_pixel_bytes(0xffffffffu), GPU_VIRGL_MAX_PIXEL_BYTES);

	r.create_3d = (struct virtio_gpu_resource_create_3d){ .target = PIPE_TEXTURE_2D, .format = r.format,
		.width = 32, .height = 32, .depth = 1, .array_size = 1 };
	ck_assert_uint_eq(gpu_virgl_resource_ok(&r.create_3d), OK);
	ck_assert(gpu_virgl_transfer_ok(&r, &t));		/* stride 0: the level's rows */
	t.box.h = 33;
	ck_assert(!gpu_virgl_transfer_ok(&r, &t));
	t.box.h = 32;
	t.stride = 0x80000000u;
	ck_assert(!gpu_virgl_transfer_ok(&r, &t));
	t.stride = 0;
	r.create_3d.target = GPU_VIRGL_TEXTURE_2D_ARRAY;
	r.create_3d.array_size = 4;
	t.box.d = 4;
	t.layer_stride = 1024;				/* four layers of 8 rows... into 4096 bytes */
	t.box.h = 8;
	ck_assert(gpu_virgl_transfer_ok(&r, &t));
	t.layer_stride = 0xffffffffu;
	ck_assert(!gpu_virgl_transfer_ok(&r, &t));
	t.layer_stride = 0;				/* the level's layers: 4 x 4096 bytes */
	ck_assert(!gpu_virgl_transfer_ok(&r, &t));
	r.create_3d.width = 0xffffffffu;
	r.create_3d.height = 0xffffffffu;
	ck_assert_uint_eq(gpu_virgl_resource_ok(&r.create_3d), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	r.create_3d.depth = 0;
	ck_assert_uint_eq(gpu_virgl_resource_ok(&r.create_3d), EPARAM);
}
END_TEST

START_TEST(compiled_out)
{
	struct gpu_backend_env env = { .display = &port, .outputs = 1, .fence_done = fake_fence_done, .opaque = &disp };
	char err[256] = "";

	ck_assert_int_eq(ops->create(&env, &gpu, err, sizeof(err)), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err, "libvirglrenderer-dev"));
}
END_TEST

/* KEEL_VIRGL_FRAMES=N: time N full 1280x800 2D frames (TRANSFER_TO_HOST_2D, RESOURCE_FLUSH read back) in virgl mode. */
START_TEST(frame_rate_2d)
{
	const char *e = getenv("KEEL_VIRGL_FRAMES");
	unsigned int n = e ? (unsigned int)strtoul(e, NULL, 10) : 2;
	const uint32_t W = 1280, H = 800;
	struct virtio_gpu_rect all = { 0, 0, W, H };
	struct timespec t0, t1;
	struct res s;
	double ns;

	res_2d(&s, 18, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H);
	ck_assert_uint_eq(ops->set_scanout(gpu, 0, &s.r, &all), OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned int i = 0; i < n; i++) {
		memset(s.buf, (int)i, s.r.backing_bytes);
		ck_assert_uint_eq(ops->transfer_to_host_2d(gpu, &s.r, &all, 0), OK);
		ck_assert_uint_eq(ops->resource_flush(gpu, &s.r, &all), OK);
		ck_assert_uint_eq(disp.fb[0][W * H - 1], 0xff000000u | (i & 0xff) * 0x010101u);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	if (e)
		fprintf(stderr, "virgl: %u 1280x800 2D frames (fill, transfer, flush) in %.0f ns: %.2f ms each, %.1f/s\n", n,
			ns, ns / n / 1e6, n * 1e9 / ns);
	res_free(&s);
}
END_TEST

Suite *gpu_virgl_suite(void)
{
	Suite *s = suite_create("gpu_virgl");
	TCase *tc = tcase_create("virgl");

	if (!KEEL_HAVE_VIRGLRENDERER) {
		/* compiled out: create says so, and nothing else can run */
		tcase_add_test(tc, compiled_out);
		tcase_add_test(tc, pure_checks);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, init_and_capsets);
	tcase_add_test(tc, flush_2d_exact_pixels);
	tcase_add_test(tc, cursor_read_back);
	tcase_add_test(tc, clear_3d_read_back);
	tcase_add_test(tc, fences_in_order);
	tcase_add_test(tc, garbage_stream_then_good);
	tcase_add_test(tc, hostile_streams_fuzz);
	tcase_add_test(tc, transfers_out_of_range);
	tcase_add_test(tc, transfer_formats);
	tcase_add_test(tc, contexts_checked);
	tcase_add_test(tc, reset_drops_fences);
	tcase_add_test(tc, clear_rate);
	tcase_add_test(tc, frame_rate_2d);
	suite_add_tcase(s, tc);
	tc = tcase_create("checks");
	tcase_add_test(tc, pure_checks);
	suite_add_tcase(s, tc);
	tc = tcase_create("virgl-no-egl");
	tcase_add_test(tc, no_egl_driver);
	suite_add_tcase(s, tc);
	return s;
}
