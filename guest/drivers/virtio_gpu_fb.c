/* virtio-gpu's scanout resource: created and backed once, the test card drawn into it row by row, transferred and flushed. */
#include "guest/drivers/virtio_gpu.h"

#include "firmware/testcard.h"
#include "guest/arch/x86/mmu.h"
#include "guest/lib/string.h"

#define FRAME 4096u
#define ROW_KINDS 5

static int step_failed(const char **what, const char *step, int t)
{
	*what = step;
	return t ? t : -1;
}

int vgpu_fb_setup(struct vgpu *g, const char **what)
{
	uint64_t bytes;
	int t;

	if (g->fb_created)
		return 0;
	if (!g->width && (t = vgpu_display_info(g)) != VIRTIO_GPU_RESP_OK_DISPLAY_INFO)
		return step_failed(what, "GET_DISPLAY_INFO", t);
	bytes = (uint64_t)g->width * g->height * 4;
	if (!bytes || bytes > VGPU_FB_MAX)
		return step_failed(what, "output 0's mode (too big or empty)", -1);
	if (!g->fb_pa && !(g->fb_pa = vgpu_alloc_contig((unsigned int)((bytes + FRAME - 1) / FRAME))))
		return step_failed(what, "allocating the backing", -1);
	g->fb = phys_to_virt(g->fb_pa);
	g->fb_bytes = (size_t)bytes;
	if ((t = vgpu_create_2d(g, VGPU_FB_RES, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, g->width, g->height)) !=
	    VIRTIO_GPU_RESP_OK_NODATA)
		return step_failed(what, "RESOURCE_CREATE_2D", t);
	if ((t = vgpu_attach(g, VGPU_FB_RES, g->fb_pa, bytes)) != VIRTIO_GPU_RESP_OK_NODATA)
		return step_failed(what, "RESOURCE_ATTACH_BACKING", t);
	if ((t = vgpu_set_scanout(g, 0, VGPU_FB_RES, 0, 0, g->width, g->height)) != VIRTIO_GPU_RESP_OK_NODATA)
		return step_failed(what, "SET_SCANOUT", t);
	g->fb_created = true;
	return 0;
}

/*
 * Which rows of the card are equal: the border rows, the bars, the ramp, and the checkerboard's two
 * phases (testcard.h's regions). Each kind is computed with testcard_pixel once and copied after:
 * pixel by pixel, 1280x800 would take seconds of emulated ring 0.
 */
static unsigned int row_kind(uint32_t y, uint32_t h)
{
	if (y == 0 || y == h - 1)
		return 0;
	if (y < h * 2 / 3)
		return 1;
	if (y < h * 5 / 6)
		return 2;
	return 3 + ((y / 16) & 1);
}

void vgpu_draw_testcard(struct vgpu *g)
{
	uint32_t w = g->width, h = g->height, first[ROW_KINDS];
	bool seen[ROW_KINDS] = { false };

	for (uint32_t y = 0; y < h; y++) {
		unsigned int k = row_kind(y, h);
		uint32_t *row = g->fb + (uint64_t)y * w;

		if (seen[k]) {
			memcpy(row, g->fb + (uint64_t)first[k] * w, (size_t)w * 4);
			continue;
		}
		for (uint32_t x = 0; x < w; x++)
			row[x] = testcard_pixel(x, y, w, h);
		seen[k] = true;
		first[k] = y;
	}
}

int vgpu_fb_update(struct vgpu *g, const char **what)
{
	int t;

	if ((t = vgpu_transfer_2d(g, VGPU_FB_RES, 0, 0, g->width, g->height, 0)) != VIRTIO_GPU_RESP_OK_NODATA)
		return step_failed(what, "TRANSFER_TO_HOST_2D", t);
	if ((t = vgpu_flush(g, VGPU_FB_RES, 0, 0, g->width, g->height, true)) != VIRTIO_GPU_RESP_OK_NODATA)
		return step_failed(what, "RESOURCE_FLUSH", t);
	return 0;
}
