/* What keel checks of a virgl request before virglrenderer sees it (gpu_virgl_check.c): pure functions, without virglrenderer. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_VIRGL_CHECK_H
#define KEEL_DEVICES_VIRTIO_GPU_VIRGL_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/gpu_backend.h"

/* Targets beyond virgl_proto.h's (gallium's numbers). */
#define GPU_VIRGL_TEXTURE_1D_ARRAY 6u
#define GPU_VIRGL_TEXTURE_2D_ARRAY 7u
#define GPU_VIRGL_TEXTURE_CUBE_ARRAY 8u

#define GPU_VIRGL_MAX_PIXEL_BYTES 32u	/* the widest virgl pixel (R64G64B64A64_FLOAT) */
/* One 3D resource's level 0 at most, as estimated (formats not listed: 4 bytes a pixel). */
#define GPU_VIRGL_MAX_RESOURCE_BYTES (1ull << 30)

/* gpu_virgl_pixel_bytes - bytes of one pixel of virgl format @format; GPU_VIRGL_MAX_PIXEL_BYTES for the formats not listed. */
uint32_t gpu_virgl_pixel_bytes(uint32_t format);

/*
 * gpu_virgl_resource_ok - may a driver have the 3D resource @c? VIRTIO_GPU_RESP_OK_NODATA,
 * ERR_INVALID_PARAMETER (an unknown target, a zero size), or ERR_OUT_OF_MEMORY (over
 * GPU_VIRGL_MAX_RESOURCE_BYTES).
 */
uint32_t gpu_virgl_resource_ok(const struct virtio_gpu_resource_create_3d *c);

/*
 * gpu_virgl_transfer_ok - does @t's box lie inside its level of @r (a 2D resource: a one-level 2D
 * texture), and does @r's backing hold every byte the transfer touches, overflow-checked?
 */
bool gpu_virgl_transfer_ok(const struct gpu_resource *r, const struct virtio_gpu_transfer_host_3d *t);

/* gpu_virgl_stream_framed - does every command of the @ndw words at @w end inside them? */
bool gpu_virgl_stream_framed(const uint32_t *w, uint32_t ndw);

#endif
