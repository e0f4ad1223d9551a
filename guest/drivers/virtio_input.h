/* The guest's virtio-input driver: configuration queries, and the event queue kept full of buffers, polled. */
#ifndef KEEL_GUEST_DRIVERS_VIRTIO_INPUT_H
#define KEEL_GUEST_DRIVERS_VIRTIO_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/virtio/input_spec.h"
#include "guest/drivers/virtio.h"

struct vinput {
	struct virtio_dev *d;
	uint64_t pa;			/* one frame: VIRTIO_QUEUE_SIZE events */
	struct virtio_input_event *ev;
	bool running;			/* the event buffers are posted */
};

/* Bring up the @n-th virtio-input device (event and status queues); false when absent or failed (d->error). */
bool vinput_open(struct vinput *in, unsigned int n);

/* Select @select/@subsel and copy up to @max bytes of the answer into @out; returns the size the device gives (0: none). */
unsigned int vinput_config(struct vinput *in, uint8_t select, uint8_t subsel, void *out, unsigned int max);

/* Is bit @code set in the EV_BITS bitmap of event type @type? */
bool vinput_has(struct vinput *in, uint8_t type, unsigned int code);

/* Post every event buffer (once). */
void vinput_start(struct vinput *in);

/* The next event the device wrote into *@ev (its buffer reposted): true, or false when none is waiting. */
bool vinput_poll(struct vinput *in, struct virtio_input_event *ev);

#endif
