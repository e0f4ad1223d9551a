/* The virtio-input device of the virtio 1.2 specification (5.8): configuration selectors, the event layout, and the few evdev codes keel's keyboard and tablet use; shared by keel's device and the bundled guest's driver. */
#ifndef KEEL_DEVICES_VIRTIO_INPUT_SPEC_H
#define KEEL_DEVICES_VIRTIO_INPUT_SPEC_H

#include <stdint.h>

#define VIRTIO_ID_INPUT 18u

/* Queues (5.8.2). */
#define VIRTIO_INPUT_Q_EVENT 0u		/* device -> driver: struct virtio_input_event */
#define VIRTIO_INPUT_Q_STATUS 1u	/* driver -> device: LED state and the like */

/* struct virtio_input_config (5.8.4), by offset: the driver writes select and subsel, then reads size and the union. */
#define VIRTIO_INPUT_CFG_SELECT 0u
#define VIRTIO_INPUT_CFG_SUBSEL 1u
#define VIRTIO_INPUT_CFG_SIZE 2u
#define VIRTIO_INPUT_CFG_U 8u		/* string[128] | bitmap[128] | absinfo | devids */
#define VIRTIO_INPUT_CFG_U_MAX 128u
#define VIRTIO_INPUT_CFG_BYTES (VIRTIO_INPUT_CFG_U + VIRTIO_INPUT_CFG_U_MAX)

enum virtio_input_config_select {
	VIRTIO_INPUT_CFG_UNSET = 0x00,
	VIRTIO_INPUT_CFG_ID_NAME = 0x01,
	VIRTIO_INPUT_CFG_ID_SERIAL = 0x02,
	VIRTIO_INPUT_CFG_ID_DEVIDS = 0x03,
	VIRTIO_INPUT_CFG_PROP_BITS = 0x10,
	VIRTIO_INPUT_CFG_EV_BITS = 0x11,	/* subsel: the event type; a bitmap of its codes */
	VIRTIO_INPUT_CFG_ABS_INFO = 0x12,	/* subsel: the axis; struct virtio_input_absinfo */
};

struct virtio_input_absinfo {
	uint32_t min, max, fuzz, flat, res;
};

struct virtio_input_devids {
	uint16_t bustype, vendor, product, version;
};

struct virtio_input_event {
	uint16_t type;
	uint16_t code;
	uint32_t value;
};

/* evdev event types and codes (Linux's input-event-codes.h numbers, which virtio-input carries). */
#define VIRTIO_INPUT_EV_SYN 0x00u
#define VIRTIO_INPUT_EV_KEY 0x01u
#define VIRTIO_INPUT_EV_REL 0x02u
#define VIRTIO_INPUT_EV_ABS 0x03u
#define VIRTIO_INPUT_SYN_REPORT 0u
#define VIRTIO_INPUT_ABS_X 0x00u
#define VIRTIO_INPUT_ABS_Y 0x01u
#define VIRTIO_INPUT_REL_WHEEL 0x08u
#define VIRTIO_INPUT_BTN_LEFT 0x110u
#define VIRTIO_INPUT_BTN_RIGHT 0x111u
#define VIRTIO_INPUT_BTN_MIDDLE 0x112u
#define VIRTIO_INPUT_KEY_MAX 0x2ffu
#define VIRTIO_INPUT_ABS_MAX 0x7fffu	/* keel's tablet reports X and Y in [0, 0x7fff] */

_Static_assert(sizeof(struct virtio_input_event) == 8, "virtio_input_event");
_Static_assert(sizeof(struct virtio_input_absinfo) == 20, "virtio_input_absinfo");

#endif
