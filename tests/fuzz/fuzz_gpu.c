/* libFuzzer target: arbitrary virtio-gpu requests through the command front end and the 2D renderer, onto a display that checks every update lies inside the mode it set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "devices/virtio/gpu.h"
#include "vmm/log.h"

#define FUZZ_RAM (1ull << 20)		/* a small guest: backing reaches past its end easily */
#define FUZZ_GUARD (2ull << 20)		/* inaccessible host memory on both sides of it */
#define MAX_REQ 4096u			/* one request's bytes at most */
#define MAX_REQS 64u			/* requests one input makes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The display: the modes set, and a check of each update against them. */
struct fz_display {
	uint32_t w[DISPLAY_MAX_OUTPUTS], h[DISPLAY_MAX_OUTPUTS];
	uint64_t sum;			/* of the pixels shown: they are all read */
};

static void fz_set_mode(void *o, unsigned int out, uint32_t w, uint32_t h)
{
	struct fz_display *d = o;

	if (out >= DISPLAY_MAX_OUTPUTS)
		abort();
	d->w[out] = w;
	d->h[out] = h;
}

static void fz_update(void *o, unsigned int out, const uint32_t *px, uint32_t stride, uint32_t x, uint32_t y,
		      uint32_t w, uint32_t h)
{
	struct fz_display *d = o;

	if (out >= DISPLAY_MAX_OUTPUTS || !w || !h || (uint64_t)x + w > d->w[out] || (uint64_t)y + h > d->h[out] ||
	    stride < w * 4u)
		abort();
	for (uint32_t j = 0; j < h; j++)
		for (uint32_t i = 0; i < w; i++)
			d->sum += ((const uint32_t *)((const uint8_t *)px + (size_t)j * stride))[i];
}

static void fz_cursor(void *o, unsigned int out, int32_t x, int32_t y, const uint32_t *image, uint32_t hx,
		      uint32_t hy, bool visible)
{
	struct fz_display *d = o;

	(void)x, (void)y, (void)visible;
	if (out >= DISPLAY_MAX_OUTPUTS || hx >= DISPLAY_CURSOR_SIZE || hy >= DISPLAY_CURSOR_SIZE)
		abort();
	if (image)
		for (unsigned int i = 0; i < DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE; i++)
			d->sum += image[i];
}

static const struct display_sink_ops fz_ops = { fz_set_mode, fz_update, fz_cursor };

/* Made once; the front end is made again for each input. */
static struct {
	struct guest_mem mem;
	struct fz_display disp;
	struct display_port port;
	uint8_t req[MAX_REQ];
	uint8_t resp[GPU_RESP_MIN];
	bool ready;
} fz;

/* Guest RAM between two PROT_NONE guards (one region from 0): a read outside it is a crash. */
static void fz_init(void)
{
	uint8_t *raw = mmap(NULL, FUZZ_RAM + 2 * FUZZ_GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);

	log_set_level(LOG_ERROR);
	if (raw == MAP_FAILED || mprotect(raw + FUZZ_GUARD, FUZZ_RAM, PROT_READ | PROT_WRITE) != 0)
		abort();
	fz.mem.base = raw + FUZZ_GUARD;
	fz.mem.size = FUZZ_RAM;
	fz.mem.regions[0] = (struct gmem_region){ .gpa = 0, .size = FUZZ_RAM, .hva = fz.mem.base };
	fz.mem.nregions = 1;
	for (uint64_t i = 0; i < FUZZ_RAM; i++)
		fz.mem.base[i] = (uint8_t)(i * 7u);
	fz.port = (struct display_port){ .ops = &fz_ops, .opaque = &fz.disp };
	fz.ready = true;
}

/*
 * The input: a byte of flags (outputs, EDID), then requests, each a 16-bit little-endian length
 * and that many bytes (cut at MAX_REQ).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gpu_backend_env env = { &fz.port, 1, NULL, NULL };
	struct gpu_cmd g;
	char err[100];
	bool edid;

	if (!fz.ready)
		fz_init();
	if (size < 1)
		return 0;
	memset(&fz.disp, 0, sizeof(fz.disp));
	env.outputs = 1 + (data[0] & 3);
	edid = data[0] & 4;
	g = (struct gpu_cmd){ .name = "fuzz-gpu", .ops = &gpu_2d_backend, .mem = &fz.mem, .display = &fz.port,
			      .outputs = env.outputs, .width = 640, .height = 480 };
	if (gpu_2d_backend.create(&env, &g.b, err, sizeof(err)) < 0)
		abort();
	data++, size--;
	for (unsigned int n = 0; n < MAX_REQS && size >= 2; n++) {
		size_t len = (size_t)data[0] | (size_t)data[1] << 8;
		struct gpu_cmd_result res;
		uint32_t type;

		data += 2, size -= 2;
		if (len > size)
			len = size;
		if (len > MAX_REQ)
			len = MAX_REQ;
		memcpy(fz.req, data, len);
		data += len, size -= len;
		gpu_cmd_exec(&g, fz.req, len, edid, fz.resp, sizeof(fz.resp), &res);
		memcpy(&type, fz.resp, sizeof(type));
		if (res.len < sizeof(struct virtio_gpu_ctrl_hdr) || res.len > sizeof(fz.resp) || res.fence_wait ||
		    type < VIRTIO_GPU_RESP_OK_NODATA || type > VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER ||
		    g.res.bytes > GPU_RES_HOST_MAX)
			abort();
	}
	gpu_cmd_reset(&g);
	if (g.res.n || g.res.bytes)
		abort();
	gpu_2d_backend.destroy(g.b);
	return 0;
}
