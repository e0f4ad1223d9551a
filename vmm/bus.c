/* The bus: a sorted table of non-overlapping ranges searched by binary search under a read lock. */
#include "vmm/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int bus_init(struct bus *bus, const char *name)
{
	memset(bus, 0, sizeof(*bus));
	bus->name = name;
	return -pthread_rwlock_init(&bus->lock, NULL);
}

void bus_destroy(struct bus *bus)
{
	free(bus->ranges);
	bus->ranges = NULL;
	bus->nranges = bus->cap = 0;
	pthread_rwlock_destroy(&bus->lock);
}

/* Index of the first range whose last address is >= @addr (nranges when none). */
static size_t bus_lower_bound(const struct bus *bus, uint64_t addr)
{
	size_t lo = 0, hi = bus->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct bus_range *r = &bus->ranges[mid];

		if (r->base + (r->len - 1) < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_handler_fn fn, void *opaque,
		 const char *name)
{
	uint64_t last;
	size_t i;
	int ret = 0;

	if (len == 0 || !fn || __builtin_add_overflow(base, len - 1, &last))
		return -EINVAL;
	pthread_rwlock_wrlock(&bus->lock);
	i = bus_lower_bound(bus, base);
	if (i < bus->nranges && bus->ranges[i].base <= last) {
		ret = -EEXIST;
		goto out;
	}
	if (bus->nranges == bus->cap) {
		size_t cap = bus->cap ? bus->cap * 2 : 8;
		struct bus_range *n = realloc(bus->ranges, cap * sizeof(*n));

		if (!n) {
			ret = -ENOMEM;
			goto out;
		}
		bus->ranges = n;
		bus->cap = cap;
	}
	memmove(&bus->ranges[i + 1], &bus->ranges[i], (bus->nranges - i) * sizeof(bus->ranges[0]));
	bus->ranges[i] = (struct bus_range){
		.base = base, .len = len, .fn = fn, .opaque = opaque, .name = name
	};
	bus->nranges++;
out:
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int bus_unregister(struct bus *bus, uint64_t base)
{
	size_t i;
	int ret = -ENOENT;

	pthread_rwlock_wrlock(&bus->lock);
	i = bus_lower_bound(bus, base);
	if (i < bus->nranges && bus->ranges[i].base == base) {
		memmove(&bus->ranges[i], &bus->ranges[i + 1],
			(bus->nranges - i - 1) * sizeof(bus->ranges[0]));
		bus->nranges--;
		ret = 0;
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}

int bus_access(struct bus *bus, struct vcpu *vcpu, uint64_t addr, uint8_t *data, uint32_t len,
	       bool is_write)
{
	const struct bus_range *r;
	uint64_t last;
	size_t i;
	int ret = -ENOENT;

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return -EINVAL;
	if (__builtin_add_overflow(addr, (uint64_t)len - 1, &last))
		return -ENOENT;
	pthread_rwlock_rdlock(&bus->lock);
	i = bus_lower_bound(bus, addr);
	if (i < bus->nranges) {
		r = &bus->ranges[i];
		if (r->base <= addr && last <= r->base + (r->len - 1))
			ret = r->fn(r->opaque, vcpu, addr - r->base, data, len, is_write);
	}
	pthread_rwlock_unlock(&bus->lock);
	return ret;
}
