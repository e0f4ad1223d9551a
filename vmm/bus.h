/* One bus abstraction for port I/O and MMIO: non-overlapping ranges, one handler signature. */
#ifndef KEEL_VMM_BUS_H
#define KEEL_VMM_BUS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

/*
 * bus_handler_fn - the one device access signature, for port I/O and MMIO alike.
 * @opaque: the device's own state, as registered
 * @vcpu: the vCPU making the access (NULL when the VMM itself accesses the bus)
 * @offset: address minus the range's base
 * @data: @len bytes to write, or to fill on a read (little-endian, as the guest sees them)
 * @len: 1, 2, 4 or 8
 * @is_write: direction
 * Returns 0, or a negative errno that the caller logs (the guest then reads all ones).
 */
typedef int (*bus_handler_fn)(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data,
			      uint32_t len, bool is_write);

struct bus_range {
	uint64_t base;		/* first address */
	uint64_t len;		/* bytes, at least 1 */
	bus_handler_fn fn;	/* handler */
	void *opaque;		/* passed to fn */
	const char *name;	/* for messages */
};

struct bus {
	const char *name;	/* "pio" or "mmio" */
	pthread_rwlock_t lock;	/* readers: vCPU exits; writers: (un)registration */
	struct bus_range *ranges; /* sorted by base, never overlapping */
	size_t nranges;
	size_t cap;
};

/* bus_init - an empty bus called @name. Returns 0 or -errno. */
int bus_init(struct bus *bus, const char *name);

/* bus_destroy - free the range table. */
void bus_destroy(struct bus *bus);

/*
 * bus_register - claim [@base, @base + @len) for @fn. Returns 0, -EINVAL for an empty or
 * wrapping range or a NULL handler, -EEXIST when it overlaps a registered range, -ENOMEM.
 */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_handler_fn fn, void *opaque,
		 const char *name);

/* bus_unregister - release the range starting at @base. Returns 0 or -ENOENT. */
int bus_unregister(struct bus *bus, uint64_t base);

/*
 * bus_access - route one access to the device whose range holds all of [@addr, @addr + @len).
 * Returns the handler's result, -EINVAL for a size other than 1/2/4/8, or -ENOENT when no
 * single range holds the access (nothing there, or it straddles a range's end).
 */
int bus_access(struct bus *bus, struct vcpu *vcpu, uint64_t addr, uint8_t *data, uint32_t len,
	       bool is_write);

#endif
