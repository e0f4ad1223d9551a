/* virtio-gpu virgl checks (gpu: virgl-...): capsets, a context clearing a 3D texture read back pixel by pixel, a stream virglrenderer rejects. */
#include "guest/kernel/checks.h"

#include "devices/virtio/virgl_proto.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/checks_gpu.h"

#define TEX_W 64u
#define TEX_BYTES (TEX_W * TEX_W * 4)
#define SURFACE_HANDLE 1u
#define CLEAR_PIXEL 0xff336699u		/* B8G8R8A8 in memory (B, G, R, A) read as a little-endian word */

static const uint32_t clear_rgba[4] = { VIRGL_F32_0_2, VIRGL_F32_0_4, VIRGL_F32_0_6, VIRGL_F32_1_0 };

/* The device with virgl, or NULL with the check skipped or failed in *@st. */
static struct vgpu *virgl_for_check(struct check_ctx *ctx, enum check_status *st)
{
	struct vgpu *g = gpu_for_check(ctx, st);

	if (g && !g->virgl) {
		*st = check_skip(ctx, "the device does not offer VIRTIO_GPU_F_VIRGL");
		return 0;
	}
	return g;
}

/* GET_CAPSET_INFO of every capset: virgl (1) and virgl2 (2) among them, with a size. */
enum check_status check_gpu_virgl_capsets(struct check_ctx *ctx)
{
	enum check_status st;
	struct vgpu *g = virgl_for_check(ctx, &st);
	bool seen[3] = { false };

	if (!g)
		return st;
	for (uint32_t i = 0; i < g->ncapsets && i < 16; i++) {
		uint32_t id, ver, size;
		int t = vgpu_capset_info(g, i, &id, &ver, &size);

		if (t != VIRTIO_GPU_RESP_OK_CAPSET_INFO)
			return check_fail(ctx, "GET_CAPSET_INFO %u gave %s", i, vgpu_resp_name(t));
		check_note(ctx, "capset %u: id %u, max version %u, max size %u", i, id, ver, size);
		if (id < 3 && size)
			seen[id] = true;
	}
	if (!seen[VIRTIO_GPU_CAPSET_VIRGL] || !seen[VIRTIO_GPU_CAPSET_VIRGL2])
		return check_fail(ctx, "want capsets virgl (1) and virgl2 (2) with a size, among num_capsets %u",
				  g->ncapsets);
	return CHECK_PASS;
}

/* A context, a 64x64 B8G8R8A8 render target with backing, attached: 0 or the failing step in *@what. */
static int texture_setup(struct vgpu *g, uint32_t ctx_id, uint32_t res, uint32_t w, uint64_t pa, const char **what)
{
	int t;

	*what = "CTX_CREATE";
	if ((t = vgpu_ctx_create(g, ctx_id, "keel-guest")) != VIRTIO_GPU_RESP_OK_NODATA)
		return t;
	*what = "RESOURCE_CREATE_3D";
	if ((t = vgpu_create_3d(g, res, VIRGL_FORMAT_B8G8R8A8_UNORM, VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW,
				w, w)) != VIRTIO_GPU_RESP_OK_NODATA)
		return t;
	*what = "RESOURCE_ATTACH_BACKING";
	if ((t = vgpu_attach(g, res, pa, (uint64_t)w * w * 4)) != VIRTIO_GPU_RESP_OK_NODATA)
		return t;
	*what = "CTX_ATTACH_RESOURCE";
	if ((t = vgpu_ctx_attach(g, ctx_id, res)) != VIRTIO_GPU_RESP_OK_NODATA)
		return t;
	return 0;
}

/* The texture cleared to (0x33, 0x66, 0x99, 0xff) in context @ctx_id (the surface made when @first) and read back: 0 or the step's answer. */
static int clear_and_read(struct vgpu *g, uint32_t ctx_id, uint32_t res, uint32_t w, bool first, const char **what)
{
	uint32_t stream[VGPU_CLEAR_WORDS];
	uint32_t n = vgpu_clear_stream(stream, first, SURFACE_HANDLE, res, VIRGL_FORMAT_B8G8R8A8_UNORM, clear_rgba);
	int t;

	*what = "SUBMIT_3D";
	if ((t = vgpu_submit_3d(g, ctx_id, stream, n)) != VIRTIO_GPU_RESP_OK_NODATA)
		return t;
	*what = "TRANSFER_FROM_HOST_3D";
	if ((t = vgpu_transfer_from_host_3d(g, ctx_id, res, w, w)) != VIRTIO_GPU_RESP_OK_NODATA)
		return t;
	return 0;
}

static uint64_t tex_pa;

static void texture_fill(uint32_t v)
{
	uint32_t *px = phys_to_virt(tex_pa);

	for (uint32_t i = 0; i < TEX_W * TEX_W; i++)
		px[i] = v;
}

/* Every pixel of the read-back texture is the clear colour: true, else the first that is not noted. */
static bool texture_is_clear(struct check_ctx *ctx)
{
	const uint32_t *px = phys_to_virt(tex_pa);

	for (uint32_t i = 0; i < TEX_W * TEX_W; i++)
		if (px[i] != CLEAR_PIXEL) {
			check_note(ctx, "pixel (%u,%u) is 0x%08x, want 0x%08x", i % TEX_W, i / TEX_W, px[i], CLEAR_PIXEL);
			return false;
		}
	return true;
}

/* CTX_CREATE, a 3D render target, SUBMIT_3D (surface, framebuffer, CLEAR) fenced, TRANSFER_FROM_HOST_3D, every pixel checked. */
enum check_status check_gpu_virgl_clear(struct check_ctx *ctx)
{
	enum check_status st;
	struct vgpu *g = virgl_for_check(ctx, &st);
	const char *what = "?";
	int t;

	if (!g)
		return st;
	if (!tex_pa && !(tex_pa = vgpu_alloc_contig(TEX_BYTES / 4096)))
		return check_fail(ctx, "no frames for the texture's backing");
	texture_fill(0xdeadbeefu);
	if ((t = texture_setup(g, GPU_VIRGL_CTX, GPU_VIRGL_RES, TEX_W, tex_pa, &what)))
		return check_fail(ctx, "%s gave %s", what, vgpu_resp_name(t));
	if ((t = clear_and_read(g, GPU_VIRGL_CTX, GPU_VIRGL_RES, TEX_W, true, &what)))
		return check_fail(ctx, "%s gave %s", what, vgpu_resp_name(t));
	if (!texture_is_clear(ctx))
		return CHECK_FAIL;
	check_note(ctx, "64x64 texture cleared to rgba (0x33,0x66,0x99,0xff), all %u pixels read back right", TEX_W * TEX_W);
	return CHECK_PASS;
}

/* A stream whose command runs past its end, in a context of its own: an error answer; then the first context clears again. */
enum check_status check_gpu_hostile_virgl_stream(struct check_ctx *ctx)
{
	static const uint32_t bad[] = {
		VIRGL_CMD0(VIRGL_CCMD_CLEAR, 0, 0x400),	/* 1024 words promised, 2 follow */
		PIPE_CLEAR_COLOR0, 0,
	};
	enum check_status st;
	struct vgpu *g = virgl_for_check(ctx, &st);
	const char *what = "?";
	int t;

	if (!g)
		return st;
	if ((t = vgpu_ctx_create(g, GPU_HOSTILE_CTX, "keel-hostile")) != VIRTIO_GPU_RESP_OK_NODATA)
		return check_fail(ctx, "CTX_CREATE gave %s", vgpu_resp_name(t));
	t = vgpu_submit_3d(g, GPU_HOSTILE_CTX, bad, sizeof(bad) / 4);
	check_note(ctx, "SUBMIT_3D of a CLEAR promising 1024 words in 3 gave %s", vgpu_resp_name(t));
	if (t == VIRTIO_GPU_RESP_OK_NODATA || t == VGPU_TIMEOUT)
		return check_fail(ctx, "want an error answer");
	vgpu_ctx_destroy(g, GPU_HOSTILE_CTX);
	if (!tex_pa) {
		check_note(ctx, "gpu: virgl-clear did not run: GET_DISPLAY_INFO checked instead of a clear");
		return vgpu_display_info(g) == VIRTIO_GPU_RESP_OK_DISPLAY_INFO ? CHECK_PASS : CHECK_FAIL;
	}
	texture_fill(0);
	if ((t = clear_and_read(g, GPU_VIRGL_CTX, GPU_VIRGL_RES, TEX_W, false, &what)))
		return check_fail(ctx, "afterwards %s gave %s", what, vgpu_resp_name(t));
	return texture_is_clear(ctx) ? CHECK_PASS : CHECK_FAIL;
}
