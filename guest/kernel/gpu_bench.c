/* gpu: bench, with gpu-bench=2d:FRAMES or gpu-bench=virgl:N on the command line: full-screen 2D updates or virgl clears, timed by the guest's clock. */
#include "guest/kernel/checks.h"

#include "devices/virtio/virgl_proto.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/checks_gpu.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/errno.h"
#include "guest/kernel/syscall.h"
#include "guest/kernel/task.h"
#include "guest/kernel/time.h"
#include "guest/lib/string.h"

#define BENCH_MAX 1000000u
#define VIRGL_BENCH_W 256u
#define SURFACE_HANDLE 1u
#define BENCH_WAIT_MS 3600000u	/* an hour: FRAMES is the user's */

/* SYS_GPU_FRAME: the gpufill task wrote a frame: transfer the whole scanout resource and flush it, the flush's fence waited for. */
void sys_gpu_frame(struct trap_frame *f, struct task *t)
{
	struct vgpu *g = vgpu_get(0);
	const char *what;

	if (!(t->caps & TASK_CAP_DEVICE) || !g || !g->fb_created) {
		f->rax = (uint64_t)-EPERM;
		return;
	}
	f->rax = vgpu_fb_update(g, &what) ? (uint64_t)-EIO : 0;
}

/*
 * FRAMES times: the whole resource rewritten with a fill that changes each frame, transferred,
 * flushed with a fence waited for. The fill runs in the gpufill task: in ring 0, emulated here, it
 * would cost about 0.3 s a frame and the bench would measure the guest instead of the device.
 */
static enum check_status bench_2d(struct check_ctx *ctx, struct vgpu *g, unsigned long frames)
{
	const char *what = "?";
	struct task *task;
	uint64_t t0, ns;
	int t;

	if ((t = vgpu_fb_setup(g, &what)))
		return check_fail(ctx, "%s gave %s", what, vgpu_resp_name(t));
	t0 = time_now_ns();
	task = task_spawn("gpufill", 0, g->fb_pa, g->fb_bytes, frames, TASK_CAP_DEVICE, &what);
	if (!task)
		return check_fail(ctx, "the gpufill task did not start: %s", what);
	if (task_wait(&task, 1, BENCH_WAIT_MS)) {
		check_note(ctx, "gpufill did not finish within %u ms", BENCH_WAIT_MS);
		task_reap(task);
		return CHECK_FAIL;
	}
	ns = time_now_ns() - t0;
	if (task->killed || task->exit_code) {
		check_note(ctx, "gpufill: %s", task->out);
		task_reap(task);
		return check_fail(ctx, "gpufill failed");
	}
	task_reap(task);
	kprintf("gpu-bench: 2d frames=%lu ns=%llu\n", frames, (unsigned long long)ns);
	check_note(ctx, "%lu full-screen %ux%u updates", frames, g->width, g->height);
	return CHECK_PASS;
}

/* N CLEARs of a 256x256 render target in a context of its own, each fenced and waited for. */
static enum check_status bench_virgl(struct check_ctx *ctx, struct vgpu *g, unsigned long n)
{
	static const uint32_t colours[2][4] = { { VIRGL_F32_0_2, VIRGL_F32_0_4, VIRGL_F32_0_6, VIRGL_F32_1_0 },
						{ VIRGL_F32_0_6, VIRGL_F32_0_2, VIRGL_F32_0_4, VIRGL_F32_1_0 } };
	uint32_t stream[VGPU_CLEAR_WORDS], words;
	uint64_t pa = vgpu_alloc_contig(VIRGL_BENCH_W * VIRGL_BENCH_W * 4 / 4096), t0;
	int t;

	if (!g->virgl)
		return check_skip(ctx, "gpu-bench=virgl: the device does not offer VIRTIO_GPU_F_VIRGL");
	if (!pa)
		return check_fail(ctx, "no frames for the render target's backing");
	if ((t = vgpu_ctx_create(g, GPU_BENCH_CTX, "keel-bench")) != VIRTIO_GPU_RESP_OK_NODATA ||
	    (t = vgpu_create_3d(g, GPU_BENCH_RES, VIRGL_FORMAT_B8G8R8A8_UNORM, VIRGL_BIND_RENDER_TARGET,
				VIRGL_BENCH_W, VIRGL_BENCH_W)) != VIRTIO_GPU_RESP_OK_NODATA ||
	    (t = vgpu_attach(g, GPU_BENCH_RES, pa, VIRGL_BENCH_W * VIRGL_BENCH_W * 4)) != VIRTIO_GPU_RESP_OK_NODATA ||
	    (t = vgpu_ctx_attach(g, GPU_BENCH_CTX, GPU_BENCH_RES)) != VIRTIO_GPU_RESP_OK_NODATA)
		return check_fail(ctx, "setting up the render target gave %s", vgpu_resp_name(t));
	t0 = time_now_ns();
	for (unsigned long i = 0; i < n; i++) {
		words = vgpu_clear_stream(stream, i == 0, SURFACE_HANDLE, GPU_BENCH_RES, VIRGL_FORMAT_B8G8R8A8_UNORM,
					  colours[i & 1]);
		if ((t = vgpu_submit_3d(g, GPU_BENCH_CTX, stream, words)) != VIRTIO_GPU_RESP_OK_NODATA)
			return check_fail(ctx, "clear %lu: SUBMIT_3D gave %s", i, vgpu_resp_name(t));
	}
	kprintf("gpu-bench: virgl clears=%lu ns=%llu\n", n, (unsigned long long)(time_now_ns() - t0));
	return CHECK_PASS;
}

enum check_status check_gpu_bench(struct check_ctx *ctx)
{
	char v[32], *colon, *end;
	enum check_status st;
	struct vgpu *g;
	unsigned long n;

	if (!cmdline_get(boot_info.cmdline, "gpu-bench", v, sizeof(v)))
		return check_skip(ctx, "no gpu-bench= on the command line");
	if (!(g = gpu_for_check(ctx, &st)))
		return st;
	colon = strchr(v, ':');
	n = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || end == colon + 1 || *end || !n || n > BENCH_MAX)
		return check_fail(ctx, "gpu-bench=%s: want 2d:FRAMES or virgl:N, 1 to %u", v, BENCH_MAX);
	*colon = 0;
	if (!strcmp(v, "2d"))
		return bench_2d(ctx, g, n);
	if (!strcmp(v, "virgl"))
		return bench_virgl(ctx, g, n);
	return check_fail(ctx, "gpu-bench=%s: want 2d or virgl", v);
}
