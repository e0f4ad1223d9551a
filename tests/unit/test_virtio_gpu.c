/* virtio-gpu: the command front end and the 2D renderer against a recording display (pixels, EDID, every error), then the device through a transport (fences, reset in flight, faults, config), and --gpu's parsing. */
#include "tests/unit/suites.h"

#include "devices/virtio/gpu.h"
#include "devices/virtio/gpu_edid.h"
#include "devices/virtio/gpu_format.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/config.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define W 64u
#define H 48u
#define MEM_SIZE (16ull << 20)
#define BACK_GPA 0x100000ull		/* backing of resource 1, in two pieces */
#define BACK2_GPA 0x400000ull
#define FB_MAX (W * H)

/* A display that keeps what it was shown. */
struct fakedisp {
	uint32_t mode_w[DISPLAY_MAX_OUTPUTS], mode_h[DISPLAY_MAX_OUTPUTS];
	uint32_t fb[DISPLAY_MAX_OUTPUTS][FB_MAX];	/* mode_w wide */
	unsigned int updates, modes, cursors;
	int32_t cur_x, cur_y;
	uint32_t cur_hot_x, cur_hot_y;
	bool cur_visible, cur_image;
	uint32_t cur[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE];
};

static void fd_set_mode(void *o, unsigned int out, uint32_t w, uint32_t h)
{
	struct fakedisp *d = o;

	ck_assert_uint_lt(out, DISPLAY_MAX_OUTPUTS);
	ck_assert_uint_le((uint64_t)w * h, FB_MAX);
	d->mode_w[out] = w;
	d->mode_h[out] = h;
	memset(d->fb[out], 0, sizeof(d->fb[out]));
	d->modes++;
}

static void fd_update(void *o, unsigned int out, const uint32_t *px, uint32_t stride, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h)
{
	struct fakedisp *d = o;

	ck_assert_uint_le((uint64_t)x + w, d->mode_w[out]);	/* clipped to the mode */
	ck_assert_uint_le((uint64_t)y + h, d->mode_h[out]);
	for (uint32_t j = 0; j < h; j++)
		memcpy(&d->fb[out][(y + j) * d->mode_w[out] + x], (const uint8_t *)px + (size_t)j * stride, w * 4);
	d->updates++;
}

static void fd_cursor(void *o, unsigned int out, int32_t x, int32_t y, const uint32_t *image, uint32_t hx,
		      uint32_t hy, bool visible)
{
	struct fakedisp *d = o;

	(void)out;
	d->cur_x = x;
	d->cur_y = y;
	d->cur_hot_x = hx;
	d->cur_hot_y = hy;
	d->cur_visible = visible;
	d->cur_image = image != NULL;
	if (image)
		memcpy(d->cur, image, sizeof(d->cur));
	d->cursors++;
}

static const struct display_sink_ops fd_ops = { fd_set_mode, fd_update, fd_cursor };

static struct fakedisp disp;
static struct display_port port = { .ops = &fd_ops, .opaque = &disp };
static struct guest_mem mem;
static struct gpu_cmd g;
static uint8_t resp[GPU_RESP_MAX];
static struct gpu_cmd_result res;

static void cmd_setup(void)
{
	struct gpu_backend_env env = { &port, 2, NULL, NULL };
	char err[100];

	log_set_level(LOG_ERROR);
	memset(&disp, 0, sizeof(disp));
	ck_assert_int_eq(gmem_init(&mem, MEM_SIZE), 0);
	g = (struct gpu_cmd){ .name = "gpu-test", .ops = &gpu_2d_backend, .mem = &mem, .display = &port, .outputs = 2,
			      .width = W, .height = H };
	ck_assert_int_eq(gpu_2d_backend.create(&env, &g.b, err, sizeof(err)), 0);
}

static void cmd_teardown(void)
{
	gpu_cmd_reset(&g);
	gpu_2d_backend.destroy(g.b);
	gmem_destroy(&mem);
}

/* Run @len bytes of @req; the response's type. */
static uint32_t run(const void *req, size_t len)
{
	uint8_t copy[1024];

	ck_assert_uint_le(len, sizeof(copy));
	memcpy(copy, req, len);
	gpu_cmd_exec(&g, copy, len, true, resp, sizeof(resp), &res);
	return ((struct virtio_gpu_ctrl_hdr *)resp)->type;
}

#define RUN(s) run(&(s), sizeof(s))
#define HDR(t) { .type = VIRTIO_GPU_CMD_##t }

static uint32_t create(uint32_t id, uint32_t format, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_create_2d c = { HDR(RESOURCE_CREATE_2D), id, format, w, h };

	return RUN(c);
}

/* Attach @n entries (gpa, len) pairs to @id. */
static uint32_t attach(uint32_t id, unsigned int n, const uint64_t *gpa, const uint32_t *len)
{
	struct {
		struct virtio_gpu_resource_attach_backing a;
		struct virtio_gpu_mem_entry e[4];
	} c = { { HDR(RESOURCE_ATTACH_BACKING), id, n }, { { 0 } } };

	for (unsigned int i = 0; i < n; i++)
		c.e[i] = (struct virtio_gpu_mem_entry){ gpa[i], len[i], 0 };
	return run(&c, sizeof(c.a) + n * sizeof(c.e[0]));
}

static uint32_t transfer(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint64_t off)
{
	struct virtio_gpu_transfer_to_host_2d c = { HDR(TRANSFER_TO_HOST_2D), { x, y, w, h }, off, id, 0 };

	return RUN(c);
}

static uint32_t flush(uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct virtio_gpu_resource_flush c = { HDR(RESOURCE_FLUSH), { x, y, w, h }, id, 0 };

	return RUN(c);
}

static uint32_t scanout(uint32_t out, uint32_t id, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct virtio_gpu_set_scanout c = { HDR(SET_SCANOUT), { x, y, w, h }, out, id };

	return RUN(c);
}

/* The pixel the guest wrote at (@x, @y) of resource 1 as ARGB. */
static uint32_t pattern(uint32_t x, uint32_t y)
{
	return 0xff000000u | (x * 4u) << 16 | (y * 5u) << 8 | ((x ^ y) & 0xffu);
}

/* Resource 1: W x H in @format with pattern() in its backing, split in two guest ranges. */
static void resource_with_pattern(uint32_t format)
{
	uint32_t half = W * H * 2, len[2] = { half, half };
	uint64_t gpa[2] = { BACK_GPA, BACK2_GPA };

	ck_assert_uint_eq(create(1, format, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	for (uint32_t y = 0; y < H; y++) {
		for (uint32_t x = 0; x < W; x++) {
			uint32_t p = pattern(x, y), off = (y * W + x) * 4;
			uint8_t b[4] = { (uint8_t)p, (uint8_t)(p >> 8), (uint8_t)(p >> 16), (uint8_t)(p >> 24) };
			uint8_t m[4];

			if (format == VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM) {
				m[0] = b[2], m[1] = b[1], m[2] = b[0], m[3] = b[3];
			} else {
				memcpy(m, b, 4);	/* B8G8R8X8 */
			}
			ck_assert_int_eq(gmem_write(&mem, (off < half ? BACK_GPA : BACK2_GPA - half) + off, m, 4), 0);
		}
	}
	ck_assert_uint_eq(attach(1, 2, gpa, len), VIRTIO_GPU_RESP_OK_NODATA);
}

START_TEST(display_info_lists_the_outputs)
{
	struct virtio_gpu_ctrl_hdr c = HDR(GET_DISPLAY_INFO);
	const struct virtio_gpu_resp_display_info *d = (const void *)resp;

	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert_uint_eq(res.len, sizeof(*d));
	for (unsigned int i = 0; i < VIRTIO_GPU_MAX_SCANOUTS; i++) {
		ck_assert_uint_eq(d->pmodes[i].enabled, i < 2);
		ck_assert_uint_eq(d->pmodes[i].r.width, i < 2 ? W : 0);
		ck_assert_uint_eq(d->pmodes[i].r.height, i < 2 ? H : 0);
	}
}
END_TEST

START_TEST(edid_has_the_mode_and_a_checksum)
{
	struct virtio_gpu_get_edid c = { HDR(GET_EDID), 1, 0 };
	const struct virtio_gpu_resp_edid *e = (const void *)resp;
	uint8_t copy[sizeof(c)], sum = 0;

	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_OK_EDID);
	ck_assert_uint_eq(e->size, 128);
	for (unsigned int i = 0; i < 128; i++)
		sum = (uint8_t)(sum + e->edid[i]);
	ck_assert_uint_eq(sum, 0);
	ck_assert_mem_eq(e->edid, "\x00\xff\xff\xff\xff\xff\xff\x00", 8);
	ck_assert_uint_eq(e->edid[18], 1);
	ck_assert_uint_eq(e->edid[19], 4);
	ck_assert_uint_eq(e->edid[54 + 2] | (e->edid[54 + 4] >> 4) << 8, W);	/* preferred timing */
	ck_assert_uint_eq(e->edid[54 + 5] | (e->edid[54 + 7] >> 4) << 8, H);
	c.scanout = 2;
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	c.scanout = 0;
	memcpy(copy, &c, sizeof(c));
	gpu_cmd_exec(&g, copy, sizeof(c), false, resp, sizeof(resp), &res);	/* EDID not negotiated */
	ck_assert_uint_eq(((struct virtio_gpu_ctrl_hdr *)resp)->type, VIRTIO_GPU_RESP_ERR_UNSPEC);
}
END_TEST

START_TEST(edid_of_a_large_mode_is_clamped)
{
	uint8_t e[GPU_EDID_BYTES], sum = 0;

	gpu_edid_build(e, 8192, 8192, 3);
	for (unsigned int i = 0; i < GPU_EDID_BYTES; i++)
		sum = (uint8_t)(sum + e[i]);
	ck_assert_uint_eq(sum, 0);
	ck_assert_uint_eq(e[54 + 2] | (e[54 + 4] >> 4) << 8, GPU_EDID_MAX_ACTIVE);
}
END_TEST

/* Resource 1 on output 0 at (8, 4) 32 x 16: exactly that part of the pattern, in ARGB. */
static void scanout_shows_pattern(uint32_t format)
{
	resource_with_pattern(format);
	ck_assert_uint_eq(scanout(0, 1, 8, 4, 32, 16), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(disp.mode_w[0], 32);
	ck_assert_uint_eq(disp.mode_h[0], 16);
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_OK_NODATA);
	disp.updates = 0;
	ck_assert_uint_eq(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_ge(disp.updates, 1);
	for (uint32_t y = 0; y < 16; y++)
		for (uint32_t x = 0; x < 32; x++)
			ck_assert_uint_eq(disp.fb[0][y * 32 + x] | (format == VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM ? 0xff000000u : 0),
					  pattern(x + 8, y + 4));
	/* a flush outside what the output shows sends nothing */
	disp.updates = 0;
	ck_assert_uint_eq(flush(1, 48, 30, 16, 18), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(disp.updates, 0);
}

START_TEST(pixels_b8g8r8x8)
{
	scanout_shows_pattern(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
}
END_TEST

START_TEST(pixels_r8g8b8a8_converted)
{
	scanout_shows_pattern(VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM);
}
END_TEST

START_TEST(partial_transfer_takes_its_rows_from_the_offset)
{
	resource_with_pattern(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
	ck_assert_uint_eq(scanout(1, 1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	/* only the rectangle (10, 20) 5 x 3 comes from the backing; the rest stays black */
	ck_assert_uint_eq(transfer(1, 10, 20, 5, 3, (20 * W + 10) * 4), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(flush(1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++) {
			bool in = x >= 10 && x < 15 && y >= 20 && y < 23;

			ck_assert_uint_eq(disp.fb[1][y * W + x] & 0xffffffu, in ? pattern(x, y) & 0xffffffu : 0);
		}
}
END_TEST

START_TEST(format_conversion_of_each_format)
{
	static const struct {
		uint32_t f;
		uint8_t b[4];
	} t[] = {
		{ VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, { 0x33, 0x22, 0x11, 0x80 } },
		{ VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, { 0x33, 0x22, 0x11, 0x00 } },
		{ VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, { 0x80, 0x11, 0x22, 0x33 } },
		{ VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, { 0x00, 0x11, 0x22, 0x33 } },
		{ VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, { 0x11, 0x22, 0x33, 0x80 } },
		{ VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, { 0x00, 0x33, 0x22, 0x11 } },
		{ VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, { 0x80, 0x33, 0x22, 0x11 } },
		{ VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, { 0x11, 0x22, 0x33, 0x00 } },
	};
	uint32_t out;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool alpha = t[i].b[0] == 0x80 || t[i].b[3] == 0x80;

		ck_assert_uint_eq(gpu_format_bpp(t[i].f), 4);
		gpu_format_to_argb(t[i].f, t[i].b, &out, 1);
		ck_assert_uint_eq(out, (alpha ? 0x80000000u : 0xff000000u) | 0x112233u);
	}
	ck_assert_uint_eq(gpu_format_bpp(5), 0);
	gpu_format_to_argb(5, t[0].b, &out, 1);
	ck_assert_uint_eq(out, 0);
}
END_TEST

START_TEST(errors_of_resources_and_rectangles)
{
	uint64_t gpa[1] = { BACK_GPA };
	uint32_t len[1] = { W * H * 4 };

	ck_assert_uint_eq(create(0, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(create(1, 99, W, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 0x80000000u, 0x80000000u),
			  VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8192, 8193), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	/* 8192 x 8192 fits alone, but not beside another of its size */
	ck_assert_uint_eq(create(2, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 8192, 8192), VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);

	ck_assert_uint_eq(flush(7, 0, 0, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(flush(0, 0, 0, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(flush(1, 0xffffffffu, 0, 2, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(flush(1, 0, H, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);	/* no backing */
	ck_assert_uint_eq(scanout(2, 1, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	ck_assert_uint_eq(scanout(0, 1, 1, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(scanout(0, 1, 0, 0, 0, H), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(scanout(0, 9, 0, 0, W, H), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(disp.modes, 0);

	/* backing: outside RAM, empty, too many entries, short: nothing attached */
	gpa[0] = MEM_SIZE - 4096;
	ck_assert_uint_eq(attach(1, 1, gpa, len), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	gpa[0] = BACK_GPA;
	len[0] = 0;
	ck_assert_uint_eq(attach(1, 1, gpa, len), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	{
		struct virtio_gpu_resource_attach_backing a = { HDR(RESOURCE_ATTACH_BACKING), 1, GPU_RES_MAX_ENTRIES + 1 };

		ck_assert_uint_eq(RUN(a), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
		a.nr_entries = 2;	/* the entries are not in the request */
		ck_assert_uint_eq(RUN(a), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	}
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_UNSPEC);	/* still none */
	len[0] = W * H * 4 - 1;
	ck_assert_uint_eq(attach(1, 1, gpa, len), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(1, 1, gpa, len), VIRTIO_GPU_RESP_ERR_UNSPEC);	/* twice */
	/* the last row's last pixel is one byte short; the offset can overflow */
	ck_assert_uint_eq(transfer(1, 0, 0, W, H, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, 0, 0, W, H - 1, 0), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(1, 0, 0, 1, 1, ~0ull - 2), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	ck_assert_uint_eq(transfer(1, W - 1, 0, 2, 1, 0), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	{
		struct virtio_gpu_resource_detach_backing d = { HDR(RESOURCE_DETACH_BACKING), 1, 0 };

		ck_assert_uint_eq(RUN(d), VIRTIO_GPU_RESP_OK_NODATA);
		ck_assert_uint_eq(RUN(d), VIRTIO_GPU_RESP_ERR_UNSPEC);
	}
}
END_TEST

/* Backing lists count against the host memory limit: many tiny resources with the longest lists run out. */
START_TEST(backing_lists_are_counted)
{
	size_t len = sizeof(struct virtio_gpu_resource_attach_backing) +
		     GPU_RES_MAX_ENTRIES * sizeof(struct virtio_gpu_mem_entry);
	uint8_t *req = calloc(1, len);
	struct virtio_gpu_resource_attach_backing a = { HDR(RESOURCE_ATTACH_BACKING), 0, GPU_RES_MAX_ENTRIES };
	uint32_t type = VIRTIO_GPU_RESP_OK_NODATA, id;
	uint64_t before;

	ck_assert_ptr_nonnull(req);
	for (uint32_t i = 0; i < GPU_RES_MAX_ENTRIES; i++) {
		struct virtio_gpu_mem_entry e = { BACK_GPA, 4096, 0 };

		memcpy(req + sizeof(a) + i * sizeof(e), &e, sizeof(e));
	}
	for (id = 1; id < 4096 && type == VIRTIO_GPU_RESP_OK_NODATA; id++) {
		ck_assert_uint_eq(create(id, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 1, 1), VIRTIO_GPU_RESP_OK_NODATA);
		a.resource_id = id;
		memcpy(req, &a, sizeof(a));
		gpu_cmd_exec(&g, req, len, true, resp, sizeof(resp), &res);
		type = ((struct virtio_gpu_ctrl_hdr *)resp)->type;
	}
	ck_assert_uint_eq(type, VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY);
	ck_assert_uint_le(g.res.bytes, GPU_RES_HOST_MAX);
	ck_assert_uint_gt(id, 512);
	/* detaching gives the room back */
	before = g.res.bytes;
	{
		struct virtio_gpu_resource_detach_backing d = { HDR(RESOURCE_DETACH_BACKING), 1, 0 };

		ck_assert_uint_eq(RUN(d), VIRTIO_GPU_RESP_OK_NODATA);
	}
	ck_assert_uint_eq(g.res.bytes, before - GPU_RES_MAX_ENTRIES * sizeof(struct iovec));
	free(req);
}
END_TEST

START_TEST(errors_of_lengths_and_commands)
{
	static const uint32_t types[] = {
		VIRTIO_GPU_CMD_RESOURCE_CREATE_2D, VIRTIO_GPU_CMD_RESOURCE_UNREF, VIRTIO_GPU_CMD_SET_SCANOUT,
		VIRTIO_GPU_CMD_RESOURCE_FLUSH, VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D, VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
		VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING, VIRTIO_GPU_CMD_GET_CAPSET_INFO, VIRTIO_GPU_CMD_GET_CAPSET,
		VIRTIO_GPU_CMD_GET_EDID, VIRTIO_GPU_CMD_UPDATE_CURSOR, VIRTIO_GPU_CMD_MOVE_CURSOR,
	};
	struct virtio_gpu_ctrl_hdr h = { 0 };
	struct virtio_gpu_get_capset_info ci = { HDR(GET_CAPSET_INFO), 0, 0 };
	struct virtio_gpu_ctx_create cc = { HDR(CTX_CREATE), 0, 0, "" };
	uint8_t req[64] = { 0 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memcpy(req, &types[i], 4);
		ck_assert_uint_eq(run(req, sizeof(struct virtio_gpu_ctrl_hdr) + 4), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);
	}
	ck_assert_uint_eq(run(req, 3), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);	/* not even a header */
	h.type = 0x1234;
	ck_assert_uint_eq(RUN(h), VIRTIO_GPU_RESP_ERR_UNSPEC);
	h.type = VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB;
	ck_assert_uint_eq(RUN(h), VIRTIO_GPU_RESP_ERR_UNSPEC);
	ck_assert_uint_eq(RUN(cc), VIRTIO_GPU_RESP_ERR_UNSPEC);	/* 3D to the 2D renderer */
	ck_assert_uint_eq(RUN(ci), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);	/* no capsets */
	ck_assert_uint_eq(res.len, sizeof(struct virtio_gpu_ctrl_hdr));
}
END_TEST

START_TEST(errors_are_logged_once_per_kind)
{
	int saved;
	char *text;

	log_set_level(LOG_WARN);
	saved = testvm_capture_stderr();
	for (int i = 0; i < 5; i++)
		flush(42, 0, 0, 1, 1);
	create(1, 77, 1, 1);
	text = testvm_release_stderr(saved);
	ck_assert_uint_eq(testvm_count(text, "bad resource id"), 1);
	ck_assert_uint_eq(testvm_count(text, "unknown pixel format"), 1);
	free(text);
}
END_TEST

START_TEST(unref_turns_its_output_off)
{
	struct virtio_gpu_resource_unref u = { HDR(RESOURCE_UNREF), 1, 0 };

	resource_with_pattern(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
	ck_assert_uint_eq(scanout(0, 1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(RUN(u), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(disp.mode_w[0], 0);
	ck_assert_uint_eq(RUN(u), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(flush(1, 0, 0, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	/* and the id can be used again */
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_OK_NODATA);
}
END_TEST

START_TEST(cursor_image_move_and_hide)
{
	struct virtio_gpu_update_cursor c = { HDR(UPDATE_CURSOR), { 0, 100, 50, 0 }, 3, 5, 6, 0 };
	uint64_t gpa[1] = { BACK_GPA };
	uint32_t len[1] = { 64 * 64 * 4 };

	for (uint32_t i = 0; i < 64 * 64; i++) {
		uint32_t p = 0x80000000u | i;

		ck_assert_int_eq(gmem_write(&mem, BACK_GPA + i * 4, &p, 4), 0);
	}
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(create(3, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 64, 64), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(attach(3, 1, gpa, len), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(transfer(3, 0, 0, 64, 64, 0), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(disp.cur_visible && disp.cur_image);
	ck_assert_int_eq(disp.cur_x, 100);
	ck_assert_uint_eq(disp.cur_hot_x, 5);
	ck_assert_uint_eq(disp.cur_hot_y, 6);
	for (uint32_t i = 0; i < 64 * 64; i++)
		ck_assert_uint_eq(disp.cur[i], 0x80000000u | i);
	c.hdr.type = VIRTIO_GPU_CMD_MOVE_CURSOR;
	c.pos.x = 7;
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(disp.cur_visible && !disp.cur_image);
	ck_assert_int_eq(disp.cur_x, 7);
	c.hdr.type = VIRTIO_GPU_CMD_UPDATE_CURSOR;
	c.resource_id = 0;
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_OK_NODATA);
	ck_assert(!disp.cur_visible);
	c.pos.scanout_id = 5;
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID);
	ck_assert_uint_eq(create(4, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 32, 32), VIRTIO_GPU_RESP_OK_NODATA);
	c = (struct virtio_gpu_update_cursor){ HDR(UPDATE_CURSOR), { 0, 0, 0, 0 }, 4, 0, 0, 0 };
	ck_assert_uint_eq(RUN(c), VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER);	/* not 64 x 64 */
}
END_TEST

START_TEST(fence_flag_answered_at_once_by_2d)
{
	struct virtio_gpu_ctrl_hdr h = { .type = VIRTIO_GPU_CMD_GET_DISPLAY_INFO, .flags = VIRTIO_GPU_FLAG_FENCE,
					 .fence_id = 77, .ctx_id = 3 };
	const struct virtio_gpu_ctrl_hdr *o = (const void *)resp;

	ck_assert_uint_eq(RUN(h), VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	ck_assert(!res.fence_wait);
	ck_assert_uint_eq(o->flags, VIRTIO_GPU_FLAG_FENCE);
	ck_assert_uint_eq(o->fence_id, 77);
	ck_assert_uint_eq(o->ctx_id, 3);
}
END_TEST

START_TEST(reset_forgets_resources_and_outputs)
{
	resource_with_pattern(VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM);
	ck_assert_uint_eq(scanout(0, 1, 0, 0, W, H), VIRTIO_GPU_RESP_OK_NODATA);
	gpu_cmd_reset(&g);
	ck_assert_uint_eq(disp.mode_w[0], 0);
	ck_assert_uint_eq(g.res.n, 0);
	ck_assert_uint_eq(g.res.bytes, 0);
	ck_assert_uint_eq(flush(1, 0, 0, 1, 1), VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID);
	ck_assert_uint_eq(create(1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H), VIRTIO_GPU_RESP_OK_NODATA);
}
END_TEST

/* --- --gpu ------------------------------------------------------------------------------ */

START_TEST(gpu_option_parses)
{
	struct vm_config c;
	char err[512];

	vm_config_init(&c);
	ck_assert_int_eq(config_set_gpu(&c, "2d", err, sizeof(err)), 0);
	ck_assert_int_eq(c.virtio.gpu.kind, VIRTIO_GPU_2D);
	ck_assert_uint_eq(c.virtio.gpu.width, VIRTIO_GPU_DEFAULT_WIDTH);
	ck_assert_uint_eq(c.virtio.gpu.height, VIRTIO_GPU_DEFAULT_HEIGHT);
	ck_assert_uint_eq(c.virtio.gpu.outputs, 1);
	ck_assert_int_eq(config_set_gpu(&c, "2d", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--gpu given twice");
	vm_config_free(&c);

	vm_config_init(&c);
	ck_assert_int_eq(config_set_gpu(&c, "virgl,width=640,height=480,outputs=4,transport=mmio", err, sizeof(err)), 0);
	ck_assert_int_eq(c.virtio.gpu.kind, VIRTIO_GPU_VIRGL);
	ck_assert_uint_eq(c.virtio.gpu.width, 640);
	ck_assert_uint_eq(c.virtio.gpu.height, 480);
	ck_assert_uint_eq(c.virtio.gpu.outputs, 4);
	ck_assert(c.virtio.gpu.place.transport_given && c.virtio.gpu.place.transport == VIRTIO_TRANSPORT_MMIO);
	ck_assert_str_eq(c.virtio.gpu.spec, "virgl,width=640,height=480,outputs=4,transport=mmio");
	vm_config_free(&c);
}
END_TEST

START_TEST(gpu_option_names_every_bad_item)
{
	struct vm_config c;
	char err[512];

	vm_config_init(&c);
	ck_assert_int_eq(config_set_gpu(&c, "3d,width=15,height=8193,outputs=0,foo,msix=maybe,width=20", err,
					sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'3d' is not a GPU kind"));
	ck_assert_ptr_nonnull(strstr(err, "'width=15' must be between 16 and 8192"));
	ck_assert_ptr_nonnull(strstr(err, "'height=8193' must be between 16 and 8192"));
	ck_assert_ptr_nonnull(strstr(err, "'outputs=0' must be between 1 and 4"));
	ck_assert_ptr_nonnull(strstr(err, "unknown option 'foo'"));
	ck_assert_ptr_nonnull(strstr(err, "msix must be on or off"));
	ck_assert_ptr_nonnull(strstr(err, "'width=20' given twice"));
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_int_eq(c.virtio.gpu.kind, VIRTIO_GPU_NONE);
	ck_assert_int_eq(config_set_gpu(&c, "2d,width=abc", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_set_gpu(&c, "2d,width=", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_set_gpu(&c, "2d,transport=mmio,msix=off", err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(config_set_gpu(&c, "", err, sizeof(err)), -EINVAL);
	vm_config_free(&c);
}
END_TEST

Suite *virtio_gpu_suite(void)
{
	Suite *s = suite_create("virtio_gpu");
	TCase *t = tcase_create("commands");
	TCase *o = tcase_create("option");
	TCase *d = tcase_create("device");

	tcase_add_checked_fixture(t, cmd_setup, cmd_teardown);
	tcase_add_test(t, display_info_lists_the_outputs);
	tcase_add_test(t, edid_has_the_mode_and_a_checksum);
	tcase_add_test(t, edid_of_a_large_mode_is_clamped);
	tcase_add_test(t, pixels_b8g8r8x8);
	tcase_add_test(t, pixels_r8g8b8a8_converted);
	tcase_add_test(t, partial_transfer_takes_its_rows_from_the_offset);
	tcase_add_test(t, format_conversion_of_each_format);
	tcase_add_test(t, errors_of_resources_and_rectangles);
	tcase_add_test(t, errors_of_lengths_and_commands);
	tcase_add_test(t, backing_lists_are_counted);
	tcase_add_test(t, errors_are_logged_once_per_kind);
	tcase_add_test(t, unref_turns_its_output_off);
	tcase_add_test(t, cursor_image_move_and_hide);
	tcase_add_test(t, fence_flag_answered_at_once_by_2d);
	tcase_add_test(t, reset_forgets_resources_and_outputs);
	suite_add_tcase(s, t);
	tcase_add_test(o, gpu_option_parses);
	tcase_add_test(o, gpu_option_names_every_bad_item);
	suite_add_tcase(s, o);
	tcase_set_timeout(d, 30);
	gpu_dev_tests(d);
	suite_add_tcase(s, d);
	return s;
}
