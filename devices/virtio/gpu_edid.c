/* A 128-byte EDID 1.4 base block for one virtio-gpu output: header, identity, sRGB colour, the mode as the preferred detailed timing, name, checksum. */
#include "devices/virtio/gpu_edid.h"

#include <string.h>

/* Reduced blanking, 60 Hz. */
#define EDID_HBLANK 160u
#define EDID_HSYNC_OFF 48u
#define EDID_HSYNC_W 32u
#define EDID_VBLANK 35u
#define EDID_VSYNC_OFF 3u
#define EDID_VSYNC_W 6u
#define EDID_REFRESH 60u
#define EDID_DPI 96u

/* The 10 chromaticity bytes of sRGB's primaries and D65 white (EDID's 10-bit fixed point). */
static const uint8_t edid_srgb[10] = { 0xee, 0x91, 0xa3, 0x54, 0x4c, 0x99, 0x26, 0x0f, 0x50, 0x54 };

static uint32_t edid_clamp(uint32_t v)
{
	return v == 0 ? 1 : v > GPU_EDID_MAX_ACTIVE ? GPU_EDID_MAX_ACTIVE : v;
}

/* The 18-byte detailed timing descriptor of the mode at @d. */
static void edid_timing(uint8_t *d, uint32_t w, uint32_t h)
{
	uint64_t clock = (uint64_t)(w + EDID_HBLANK) * (h + EDID_VBLANK) * EDID_REFRESH / 10000u;
	uint32_t wmm = w * 254u / (EDID_DPI * 10u), hmm = h * 254u / (EDID_DPI * 10u);

	if (clock > 0xffff)
		clock = 0xffff;		/* a lower refresh rate for the largest modes */
	d[0] = (uint8_t)clock;
	d[1] = (uint8_t)(clock >> 8);
	d[2] = (uint8_t)w;
	d[3] = (uint8_t)EDID_HBLANK;
	d[4] = (uint8_t)((w >> 8) << 4 | EDID_HBLANK >> 8);
	d[5] = (uint8_t)h;
	d[6] = (uint8_t)EDID_VBLANK;
	d[7] = (uint8_t)((h >> 8) << 4 | EDID_VBLANK >> 8);
	d[8] = (uint8_t)EDID_HSYNC_OFF;
	d[9] = (uint8_t)EDID_HSYNC_W;
	d[10] = (uint8_t)(EDID_VSYNC_OFF << 4 | EDID_VSYNC_W);
	d[11] = 0;
	d[12] = (uint8_t)wmm;
	d[13] = (uint8_t)hmm;
	d[14] = (uint8_t)((wmm >> 8) << 4 | (hmm >> 8 & 0xf));
	d[17] = 0x1a;			/* digital separate sync, hsync +, vsync - */
}

void gpu_edid_build(uint8_t edid[GPU_EDID_BYTES], uint32_t width, uint32_t height, unsigned int out)
{
	static const uint8_t header[8] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };
	uint32_t w = edid_clamp(width), h = edid_clamp(height);
	uint16_t maker = ('K' - '@') << 10 | ('E' - '@') << 5 | ('L' - '@');
	uint8_t sum = 0;
	uint8_t *d;

	memset(edid, 0, GPU_EDID_BYTES);
	memcpy(edid, header, sizeof(header));
	edid[8] = (uint8_t)(maker >> 8);	/* big-endian, unlike the rest */
	edid[9] = (uint8_t)maker;
	edid[10] = (uint8_t)out;		/* product code */
	edid[16] = 1;				/* week */
	edid[17] = 2026 - 1990;			/* year */
	edid[18] = 1;				/* EDID 1.4 */
	edid[19] = 4;
	edid[20] = 0xa0;			/* digital, 8 bits per colour */
	edid[21] = (uint8_t)(w * 254u / (EDID_DPI * 100u));	/* cm */
	edid[22] = (uint8_t)(h * 254u / (EDID_DPI * 100u));
	edid[23] = 120;				/* gamma 2.2 */
	edid[24] = 0x06;			/* RGB 4:4:4, sRGB, the preferred timing is native */
	memcpy(edid + 25, edid_srgb, sizeof(edid_srgb));
	for (unsigned int i = 38; i < 54; i++)
		edid[i] = 0x01;			/* no standard timings */
	edid_timing(edid + 54, w, h);
	d = edid + 72;				/* display product name */
	d[3] = 0xfc;
	memcpy(d + 5, "keel\n           ", 13);
	edid[90 + 3] = 0x10;			/* dummy descriptors */
	edid[108 + 3] = 0x10;
	for (unsigned int i = 0; i < GPU_EDID_BYTES - 1; i++)
		sum = (uint8_t)(sum + edid[i]);
	edid[GPU_EDID_BYTES - 1] = (uint8_t)(0x100 - sum);
}
