/* virtio-gpu hostile-driver checks (gpu: hostile-...): bad ids, rectangles, sizes, backing and scanouts get the error the spec names, and the device goes on working. */
#include "guest/kernel/checks.h"

#include "guest/kernel/checks_gpu.h"
#include "guest/mm/frame.h"

#define HOSTILE_W 64u
#define HOSTILE_BYTES (HOSTILE_W * HOSTILE_W * 4)
#define UNKNOWN_RES 0xdead0001u
#define FAR_ADDR 0x4000000000ull	/* 256 GiB: outside any RAM the tests give */

/* One answer compared with what the spec names (@want, or @alt when not 0). */
static bool expect(struct check_ctx *ctx, const char *what, int got, int want, int alt)
{
	if (got == want || (alt && got == alt))
		return true;
	check_note(ctx, "%s gave %s, want %s%s%s", what, vgpu_resp_name(got), vgpu_resp_name(want), alt ? " or " : "",
		   alt ? vgpu_resp_name(alt) : "");
	return false;
}

/* After the bad requests: GET_DISPLAY_INFO still answers. */
static enum check_status still_works(struct check_ctx *ctx, struct vgpu *g, bool ok)
{
	int t = vgpu_display_info(g);

	if (t != VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		return check_fail(ctx, "afterwards GET_DISPLAY_INFO gave %s", vgpu_resp_name(t));
	return ok ? CHECK_PASS : CHECK_FAIL;
}

/* A 64x64 B8G8R8X8 resource with backing, for the checks that need a real one. */
static bool hostile_resource(struct check_ctx *ctx, struct vgpu *g, bool backed)
{
	static uint64_t pa;
	int t;

	if ((t = vgpu_create_2d(g, GPU_HOSTILE_RES, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, HOSTILE_W, HOSTILE_W)) !=
	    VIRTIO_GPU_RESP_OK_NODATA) {
		check_note(ctx, "RESOURCE_CREATE_2D of a 64x64 resource gave %s", vgpu_resp_name(t));
		return false;
	}
	if (!backed)
		return true;
	if (!pa && !(pa = vgpu_alloc_contig(HOSTILE_BYTES / 4096))) {
		check_note(ctx, "no frames for the backing");
		return false;
	}
	if ((t = vgpu_attach(g, GPU_HOSTILE_RES, pa, HOSTILE_BYTES)) != VIRTIO_GPU_RESP_OK_NODATA) {
		check_note(ctx, "RESOURCE_ATTACH_BACKING gave %s", vgpu_resp_name(t));
		return false;
	}
	return true;
}

/* Requests naming a resource that was never created: ERR_INVALID_RESOURCE_ID. */
enum check_status check_gpu_hostile_unknown_resource(struct check_ctx *ctx)
{
	const int bad = VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID;
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	bool ok = true;

	if (!g)
		return st;
	ok &= expect(ctx, "ATTACH_BACKING", vgpu_attach(g, UNKNOWN_RES, frame_alloc_zeroed(), 4096), bad, 0);
	ok &= expect(ctx, "TRANSFER_TO_HOST_2D", vgpu_transfer_2d(g, UNKNOWN_RES, 0, 0, 1, 1, 0), bad, 0);
	ok &= expect(ctx, "RESOURCE_FLUSH", vgpu_flush(g, UNKNOWN_RES, 0, 0, 1, 1, false), bad, 0);
	ok &= expect(ctx, "SET_SCANOUT", vgpu_set_scanout(g, 0, UNKNOWN_RES, 0, 0, 1, 1), bad, 0);
	ok &= expect(ctx, "RESOURCE_UNREF", vgpu_unref(g, UNKNOWN_RES), bad, 0);
	return still_works(ctx, g, ok);
}

/* Transfers, flushes and scanouts reaching outside a 64x64 resource (and rectangles that wrap): ERR_INVALID_PARAMETER. */
enum check_status check_gpu_hostile_outside_resource(struct check_ctx *ctx)
{
	const int bad = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	bool ok = true;

	if (!g)
		return st;
	if (!hostile_resource(ctx, g, true))
		return check_fail(ctx, "no resource to abuse");
	ok &= expect(ctx, "TRANSFER_TO_HOST_2D of (32,32) 64x64", vgpu_transfer_2d(g, GPU_HOSTILE_RES, 32, 32, 64, 64, 0),
		     bad, 0);
	ok &= expect(ctx, "TRANSFER_TO_HOST_2D of x 0xffffffff width 2",
		     vgpu_transfer_2d(g, GPU_HOSTILE_RES, 0xffffffffu, 0, 2, 1, 0), bad, 0);
	ok &= expect(ctx, "RESOURCE_FLUSH of (60,0) 8x8", vgpu_flush(g, GPU_HOSTILE_RES, 60, 0, 8, 8, false), bad, 0);
	ok &= expect(ctx, "RESOURCE_FLUSH of y 0xfffffff0 height 0x20",
		     vgpu_flush(g, GPU_HOSTILE_RES, 0, 0xfffffff0u, 1, 0x20, false), bad, 0);
	ok &= expect(ctx, "SET_SCANOUT of 65x64", vgpu_set_scanout(g, 0, GPU_HOSTILE_RES, 0, 0, 65, 64), bad, 0);
	ok &= expect(ctx, "RESOURCE_UNREF", vgpu_unref(g, GPU_HOSTILE_RES), VIRTIO_GPU_RESP_OK_NODATA, 0);
	return still_works(ctx, g, ok);
}

/* Resources whose width * height * 4 overflows 32 and 64 bits: ERR_INVALID_PARAMETER or ERR_OUT_OF_MEMORY. */
enum check_status check_gpu_hostile_size_overflow(struct check_ctx *ctx)
{
	static const uint32_t sizes[][2] = { { 0x10000, 0x10000 }, { 0xffffffffu, 0xffffffffu }, { 0x40000000, 4 } };
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	bool ok = true;

	if (!g)
		return st;
	for (unsigned int i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int t = vgpu_create_2d(g, GPU_HOSTILE_RES, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, sizes[i][0], sizes[i][1]);

		if (!expect(ctx, "RESOURCE_CREATE_2D of a huge size", t, VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
			    VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY)) {
			check_note(ctx, "(%ux%u)", sizes[i][0], sizes[i][1]);
			ok = false;
		}
		if (t == VIRTIO_GPU_RESP_OK_NODATA)
			vgpu_unref(g, GPU_HOSTILE_RES);
	}
	return still_works(ctx, g, ok);
}

/* Backing entries outside guest RAM, and one whose end wraps: ERR_INVALID_PARAMETER (or ERR_UNSPEC). */
enum check_status check_gpu_hostile_backing_outside_ram(struct check_ctx *ctx)
{
	const int bad = VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER, alt = VIRTIO_GPU_RESP_ERR_UNSPEC;
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	bool ok = true;

	if (!g)
		return st;
	if (!hostile_resource(ctx, g, false))
		return check_fail(ctx, "no resource to abuse");
	ok &= expect(ctx, "ATTACH_BACKING at 256 GiB", vgpu_attach(g, GPU_HOSTILE_RES, FAR_ADDR, HOSTILE_BYTES), bad, alt);
	ok &= expect(ctx, "ATTACH_BACKING wrapping past 2^64",
		     vgpu_attach(g, GPU_HOSTILE_RES, 0xfffffffffffff000ull, 0x2000), bad, alt);
	ok &= expect(ctx, "RESOURCE_UNREF", vgpu_unref(g, GPU_HOSTILE_RES), VIRTIO_GPU_RESP_OK_NODATA, 0);
	return still_works(ctx, g, ok);
}

/* SET_SCANOUT of scanout ids past num_scanouts: ERR_INVALID_SCANOUT_ID. */
enum check_status check_gpu_hostile_scanout_id(struct check_ctx *ctx)
{
	const int bad = VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID;
	enum check_status st;
	struct vgpu *g = gpu_for_check(ctx, &st);
	bool ok = true;

	if (!g)
		return st;
	ok &= expect(ctx, "SET_SCANOUT of scanout num_scanouts", vgpu_set_scanout(g, g->nscanouts, 0, 0, 0, 0, 0), bad, 0);
	ok &= expect(ctx, "SET_SCANOUT of scanout 0xffffffff", vgpu_set_scanout(g, 0xffffffffu, 0, 0, 0, 0, 0), bad, 0);
	return still_works(ctx, g, ok);
}
