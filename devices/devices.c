/* Helpers shared by the device files: taking back a bus range, reading a little-endian access. */
#include "devices/devices.h"

#include <stddef.h>

void devices_unregister(struct bus *bus, uint64_t base, bus_handler_fn fn)
{
	bool ours = false;

	pthread_rwlock_rdlock(&bus->lock);
	for (size_t i = 0; i < bus->nranges; i++)
		if (bus->ranges[i].base == base && bus->ranges[i].fn == fn)
			ours = true;
	pthread_rwlock_unlock(&bus->lock);
	if (ours)
		bus_unregister(bus, base);
}

uint64_t devices_le_value(const uint8_t *data, uint32_t len)
{
	uint64_t v = 0;

	if (len > 8)
		len = 8;
	for (uint32_t i = len; i-- > 0;)
		v = (v << 8) | data[i];
	return v;
}
