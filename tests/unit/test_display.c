/* Unit tests of the display: framebuffer updates and clipping, mode changes, PNG screenshots read back with libpng, the keymap, the adders, and the VNC server against tests/tools/vncclient.py. */
#include "tests/unit/suites.h"

#include "devices/virtio/input_spec.h"
#include "firmware/testcard.h"
#include "vmm/config.h"
#include "vmm/display.h"
#include "vmm/display_keymap.h"
#include "vmm/display_png.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <netinet/in.h>
#include <png.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct display *make_display(void)
{
	struct config_display cfg = { .kind = CONFIG_DISPLAY_NONE };
	struct display *d = NULL;
	char err[256] = "";

	ck_assert_msg(display_create(&cfg, &d, err, sizeof(err)) == 0, "%s", err);
	return d;
}

static void sink_mode(struct display *d, unsigned int out, uint32_t w, uint32_t h)
{
	d->port.ops->set_mode(d->port.opaque, out, w, h);
}

static void sink_update(struct display *d, unsigned int out, const uint32_t *px, uint32_t stride, uint32_t x,
			uint32_t y, uint32_t w, uint32_t h)
{
	d->port.ops->update(d->port.opaque, out, px, stride, x, y, w, h);
}

START_TEST(update_and_clip)
{
	struct display *d = make_display();
	uint32_t src[4 * 3], *px, w, h;

	for (unsigned int i = 0; i < 12; i++)
		src[i] = 0xff000000u | i;
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), -ENODATA);
	sink_mode(d, 0, 8, 4);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), 0);
	ck_assert_uint_eq(w, 8);
	ck_assert_uint_eq(h, 4);
	for (unsigned int i = 0; i < 32; i++)
		ck_assert_uint_eq(px[i], 0);	/* black until updated */
	free(px);
	/* a 2 x 2 rectangle of a 4-wide source at (1, 1) */
	sink_update(d, 0, src, 4 * sizeof(uint32_t), 1, 1, 2, 2);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), 0);
	ck_assert_uint_eq(px[1 * 8 + 1], src[0]);
	ck_assert_uint_eq(px[1 * 8 + 2], src[1]);
	ck_assert_uint_eq(px[2 * 8 + 1], src[4]);
	ck_assert_uint_eq(px[2 * 8 + 2], src[5]);
	ck_assert_uint_eq(px[0], 0);
	ck_assert_uint_eq(px[1 * 8 + 3], 0);
	free(px);
	/* running off the right and bottom edges: clipped, nothing outside is touched */
	sink_update(d, 0, src, 4 * sizeof(uint32_t), 6, 2, 4, 3);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), 0);
	ck_assert_uint_eq(px[2 * 8 + 6], src[0]);
	ck_assert_uint_eq(px[2 * 8 + 7], src[1]);
	ck_assert_uint_eq(px[3 * 8 + 6], src[4]);
	ck_assert_uint_eq(px[3 * 8 + 7], src[5]);
	free(px);
	/* wholly outside, a bad output, no pixels: ignored */
	sink_update(d, 0, src, 16, 8, 0, 1, 1);
	sink_update(d, 0, src, 16, 0, 4, 1, 1);
	sink_update(d, DISPLAY_MAX_OUTPUTS, src, 16, 0, 0, 1, 1);
	sink_update(d, 0, NULL, 16, 0, 0, 1, 1);
	sink_update(d, 1, src, 16, 0, 0, 1, 1);	/* output 1 is off */
	ck_assert_int_eq(display_copy(d, 1, &px, &w, &h), -ENODATA);
	ck_assert_int_eq(display_copy(d, DISPLAY_MAX_OUTPUTS, &px, &w, &h), -EINVAL);
	display_destroy(d);
}
END_TEST

START_TEST(set_mode)
{
	struct display *d = make_display();
	uint32_t one = 0xffabcdefu, *px, w, h;
	static const uint32_t cursor[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE] = { 0xffffffffu };

	sink_mode(d, 0, 4, 4);
	sink_update(d, 0, &one, 4, 3, 3, 1, 1);
	/* the cursor is kept, never composited into the scanout */
	d->port.ops->cursor(d->port.opaque, 0, 0, 0, cursor, 0, 0, true);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), 0);
	ck_assert_uint_eq(px[0], 0);
	ck_assert_uint_eq(px[15], one);
	free(px);
	ck_assert(d->cursors[0].visible && d->cursors[0].has_image);
	/* a new mode starts black at its size */
	sink_mode(d, 0, 2, 3);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), 0);
	ck_assert_uint_eq(w, 2);
	ck_assert_uint_eq(h, 3);
	for (unsigned int i = 0; i < 6; i++)
		ck_assert_uint_eq(px[i], 0);
	free(px);
	/* an update for the old, larger mode is clipped to the new one */
	sink_update(d, 0, &one, 4, 1, 2, 1, 1);
	sink_update(d, 0, &one, 4, 3, 3, 1, 1);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), 0);
	ck_assert_uint_eq(px[2 * 2 + 1], one);
	free(px);
	/* 0 x 0 (and half-zero) turn the output off */
	sink_mode(d, 0, 0, 0);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), -ENODATA);
	sink_mode(d, 0, 5, 0);
	ck_assert_int_eq(display_copy(d, 0, &px, &w, &h), -ENODATA);
	sink_mode(d, DISPLAY_MAX_OUTPUTS, 4, 4);	/* ignored */
	display_destroy(d);
}
END_TEST

/* Read @path back with libpng as 8-bit RGB: a malloc'd array of ARGB words (alpha 0xff). */
static uint32_t *png_read_back(const char *path, uint32_t *w, uint32_t *h)
{
	png_image img = { .version = PNG_IMAGE_VERSION };
	uint32_t *px;

	ck_assert_msg(png_image_begin_read_from_file(&img, path), "%s: %s", path, img.message);
	img.format = PNG_FORMAT_BGRA;	/* bytes B, G, R, A: an ARGB word in host order */
	*w = img.width;
	*h = img.height;
	px = malloc(PNG_IMAGE_SIZE(img));
	ck_assert_ptr_nonnull(px);
	ck_assert_msg(png_image_finish_read(&img, NULL, px, 0, NULL), "%s: %s", path, img.message);
	return px;
}

static void tmp_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "/tmp/keel-display-%ld-%s", (long)getpid(), name);
}

START_TEST(png_round_trip)
{
	enum { W = 37, H = 23 };
	uint32_t *img = malloc(W * H * sizeof(uint32_t)), *back, w, h;
	char path[128], tmp[140], err[256] = "";

	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			img[y * W + x] = 0x12000000u | (x * 7) << 16 | (y * 11) << 8 | ((x ^ y) & 0xff);
	tmp_path(path, sizeof(path), "rt.png");
	ck_assert_msg(display_png_write(path, img, W, H, W * sizeof(uint32_t), err, sizeof(err)) == 0, "%s", err);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_ne(access(tmp, F_OK), 0);	/* renamed away */
	back = png_read_back(path, &w, &h);
	ck_assert_uint_eq(w, W);
	ck_assert_uint_eq(h, H);
	for (uint32_t i = 0; i < W * H; i++)
		ck_assert_msg(back[i] == (img[i] | 0xff000000u), "pixel %u: %08x, wrote %08x", i, back[i], img[i]);
	free(back);
	unlink(path);
	/* a directory that does not exist: one line naming the file, nothing left behind */
	ck_assert_int_lt(display_png_write("/nonexistent/x.png", img, W, H, W * 4, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.png"));
	free(img);
}
END_TEST

START_TEST(screenshot_outputs)
{
	struct display *d = make_display();
	uint32_t card[32 * 16], *back, w, h;
	char path[128], path1[140], err[256] = "";
	char cmd[512];

	ck_assert_int_eq(display_output_path("a.png", 0, path1, sizeof(path1)), 0);
	ck_assert_str_eq(path1, "a.png");
	ck_assert_int_eq(display_output_path("dir/a.png", 2, path1, sizeof(path1)), 0);
	ck_assert_str_eq(path1, "dir/a-2.png");
	ck_assert_int_eq(display_output_path("shot", 1, path1, sizeof(path1)), 0);
	ck_assert_str_eq(path1, "shot-1");
	ck_assert_int_eq(display_output_path("shot.png", 1, path1, 4), -ENAMETOOLONG);

	tmp_path(path, sizeof(path), "shot.png");
	ck_assert_int_eq(display_screenshot(d, path, err, sizeof(err)), -ENODATA);
	for (uint32_t y = 0; y < 16; y++)
		for (uint32_t x = 0; x < 32; x++)
			card[y * 32 + x] = testcard_pixel(x, y, 32, 16);
	sink_mode(d, 0, 32, 16);
	sink_update(d, 0, card, 32 * 4, 0, 0, 32, 16);
	sink_mode(d, 1, 16, 16);
	ck_assert_msg(display_screenshot(d, path, err, sizeof(err)) == 2, "%s", err);
	back = png_read_back(path, &w, &h);
	ck_assert_uint_eq(w, 32);
	ck_assert_uint_eq(h, 16);
	ck_assert_int_eq(memcmp(back, card, sizeof(card)), 0);
	free(back);
	/* tests/tools/pngcmp.py's test card is firmware/testcard.h's */
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/pngcmp.py %s --testcard 32x16", path);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/pngcmp.py %s --not-blank", path);
	ck_assert_int_eq(system(cmd), 0);
	display_output_path(path, 1, path1, sizeof(path1));
	back = png_read_back(path1, &w, &h);
	ck_assert_uint_eq(w, 16);
	ck_assert_uint_eq(back[0], 0xff000000u);
	free(back);
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/pngcmp.py %s --not-blank >/dev/null", path1);
	ck_assert_int_ne(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/pngcmp.py %s --differs %s >/dev/null", path, path1);
	ck_assert_int_eq(system(cmd), 0);
	unlink(path);
	unlink(path1);
	display_destroy(d);
}
END_TEST

START_TEST(keymap)
{
	ck_assert_uint_eq(display_keymap('a'), KEY_A);
	ck_assert_uint_eq(display_keymap('A'), KEY_A);
	ck_assert_uint_eq(display_keymap('z'), KEY_Z);
	ck_assert_uint_eq(display_keymap('0'), KEY_0);
	ck_assert_uint_eq(display_keymap('1'), KEY_1);
	ck_assert_uint_eq(display_keymap('!'), KEY_1);
	ck_assert_uint_eq(display_keymap(' '), KEY_SPACE);
	ck_assert_uint_eq(display_keymap('/'), KEY_SLASH);
	ck_assert_uint_eq(display_keymap('~'), KEY_GRAVE);
	ck_assert_uint_eq(display_keymap('"'), KEY_APOSTROPHE);
	ck_assert_uint_eq(display_keymap(0xff0d), KEY_ENTER);
	ck_assert_uint_eq(display_keymap(0xff08), KEY_BACKSPACE);
	ck_assert_uint_eq(display_keymap(0xff09), KEY_TAB);
	ck_assert_uint_eq(display_keymap(0xff1b), KEY_ESC);
	ck_assert_uint_eq(display_keymap(0xffff), KEY_DELETE);
	ck_assert_uint_eq(display_keymap(0xff52), KEY_UP);
	ck_assert_uint_eq(display_keymap(0xff56), KEY_PAGEDOWN);
	ck_assert_uint_eq(display_keymap(0xffbe), KEY_F1);
	ck_assert_uint_eq(display_keymap(0xffc9), KEY_F12);
	ck_assert_uint_eq(display_keymap(0xffe1), KEY_LEFTSHIFT);
	ck_assert_uint_eq(display_keymap(0xffe4), KEY_RIGHTCTRL);
	ck_assert_uint_eq(display_keymap(0xffe9), KEY_LEFTALT);
	ck_assert_uint_eq(display_keymap(0xffeb), KEY_LEFTMETA);
	ck_assert_uint_eq(display_keymap(0xffe5), KEY_CAPSLOCK);
	ck_assert_uint_eq(display_keymap(0), 0);
	ck_assert_uint_eq(display_keymap(0x7f), 0);
	ck_assert_uint_eq(display_keymap(0xff00), 0);
	ck_assert_uint_eq(display_keymap(0x100000a), 0);
}
END_TEST

START_TEST(config_adders)
{
	struct vm_config c;
	char err[256];

	vm_config_init(&c);
	ck_assert_int_eq(config_set_display(&c, "none", err, sizeof(err)), 0);
	ck_assert_int_eq(c.display.kind, CONFIG_DISPLAY_NONE);
	ck_assert_int_eq(config_set_display(&c, "vnc:5909", err, sizeof(err)), 0);
	ck_assert_int_eq(c.display.kind, CONFIG_DISPLAY_VNC);
	ck_assert_ptr_null(c.display.host);
	ck_assert_uint_eq(c.display.port, 5909);
	ck_assert_int_eq(config_set_display(&c, "vnc:5910", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--display given twice");
	vm_config_free(&c);

	ck_assert_int_eq(config_set_display(&c, "vnc:0.0.0.0:1", err, sizeof(err)), 0);
	ck_assert_str_eq(c.display.host, "0.0.0.0");
	ck_assert_uint_eq(c.display.port, 1);
	vm_config_free(&c);
	ck_assert_int_eq(config_set_display(&c, "vnc:::1:65535", err, sizeof(err)), 0);
	ck_assert_str_eq(c.display.host, "::1");
	vm_config_free(&c);
	ck_assert_int_eq(config_set_display(&c, "vnc:[::1]:5900", err, sizeof(err)), 0);
	ck_assert_str_eq(c.display.host, "::1");
	vm_config_free(&c);

	static const char *const bad[] = { "vnc", "vnc:", "vnc:0", "vnc:65536", "vnc:x", "vnc:host:", ":5900",
					   "vnc::5900", "vnc:5900x", "sdl", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(config_set_display(&c, bad[i], err, sizeof(err)) == -EINVAL, "%s accepted", bad[i]);
		ck_assert_msg(!strncmp(err, "--display", 9) && !strchr(err, '\n'), "%s: %s", bad[i], err);
		ck_assert_int_eq(c.display.kind, CONFIG_DISPLAY_NONE);
	}
	ck_assert_int_eq(config_set_screenshot(&c, "a.png", err, sizeof(err)), 0);
	ck_assert_str_eq(c.display.screenshot, "a.png");
	ck_assert_int_eq(config_set_screenshot(&c, "b.png", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--screenshot given twice");
	ck_assert_int_eq(config_set_screenshot_on_exit(&c, "", err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--screenshot-on-exit: the file name is empty");
	ck_assert_int_eq(config_set_screenshot_on_exit(&c, "e.png", err, sizeof(err)), 0);
	ck_assert_str_eq(c.display.screenshot_on_exit, "e.png");

	/* a display without a GPU to show is a usage error naming --gpu; inputs alone want one */
	ck_assert_int_eq(display_wanted(&c, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--gpu"));
	ck_assert_ptr_nonnull(strstr(err, "--screenshot"));
	c.virtio.gpu.kind = VIRTIO_GPU_2D;
	ck_assert_int_eq(display_wanted(&c, err, sizeof(err)), 1);
	vm_config_free(&c);
	ck_assert_int_eq(display_wanted(&c, err, sizeof(err)), 0);
	c.virtio.ninputs = 1;
	ck_assert_int_eq(display_wanted(&c, err, sizeof(err)), 1);
	c.virtio.ninputs = 0;
	vm_config_free(&c);
}
END_TEST

/* What an input device would have received from the VNC front end. */
struct recorder {
	pthread_mutex_t lock;
	uint16_t keys[64];
	bool downs[64];
	unsigned int nkeys;
	uint32_t x, y, buttons_seen;
	int32_t wheel;
	unsigned int npointer;
};

static void rec_key(void *opaque, uint16_t code, bool down)
{
	struct recorder *r = opaque;

	pthread_mutex_lock(&r->lock);
	if (r->nkeys < 64) {
		r->keys[r->nkeys] = code;
		r->downs[r->nkeys++] = down;
	}
	pthread_mutex_unlock(&r->lock);
}

static void rec_pointer(void *opaque, uint32_t x, uint32_t y, uint32_t buttons, int32_t wheel)
{
	struct recorder *r = opaque;

	pthread_mutex_lock(&r->lock);
	r->wheel += wheel;
	r->x = x;
	r->y = y;
	r->buttons_seen |= buttons;
	r->npointer++;
	pthread_mutex_unlock(&r->lock);
}

static const struct input_sink_ops rec_ops = { .key = rec_key, .pointer = rec_pointer };

/* A TCP port on loopback nobody listens on just now. */
static unsigned int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	return ntohs(a.sin_port);
}

START_TEST(vnc_server)
{
	enum { W = 64, H = 48 };
	struct config_display cfg = { .kind = CONFIG_DISPLAY_VNC, .port = free_port() };
	struct recorder rec = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct input_sink sink = { .ops = &rec_ops, .opaque = &rec };
	uint32_t card[W * H], *back, w, h;
	char path[128], cmd[512], err[256] = "";
	struct display *d = NULL, *busy = NULL;
	uint32_t one;
	FILE *p;

	ck_assert_msg(display_create(&cfg, &d, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(display_port_add_input(&d->port, &sink), 0);
	/* the port is taken now: a second server says so in one line */
	ck_assert_int_lt(display_create(&cfg, &busy, err, sizeof(err)), 0);
	ck_assert_ptr_null(busy);
	ck_assert_ptr_nonnull(strstr(err, "cannot listen"));

	/* the client sees the idle screen, then output 0 at its mode */
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/vncclient.py --timeout 5 127.0.0.1:%u info", cfg.port);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(err, sizeof(err), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(err, "640x480 keel\n");
	for (uint32_t y = 0; y < H; y++)
		for (uint32_t x = 0; x < W; x++)
			card[y * W + x] = testcard_pixel(x, y, W, H);
	sink_mode(d, 0, W, H);
	sink_update(d, 0, card, W * 4, 0, 0, W, H);
	tmp_path(path, sizeof(path), "vnc.png");
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/vncclient.py --timeout 5 127.0.0.1:%u shot %s", cfg.port, path);
	ck_assert_int_eq(system(cmd), 0);
	back = png_read_back(path, &w, &h);
	ck_assert_uint_eq(w, W);
	ck_assert_uint_eq(h, H);
	for (uint32_t i = 0; i < W * H; i++)
		ck_assert_msg(back[i] == card[i], "pixel (%u, %u): %08x, expected %08x", i % W, i / W, back[i], card[i]);
	free(back);
	unlink(path);

	/* keys: "aB" and Return, each down then up, as evdev codes */
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/vncclient.py --timeout 5 127.0.0.1:%u keys 'aB\n'", cfg.port);
	ck_assert_int_eq(system(cmd), 0);
	pthread_mutex_lock(&rec.lock);
	ck_assert_uint_eq(rec.nkeys, 6);
	ck_assert_uint_eq(rec.keys[0], KEY_A);
	ck_assert(rec.downs[0] && !rec.downs[1]);
	ck_assert_uint_eq(rec.keys[2], KEY_B);
	ck_assert_uint_eq(rec.keys[4], KEY_ENTER);
	pthread_mutex_unlock(&rec.lock);

	/* a click at the bottom-right pixel: the far end of the absolute range, the left button */
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/vncclient.py --timeout 5 127.0.0.1:%u click %u %u", cfg.port,
		 W - 1, H - 1);
	ck_assert_int_eq(system(cmd), 0);
	pthread_mutex_lock(&rec.lock);
	ck_assert_uint_ge(rec.npointer, 3);
	ck_assert_uint_eq(rec.x, VIRTIO_INPUT_ABS_MAX);
	ck_assert_uint_eq(rec.y, VIRTIO_INPUT_ABS_MAX);
	ck_assert_uint_eq(rec.buttons_seen, 1);
	ck_assert_int_eq(rec.wheel, 0);
	pthread_mutex_unlock(&rec.lock);

	/* the wheel: button 4 pressed twice (up), button 5 once (down), at the middle of the screen */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import sys; sys.path.insert(0, \"tests/tools\"); import vncclient as v\n"
		 "c = v.Client(\"127.0.0.1\", %u, 5)\n"
		 "for b in (8, 0, 8, 0, 16, 0): c.pointer(%u, %u, b)\n"
		 "c.request(False, 1, 1); c.read_update()'", cfg.port, (W - 1) / 2, (H - 1) / 2);
	ck_assert_int_eq(system(cmd), 0);
	pthread_mutex_lock(&rec.lock);
	ck_assert_int_eq(rec.wheel, 1);
	ck_assert_uint_eq(rec.buttons_seen, 1);	/* the wheel is no button */
	ck_assert_uint_eq(rec.x, (31u * VIRTIO_INPUT_ABS_MAX + 31) / 63);
	pthread_mutex_unlock(&rec.lock);

	/* a mode change reaches a new client at the new size */
	sink_mode(d, 0, 32, 16);
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/vncclient.py --timeout 5 127.0.0.1:%u info", cfg.port);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(fgets(err, sizeof(err), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(err, "32x16 keel\n");

	/* a client that stays connected across a mode change is told the new size (DesktopSize) */
	snprintf(cmd, sizeof(cmd),
		 "python3 -c 'import sys, time; sys.path.insert(0, \"tests/tools\"); import vncclient as v\n"
		 "c = v.Client(\"127.0.0.1\", %u, 5); w, h, px = c.screenshot(); print(w, h, flush=True)\n"
		 "time.sleep(0.5); w, h, px = c.screenshot(); print(w, h, px[:3].hex())'", cfg.port);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(err, sizeof(err), p));
	ck_assert_str_eq(err, "32 16\n");
	sink_mode(d, 0, 24, 8);
	one = 0xff123456u;
	sink_update(d, 0, &one, 4, 0, 0, 1, 1);
	ck_assert_ptr_nonnull(fgets(err, sizeof(err), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(err, "24 8 123456\n");
	display_destroy(d);
}
END_TEST

/* An IPv6-only server ([::1]) serves a client (libvncserver's own loop aborted on one). */
START_TEST(vnc_ipv6)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct config_display cfg = { .kind = CONFIG_DISPLAY_VNC, .host = "::1" };
	socklen_t len = sizeof(a);
	struct display *d = NULL;
	char cmd[256], line[128] = "", err[256] = "";
	int fd = socket(AF_INET6, SOCK_STREAM, 0);
	FILE *p;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (fd >= 0)
			close(fd);
		return;		/* no IPv6 loopback on this host */
	}
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	cfg.port = ntohs(a.sin6_port);
	ck_assert_msg(display_create(&cfg, &d, err, sizeof(err)) == 0, "%s", err);
	sink_mode(d, 0, 16, 16);
	snprintf(cmd, sizeof(cmd), "python3 tests/tools/vncclient.py --timeout 5 '[::1]:%u' info", cfg.port);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), p));
	ck_assert_int_eq(pclose(p), 0);
	ck_assert_str_eq(line, "16x16 keel\n");
	display_destroy(d);
}
END_TEST

Suite *display_suite(void)
{
	Suite *s = suite_create("display");
	TCase *tc = tcase_create("display");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, update_and_clip);
	tcase_add_test(tc, set_mode);
	tcase_add_test(tc, png_round_trip);
	tcase_add_test(tc, screenshot_outputs);
	tcase_add_test(tc, keymap);
	tcase_add_test(tc, config_adders);
	tcase_add_test(tc, vnc_server);
	tcase_add_test(tc, vnc_ipv6);
	suite_add_tcase(s, tc);
	return s;
}
