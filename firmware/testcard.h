/* The test card the bundled guest draws through virtio-gpu's 2D path, as a pixel function both the guest and keel's tests compute. */
#ifndef KEEL_FIRMWARE_TESTCARD_H
#define KEEL_FIRMWARE_TESTCARD_H

#include <stdint.h>

/*
 * testcard_pixel - the pixel at (@x, @y) of a @w x @h test card (@w, @h >= 16), as an ARGB word
 * 0xAARRGGBB (alpha 0xff): a white 1-pixel border; eight colour bars (white, yellow, cyan, green,
 * magenta, red, blue, black) over the top two thirds; a grey ramp from black to white left to
 * right below them; a checkerboard of 16-pixel squares (white and dark grey) in the last sixth.
 * Integer arithmetic only: the guest is built without SSE. tests/tools/pngcmp.py's testcard_pixel
 * is its Python twin (--testcard WxH): change both together.
 */
static inline uint32_t testcard_pixel(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	static const uint32_t bars[8] = { 0xffffff, 0xffff00, 0x00ffff, 0x00ff00, 0xff00ff, 0xff0000, 0x0000ff, 0x000000 };
	uint32_t g;

	if (x == 0 || y == 0 || x == w - 1 || y == h - 1)
		return 0xffffffffu;
	if (y < h * 2 / 3)
		return 0xff000000u | bars[(uint64_t)x * 8 / w];
	if (y < h * 5 / 6) {
		g = (uint32_t)((uint64_t)x * 255 / (w - 1));
		return 0xff000000u | g << 16 | g << 8 | g;
	}
	return ((x / 16 + y / 16) & 1) ? 0xffffffffu : 0xff202020u;
}

#endif
