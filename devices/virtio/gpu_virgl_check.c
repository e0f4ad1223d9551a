/* What keel checks of a virgl request before virglrenderer sees it: a resource's shape and size, a transfer's box and backing range, a command stream's framing. */
#include "devices/virtio/gpu_virgl_check.h"

#include "devices/virtio/virgl_proto.h"

/*
 * Bytes of one pixel of virgl format @f, for the backing check. Formats not listed (the compressed
 * ones among them: at most 16 bytes a 4x4 block) get the widest pixel, so the check is never short.
 */
uint32_t gpu_virgl_pixel_bytes(uint32_t f)
{
	/* virgl format numbers (virgl_hw.h's enum virgl_formats), first..last, and their pixel's bytes */
	static const struct {
		uint16_t first, last;
		uint8_t bytes;
	} known[] = {
		{ 1, 4, 4 },     { 5, 7, 2 },     { 8, 8, 4 },     { 9, 11, 1 },    { 12, 13, 2 },   { 16, 16, 2 },
		{ 17, 22, 4 },   { 23, 23, 1 },   { 24, 24, 8 },   { 28, 28, 4 },   { 29, 29, 8 },   { 31, 31, 16 },
		{ 48, 48, 2 },   { 49, 49, 4 },   { 51, 51, 8 },   { 64, 64, 1 },   { 65, 65, 2 },   { 67, 68, 4 },
		{ 69, 69, 1 },   { 74, 74, 1 },   { 82, 82, 1 },   { 91, 91, 2 },   { 92, 92, 4 },   { 94, 94, 8 },
		{ 98, 104, 4 },  { 121, 121, 4 }, { 124, 124, 4 }, { 126, 126, 8 }, { 131, 131, 4 }, { 134, 134, 4 },
		{ 177, 177, 1 }, { 178, 178, 2 }, { 180, 180, 4 }, { 181, 181, 1 }, { 182, 182, 2 }, { 184, 184, 4 },
		{ 185, 185, 2 }, { 186, 186, 4 }, { 188, 188, 8 }, { 189, 189, 2 }, { 190, 190, 4 }, { 192, 192, 8 },
		{ 193, 193, 4 }, { 194, 194, 8 }, { 196, 196, 16 }, { 197, 197, 4 }, { 198, 198, 8 }, { 200, 200, 16 },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (f >= known[i].first && f <= known[i].last)
			return known[i].bytes;
	return GPU_VIRGL_MAX_PIXEL_BYTES;
}

uint32_t gpu_virgl_resource_ok(const struct virtio_gpu_resource_create_3d *c)
{
	uint64_t bytes = gpu_virgl_pixel_bytes(c->format);

	if (c->target > GPU_VIRGL_TEXTURE_CUBE_ARRAY || !c->width || !c->height || !c->depth || !c->array_size ||
	    c->last_level > 31)
		return VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER;
	/* level 0; the other levels add a third at most */
	if (__builtin_mul_overflow(bytes == GPU_VIRGL_MAX_PIXEL_BYTES ? 4 : bytes, (uint64_t)c->width, &bytes) ||
	    __builtin_mul_overflow(bytes, (uint64_t)c->height, &bytes) ||
	    __builtin_mul_overflow(bytes, (uint64_t)c->depth, &bytes) ||
	    __builtin_mul_overflow(bytes, (uint64_t)c->array_size, &bytes) || bytes > GPU_VIRGL_MAX_RESOURCE_BYTES)
		return VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY;
	return VIRTIO_GPU_RESP_OK_NODATA;
}

/* The shape virglrenderer gave @r: as the driver asked for a 3D resource, a one-level 2D texture otherwise. */
static struct virtio_gpu_resource_create_3d shape_of(const struct gpu_resource *r)
{
	if (r->is_3d)
		return r->create_3d;
	return (struct virtio_gpu_resource_create_3d){ .target = PIPE_TEXTURE_2D, .format = r->format,
						       .width = r->width, .height = r->height, .depth = 1,
						       .array_size = 1 };
}

/*
 * Is @t's box inside level @t->level of @r, and does the backing hold every byte the transfer
 * touches (offset + (d - 1) * layer_stride + (h - 1) * stride + w * pixel bytes, each product and
 * sum checked for overflow)?
 */
bool gpu_virgl_transfer_ok(const struct gpu_resource *r, const struct virtio_gpu_transfer_host_3d *t)
{
	const struct virtio_gpu_resource_create_3d c = shape_of(r);
	const struct virtio_gpu_box *bx = &t->box;
	uint64_t w, h, layers, px, stride, layer_stride, rows, slices, last, need;

	if (!r->backing || t->level > c.last_level || t->level > 31)
		return false;
	w = c.width >> t->level ? c.width >> t->level : 1;
	h = c.height >> t->level ? c.height >> t->level : 1;
	if (c.target == PIPE_TEXTURE_3D)
		layers = c.depth >> t->level ? c.depth >> t->level : 1;
	else if (c.target == PIPE_TEXTURE_CUBE)
		layers = c.array_size > 6 ? c.array_size : 6;
	else
		layers = c.array_size;
	if (c.target == PIPE_BUFFER || c.target == PIPE_TEXTURE_1D)
		h = 1;
	if (c.target == GPU_VIRGL_TEXTURE_1D_ARRAY) {
		/* a 1D array's layers are its y */
		h = c.array_size;
		layers = 1;
	}
	if (!bx->w || !bx->h || !bx->d || (uint64_t)bx->x + bx->w > w || (uint64_t)bx->y + bx->h > h ||
	    (uint64_t)bx->z + bx->d > layers)
		return false;
	px = c.target == PIPE_BUFFER ? 1 : gpu_virgl_pixel_bytes(r->format);
	stride = t->stride ? t->stride : w * px;	/* at most 2^37 */
	if (t->layer_stride)
		layer_stride = t->layer_stride;
	else if (__builtin_mul_overflow(stride, h, &layer_stride))
		return false;
	if (__builtin_mul_overflow((uint64_t)bx->d - 1, layer_stride, &slices) ||
	    __builtin_mul_overflow((uint64_t)bx->h - 1, stride, &rows) ||
	    __builtin_add_overflow(slices, rows, &need) || __builtin_add_overflow(need, bx->w * px, &last))
		return false;
	return t->offset <= r->backing_bytes && last <= r->backing_bytes - t->offset;
}

/*
 * Does every command of the @ndw words at @w end inside them? Each starts with a header whose
 * bits 16-31 count the words after it. virglrenderer 0.10.4 logs a command that runs past the end
 * and returns success: keel refuses it here instead.
 */
bool gpu_virgl_stream_framed(const uint32_t *w, uint32_t ndw)
{
	uint32_t i = 0;

	while (i < ndw) {
		uint32_t len = VIRGL_CMD0_LEN(w[i]);

		if (len >= ndw - i)
			return false;
		i += len + 1;
	}
	return true;
}
