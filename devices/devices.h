/* Helpers shared by the device files (the device table itself is vmm/machine.c). */
#ifndef KEEL_DEVICES_DEVICES_H
#define KEEL_DEVICES_DEVICES_H

#include <stdint.h>

#include "vmm/bus.h"

/* Helpers shared by the device files. */

/* devices_unregister - unregister the range at @base of @bus only if its handler is @fn. */
void devices_unregister(struct bus *bus, uint64_t base, bus_handler_fn fn);

/* devices_le_value - the @len (1..8) little-endian bytes of @data as a number. */
uint64_t devices_le_value(const uint8_t *data, uint32_t len);

#endif
