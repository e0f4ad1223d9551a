/* The explicit table of the machine's built-in devices and the calls that create and destroy them all. */
#ifndef KEEL_DEVICES_DEVICES_H
#define KEEL_DEVICES_DEVICES_H

#include <stdint.h>

#include "vmm/bus.h"

struct vm;

/* One built-in device: how to attach it to a VM and how to take it away again. */
struct device_desc {
	const char *name;			/* for messages */
	int (*create)(struct vm *vm);		/* register on the buses; 0 or -errno */
	void (*destroy)(struct vm *vm);		/* undo create; NULL when nothing to undo */
};

/*
 * devices_create - create every device of the table in order (COM1 UART into vm->uart,
 * debug-exit, i8042, PM1a control, the virtio devices); on failure undo the ones done and
 * return the -errno.
 */
int devices_create(struct vm *vm);
/*
 * devices_destroy - destroy them in reverse order. Safe after a failed or missing devices_create:
 * a device only takes back bus ranges that hold its own handler. The vCPUs must not run.
 */
void devices_destroy(struct vm *vm);

/* Helpers shared by the device files. */

/* devices_unregister - unregister the range at @base of @bus only if its handler is @fn. */
void devices_unregister(struct bus *bus, uint64_t base, bus_handler_fn fn);

/* devices_le_value - the @len (1..8) little-endian bytes of @data as a number. */
uint64_t devices_le_value(const uint8_t *data, uint32_t len);

#endif
