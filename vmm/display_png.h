/* Screenshots as PNG files (libpng): an ARGB image written as 8-bit RGB, to FILE.tmp then renamed. */
#ifndef KEEL_VMM_DISPLAY_PNG_H
#define KEEL_VMM_DISPLAY_PNG_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "keel-config.h"

#if KEEL_HAVE_PNG
/*
 * display_png_write - write the @w x @h image @pixels (0xAARRGGBB words, rows @stride bytes
 * apart; alpha dropped) to @path as an 8-bit RGB PNG: to "@path.tmp" first, renamed over @path
 * when complete. Returns 0, or -errno with one line in @err.
 */
int display_png_write(const char *path, const uint32_t *pixels, uint32_t w, uint32_t h, size_t stride, char *err,
		      size_t errlen);
#else
static inline int display_png_write(const char *path, const uint32_t *pixels, uint32_t w, uint32_t h,
				    size_t stride, char *err, size_t errlen)
{
	(void)pixels;
	(void)w;
	(void)h;
	(void)stride;
	snprintf(err, errlen, "screenshot %s: keel was built without libpng (install libpng-dev and rebuild)", path);
	return -ENOTSUP;
}
#endif

#endif
