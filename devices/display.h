/* The narrow handles between display devices and the VM's display: the sink virtio-gpu shows its scanouts through, and the input sinks the display feeds keyboard and pointer events into. */
#ifndef KEEL_DEVICES_DISPLAY_H
#define KEEL_DEVICES_DISPLAY_H

#include <stdbool.h>
#include <errno.h>
#include <stdint.h>

#define DISPLAY_MAX_OUTPUTS 4u		/* --gpu outputs=N at most this many */
#define DISPLAY_MAX_INPUTS 4u		/* virtio-input devices one display feeds */
#define DISPLAY_CURSOR_SIZE 64u		/* a cursor image is 64 x 64 */

/*
 * What a display device calls. The pixels are always 32-bit words 0xAARRGGBB in host order
 * (bytes B, G, R, A in memory, alpha ignored for scanouts): the device converts its formats
 * before calling. Any thread (virtio-gpu calls from its render thread); the display copies what
 * it needs before returning, so @pixels may change or go away afterwards.
 */
struct display_sink_ops {
	/* Output @out now shows a @w x @h image, black until updated; 0 x 0: the output is off. */
	void (*set_mode)(void *opaque, unsigned int out, uint32_t w, uint32_t h);
	/*
	 * The rectangle (@x, @y, @w, @h) of output @out changed to these pixels: @pixels points at
	 * the rectangle's top-left pixel, rows @stride bytes apart. The device has clipped the
	 * rectangle to the output's mode.
	 */
	void (*update)(void *opaque, unsigned int out, const uint32_t *pixels, uint32_t stride, uint32_t x, uint32_t y,
		       uint32_t w, uint32_t h);
	/*
	 * The cursor of output @out: at (@x, @y) of the output, its hot spot at (@hot_x, @hot_y) of
	 * @image (DISPLAY_CURSOR_SIZE squared ARGB words, alpha meaningful); @image NULL: the image
	 * is unchanged (a move); @visible false hides it.
	 */
	void (*cursor)(void *opaque, unsigned int out, int32_t x, int32_t y, const uint32_t *image, uint32_t hot_x,
		       uint32_t hot_y, bool visible);
};

/* An input device's side (virtio-input): called by the display on its own thread. */
struct input_sink_ops {
	/* A key went down or up: @code is an evdev key code (KEY_*, devices/virtio/input_spec.h). */
	void (*key)(void *opaque, uint16_t code, bool down);
	/*
	 * The pointer is at (@x, @y), each in [0, VIRTIO_INPUT_ABS_MAX] across the output, with
	 * @buttons held (bit 0 left, 1 middle, 2 right); @wheel clicks turned (positive: up).
	 */
	void (*pointer)(void *opaque, uint32_t x, uint32_t y, uint32_t buttons, int32_t wheel);
};

struct input_sink {
	const struct input_sink_ops *ops;	/* an op may be NULL: that device takes no such events */
	void *opaque;
};

/*
 * One display as the devices see it. The VM makes it (vmm/display.c) before the devices; a
 * virtio-gpu draws through @ops, each virtio-input device adds itself to @inputs when it is
 * created (before any thread runs), and the display's front ends (VNC) feed every input.
 */
struct display_port {
	const struct display_sink_ops *ops;
	void *opaque;
	struct input_sink inputs[DISPLAY_MAX_INPUTS];
	unsigned int ninputs;
};

/* display_port_add_input - @port feeds @s from now on. Returns 0, or -ENOSPC when it feeds DISPLAY_MAX_INPUTS already. */
static inline int display_port_add_input(struct display_port *port, const struct input_sink *s)
{
	if (port->ninputs >= DISPLAY_MAX_INPUTS)
		return -ENOSPC;
	port->inputs[port->ninputs++] = *s;
	return 0;
}

#endif
