/* virtio-input: a keyboard or an absolute pointer (tablet) fed from the display's VNC client, events delivered on the I/O thread. */
#ifndef KEEL_DEVICES_VIRTIO_INPUT_H
#define KEEL_DEVICES_VIRTIO_INPUT_H

#include "devices/display.h"
#include "devices/virtio/config.h"
#include "devices/virtio/type.h"
#include "devices/virtio/virtio.h"

#define VIRTIO_INPUT_QUEUE_SIZE 64u
#define VIRTIO_INPUT_RING_EVENTS 256u /* events kept for a driver that has not taken them; then the oldest go */

/*
 * What the device tells the driver in its configuration space (virtio 1.2 5.8.4):
 * ID_NAME "keel virtio keyboard" / "keel virtio tablet"; ID_SERIAL empty;
 * ID_DEVIDS bustype BUS_VIRTUAL (0x06), vendor 0x4b45 ("KE"), product 0x0001 (keyboard) or
 * 0x0002 (tablet), version 1;
 * keyboard: EV_BITS for EV_KEY keys 1 (KEY_ESC) to 248 (KEY_MICMUTE), EV_SYN (SYN_REPORT), EV_REP
 * (REP_DELAY, REP_PERIOD: the guest repeats held keys itself; a VNC client's repeated presses of
 * a key already down are then dropped by the guest's input core);
 * tablet: PROP_BITS INPUT_PROP_POINTER, EV_ABS ABS_X and ABS_Y with ABS_INFO min 0 max
 * VIRTIO_INPUT_ABS_MAX, EV_KEY BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, EV_REL REL_WHEEL, EV_SYN.
 */
#define VIRTIO_INPUT_BUS_VIRTUAL 0x06u
#define VIRTIO_INPUT_VENDOR 0x4b45u
#define VIRTIO_INPUT_PRODUCT_KEYBOARD 0x0001u
#define VIRTIO_INPUT_PRODUCT_TABLET 0x0002u
#define VIRTIO_INPUT_KEY_FIRST 1u  /* KEY_ESC */
#define VIRTIO_INPUT_KEY_LAST 248u /* KEY_MICMUTE */

/*
 * virtio-input keeps no state to save beyond the core's: the configuration selector is the
 * driver's to write again, and events waiting in the host ring are not guest state.
 */

/*
 * virtio_input_create - device "virtio-input@index" of @kind, its kicks watched on @loop; it
 * feeds itself from @port (display_port_add_input: before any thread runs). Returns 0, or
 * -ENOSPC when @port feeds DISPLAY_MAX_INPUTS already, or -errno.
 */
int virtio_input_create(enum virtio_input_kind kind, unsigned int index, struct display_port *port,
			const struct guest_mem *mem, struct ioloop *loop, struct virtio_dev **out);

/* virtio_input_destroy - free it (the I/O thread and the display's front ends are stopped); NULL is fine. */
void virtio_input_destroy(struct virtio_dev *dev);

/* --input: the device type (its open takes the display from the virtio_env; no backend of its own). */
extern const struct virtio_type virtio_input_type;

#endif
