/* virtio-gpu checks (gpu: ...): display info, EDID, the test card on output 0 through the 2D path, the cursor queue. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/mmu.h"
#include "guest/kernel/checks_gpu.h"
#include "guest/kernel/time.h"
#include "guest/lib/string.h"

#define MS 1000000ull
#define CURSOR_BYTES (VIRTIO_GPU_CURSOR_SIZE * VIRTIO_GPU_CURSOR_SIZE * 4)

struct vgpu *gpu_for_check(struct check_ctx *ctx, enum check_status *st)
{
	const char *why = 0;
	struct vgpu *g = vgpu_get(&why);

	if (g)
		return g;
	if (!virtio_count(VIRTIO_ID_GPU))
		*st = check_skip(ctx, "no virtio-gpu device");
	else
		*st = check_fail(ctx, "virtio-gpu did not come up: %s", why ? why : "?");
	return 0;
}

/* GET_DISPLAY_INFO: output 0 enabled with a sane mode. */
enum check_status check_gpu_display_info(struct check_ctx *ctx)
{
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	int t;

	if (!g)
		return st;
	if ((t = vgpu_display_info(g)) != VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		return check_fail(ctx, "GET_DISPLAY_INFO gave %s", vgpu_resp_name(t));
	check_note(ctx, "virtio-gpu (%s): %u scanouts, %u capsets, features%s%s; output 0: %ux%u",
		   virtio_transport_name(g->d), g->nscanouts, g->ncapsets, g->virgl ? " virgl" : "",
		   g->edid ? " edid" : "", g->width, g->height);
	if (!g->nscanouts || g->nscanouts > VIRTIO_GPU_MAX_SCANOUTS)
		return check_fail(ctx, "num_scanouts %u", g->nscanouts);
	if (g->width < 16 || g->height < 16)
		return check_fail(ctx, "output 0 is not enabled with a mode of at least 16x16");
	return CHECK_PASS;
}

/* GET_EDID of output 0: an EDID header, a right checksum, output 0's mode as the preferred timing. */
enum check_status check_gpu_edid(struct check_ctx *ctx)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	struct virtio_gpu_resp_edid *r;
	struct virtio_gpu_get_edid *c;
	uint32_t hact, vact;
	uint8_t sum = 0;
	int t;

	if (!g)
		return st;
	if (!g->edid)
		return check_skip(ctx, "the device does not offer VIRTIO_GPU_F_EDID");
	if (!g->width)
		vgpu_display_info(g);
	c = vgpu_req(g, VIRTIO_GPU_CMD_GET_EDID, sizeof(*c));
	c->scanout = 0;
	r = (struct virtio_gpu_resp_edid *)g->resp;
	if ((t = vgpu_send(g, VIRTIO_GPU_Q_CONTROL, sizeof(*c), sizeof(*r), false)) != VIRTIO_GPU_RESP_OK_EDID)
		return check_fail(ctx, "GET_EDID gave %s", vgpu_resp_name(t));
	if (r->size < 128 || r->size > VIRTIO_GPU_EDID_MAX)
		return check_fail(ctx, "EDID size %u", r->size);
	if (memcmp(r->edid, header, sizeof(header)))
		return check_fail(ctx, "no EDID header");
	for (unsigned int i = 0; i < 128; i++)
		sum = (uint8_t)(sum + r->edid[i]);
	if (sum)
		return check_fail(ctx, "the base block's checksum is off by %u", sum);
	hact = r->edid[56] | (uint32_t)(r->edid[58] >> 4) << 8;
	vact = r->edid[59] | (uint32_t)(r->edid[61] >> 4) << 8;
	check_note(ctx, "EDID: %u bytes, version %u.%u, preferred %ux%u", r->size, r->edid[18], r->edid[19], hact, vact);
	if (hact != g->width || vact != g->height)
		return check_fail(ctx, "the preferred timing is not output 0's mode %ux%u", g->width, g->height);
	return CHECK_PASS;
}

/* The test card into a B8G8R8X8 resource of output 0's size: SET_SCANOUT, TRANSFER_TO_HOST_2D, a fenced RESOURCE_FLUSH. */
enum check_status check_gpu_2d_testcard(struct check_ctx *ctx)
{
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	const char *what = "?";
	uint64_t t0, t1;
	int t;

	if (!g)
		return st;
	if ((t = vgpu_fb_setup(g, &what)))
		return check_fail(ctx, "%s gave %s", what, vgpu_resp_name(t));
	t0 = time_now_ns();
	vgpu_draw_testcard(g);
	t1 = time_now_ns();
	if ((t = vgpu_fb_update(g, &what)))
		return check_fail(ctx, "%s gave %s", what, vgpu_resp_name(t));
	check_note(ctx, "test card %ux%u on output 0: drawn in %llu ms, transferred and flushed in %llu ms", g->width,
		   g->height, (unsigned long long)((t1 - t0) / MS), (unsigned long long)((time_now_ns() - t1) / MS));
	return CHECK_PASS;
}

static int cursor_cmd(struct vgpu *g, uint32_t type, uint32_t res, uint32_t x, uint32_t y)
{
	struct virtio_gpu_update_cursor *c = vgpu_req(g, type, sizeof(*c));

	c->pos = (struct virtio_gpu_cursor_pos){ 0, x, y, 0 };
	c->resource_id = res;
	return vgpu_send(g, VIRTIO_GPU_Q_CURSOR, sizeof(*c), 0, false);
}

/* A 64x64 cursor image shown, moved and hidden through the cursor queue (hidden: screenshots show the card alone). */
enum check_status check_gpu_cursor(struct check_ctx *ctx)
{
	static uint64_t pa;
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	uint32_t *px;
	int t;

	if (!g)
		return st;
	if (!pa && !(pa = vgpu_alloc_contig(CURSOR_BYTES / 4096)))
		return check_fail(ctx, "no frames for the cursor image");
	px = phys_to_virt(pa);
	for (unsigned int i = 0; i < CURSOR_BYTES / 4; i++)
		px[i] = (i % VIRTIO_GPU_CURSOR_SIZE) < (i / VIRTIO_GPU_CURSOR_SIZE) ? 0xffffffffu : 0;
	if ((t = vgpu_create_2d(g, GPU_CURSOR_RES, VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, VIRTIO_GPU_CURSOR_SIZE,
				VIRTIO_GPU_CURSOR_SIZE)) != VIRTIO_GPU_RESP_OK_NODATA)
		return check_fail(ctx, "RESOURCE_CREATE_2D of the cursor gave %s", vgpu_resp_name(t));
	if ((t = vgpu_attach(g, GPU_CURSOR_RES, pa, CURSOR_BYTES)) != VIRTIO_GPU_RESP_OK_NODATA)
		return check_fail(ctx, "RESOURCE_ATTACH_BACKING of the cursor gave %s", vgpu_resp_name(t));
	if ((t = vgpu_transfer_2d(g, GPU_CURSOR_RES, 0, 0, VIRTIO_GPU_CURSOR_SIZE, VIRTIO_GPU_CURSOR_SIZE, 0)) !=
	    VIRTIO_GPU_RESP_OK_NODATA)
		return check_fail(ctx, "TRANSFER_TO_HOST_2D of the cursor gave %s", vgpu_resp_name(t));
	if (cursor_cmd(g, VIRTIO_GPU_CMD_UPDATE_CURSOR, GPU_CURSOR_RES, 100, 100))
		return check_fail(ctx, "UPDATE_CURSOR did not come back within %u ms", VGPU_WAIT_MS);
	if (cursor_cmd(g, VIRTIO_GPU_CMD_MOVE_CURSOR, GPU_CURSOR_RES, 200, 150))
		return check_fail(ctx, "MOVE_CURSOR did not come back within %u ms", VGPU_WAIT_MS);
	if (cursor_cmd(g, VIRTIO_GPU_CMD_UPDATE_CURSOR, 0, 0, 0))
		return check_fail(ctx, "UPDATE_CURSOR (hide) did not come back within %u ms", VGPU_WAIT_MS);
	if ((t = vgpu_display_info(g)) != VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		return check_fail(ctx, "GET_DISPLAY_INFO after the cursor commands gave %s", vgpu_resp_name(t));
	check_note(ctx, "cursor shown at (100,100), moved to (200,150), hidden");
	return CHECK_PASS;
}
