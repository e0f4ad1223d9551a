/* virtio-gpu's 2D pixel formats: each one's byte order in memory, and its conversion to ARGB words. */
#include "devices/virtio/gpu_format.h"

#include <string.h>

#include "devices/virtio/gpu_spec.h"

/* Where each channel sits in a pixel's 4 bytes; a < 0: no alpha (opaque). */
struct gpu_layout {
	uint32_t format;
	int r, g, b, a;
};

static const struct gpu_layout gpu_layouts[] = {
	{ VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, 2, 1, 0, 3 },
	{ VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, 2, 1, 0, -1 },
	{ VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM, 1, 2, 3, 0 },
	{ VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM, 1, 2, 3, -1 },
	{ VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM, 0, 1, 2, 3 },
	{ VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM, 3, 2, 1, -1 },
	{ VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM, 3, 2, 1, 0 },
	{ VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM, 0, 1, 2, -1 },
};

static const struct gpu_layout *gpu_layout(uint32_t format)
{
	for (size_t i = 0; i < sizeof(gpu_layouts) / sizeof(gpu_layouts[0]); i++)
		if (gpu_layouts[i].format == format)
			return &gpu_layouts[i];
	return NULL;
}

unsigned int gpu_format_bpp(uint32_t format)
{
	return gpu_layout(format) ? 4u : 0u;
}

void gpu_format_to_argb(uint32_t format, const void *src, uint32_t *dst, size_t npix)
{
	const struct gpu_layout *l = gpu_layout(format);
	const uint8_t *p = src;

	if (!l) {
		memset(dst, 0, npix * sizeof(*dst));
		return;
	}
	for (size_t i = 0; i < npix; i++, p += 4) {
		uint32_t a = l->a < 0 ? 0xffu : p[l->a];

		dst[i] = a << 24 | (uint32_t)p[l->r] << 16 | (uint32_t)p[l->g] << 8 | p[l->b];
	}
}
