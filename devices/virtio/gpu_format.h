/* virtio-gpu's 2D pixel formats: bytes per pixel, and conversion of a run of pixels to the display's ARGB words. */
#ifndef KEEL_DEVICES_VIRTIO_GPU_FORMAT_H
#define KEEL_DEVICES_VIRTIO_GPU_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* gpu_format_bpp - bytes per pixel of VIRTIO_GPU_FORMAT_* @format; 0: not a format virtio-gpu names. */
unsigned int gpu_format_bpp(uint32_t format);

/*
 * gpu_format_to_argb - @npix pixels of @format at @src (any alignment) as 0xAARRGGBB words into
 * @dst; formats without alpha (X) get 0xff. An unknown @format writes black.
 */
void gpu_format_to_argb(uint32_t format, const void *src, uint32_t *dst, size_t npix);

#endif
