/* The VM's display: one framebuffer per output that virtio-gpu draws into, screenshots of them, and the VNC front end that shows output 0 and feeds the input devices. */
#ifndef KEEL_VMM_DISPLAY_H
#define KEEL_VMM_DISPLAY_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "devices/display.h"
#include "vmm/config.h"

struct display_vnc;

/* One output's image: ARGB words, w * h of them, rows w words apart; NULL while the output is off (0 x 0). */
struct display_output {
	uint32_t w, h;
	uint32_t *pixels;
};

/* An output's cursor as the device last set it: kept for the front ends, never in screenshots. */
struct display_cursor {
	int32_t x, y;
	uint32_t hot_x, hot_y;
	bool visible;
	bool has_image;
	uint32_t image[DISPLAY_CURSOR_SIZE * DISPLAY_CURSOR_SIZE];
};

/*
 * What a front end (VNC) is told about output 0, called with the display's lock held: the mode
 * changed to @fb (@w x @h, NULL when off), or the rectangle (@x, @y, @w, @h) of @fb (stride @fbw
 * words) changed. The front end copies what it needs before returning.
 */
struct display_listener_ops {
	void (*mode)(void *opaque, const uint32_t *fb, uint32_t w, uint32_t h);
	void (*damage)(void *opaque, const uint32_t *fb, uint32_t fbw, uint32_t x, uint32_t y, uint32_t w, uint32_t h);
};

struct display {
	struct display_port port;	/* what the devices use: env.display = &display->port */
	pthread_mutex_t lock;		/* guards outputs, cursors and the listener's calls */
	struct display_output outputs[DISPLAY_MAX_OUTPUTS];
	struct display_cursor cursors[DISPLAY_MAX_OUTPUTS];
	const struct display_listener_ops *listener;	/* output 0's front end, or NULL */
	void *listener_opaque;
	struct display_vnc *vnc;	/* --display vnc:..., or NULL */
	char *screenshot;		/* SIGUSR1's file (--screenshot, or keel-PID.png) */
	unsigned int seccomp;		/* 0, or the status of the VNC thread's filter (vmm/sandbox.h) */
};

/*
 * display_wanted - whether the VM described by @cfg needs a display: a GPU, an input device, or a
 * --display/--screenshot* option. Returns 1 or 0, or -EINVAL with one line in @err when a
 * --display or screenshot is asked for without a --gpu.
 */
int display_wanted(const struct vm_config *cfg, char *err, size_t errlen);

/*
 * display_create - a display with every output off, serving @cfg's front end (VNC) when asked.
 * Returns 0 and *@out, or -errno with one line in @err.
 */
int display_create(const struct config_display *cfg, struct display **out, char *err, size_t errlen);

/*
 * display_stop_front_ends - stop serving clients (the VNC thread): no input device is called
 * after it returns, so the devices can go. The outputs stay (screenshots still work). NULL is fine.
 */
void display_stop_front_ends(struct display *d);

/* display_destroy - stop the front ends and free @d (after every device that draws into it). NULL is fine. */
void display_destroy(struct display *d);

/*
 * display_listen - @ops (called with the lock held) is told about output 0 from now on; it is
 * told the current mode at once. NULL ops: no listener.
 */
void display_listen(struct display *d, const struct display_listener_ops *ops, void *opaque);

/*
 * display_copy - a copy of output @out's scanout (no cursor): *@pixels (malloc'd, free it), *@w,
 * *@h. Returns 0, -ENODATA when the output is off, -EINVAL for a bad @out, -ENOMEM.
 */
int display_copy(struct display *d, unsigned int out, uint32_t **pixels, uint32_t *w, uint32_t *h);

/*
 * display_screenshot - write every output that is on as a PNG: output 0 at @path, output N at
 * @path with "-N" before ".png". Returns the number written (at least 1), or -errno with one
 * line in @err (-ENODATA: no output is on).
 */
int display_screenshot(struct display *d, const char *path, char *err, size_t errlen);

/* display_output_path - @path for output @out: unchanged for 0, else "-N" inserted before ".png" (appended without it). */
int display_output_path(const char *path, unsigned int out, char *buf, size_t len);

#endif
