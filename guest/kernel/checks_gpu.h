/* What the gpu: checks share (checks_gpu*.c, gpu_bench.c). */
#ifndef KEEL_GUEST_KERNEL_CHECKS_GPU_H
#define KEEL_GUEST_KERNEL_CHECKS_GPU_H

#include "guest/drivers/virtio_gpu.h"
#include "guest/kernel/tap.h"

/* Resource ids the checks use (VGPU_FB_RES is 1). */
#define GPU_CURSOR_RES 2u
#define GPU_VIRGL_RES 3u
#define GPU_BENCH_RES 4u
#define GPU_HOSTILE_RES 10u
#define GPU_VIRGL_CTX 1u
#define GPU_HOSTILE_CTX 2u
#define GPU_BENCH_CTX 3u

/* The device, or NULL with the check skipped (no device) or failed (it did not come up) in *@st. */
struct vgpu *gpu_for_check(struct check_ctx *ctx, enum check_status *st);

#endif
