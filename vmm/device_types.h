/* The VM's device types in one const table: the `keel run` option that adds one, its configuration adder, and the device's own ops. */
#ifndef KEEL_VMM_DEVICE_TYPES_H
#define KEEL_VMM_DEVICE_TYPES_H

#include <stddef.h>

#include "devices/virtio/type.h"
#include "vmm/config.h"
#include "vmm/opt.h"

/*
 * One device type. Adding a type means its own files (the device, with its struct virtio_type;
 * its adder in the configuration model) plus one line in device_types[].
 * opt: the option (and whether it takes a value) the command line adds one with.
 * add: parse and add one from the option's value (NULL for a flag) to @c; one line in @err.
 * ops: count, open, create, start, destroy, save, restore (devices/virtio/type.h).
 */
struct device_type {
	struct opt_def opt;
	int (*add)(struct vm_config *c, const char *value, char *err, size_t errlen);
	const struct virtio_type *ops;
};

#define DEVICE_TYPES_MAX 16u	/* room callers keep for the table's entries (checked at build time) */

/* The table, in the order devices are placed (disks, console, rng, NICs). */
extern const struct device_type device_types[];
extern const size_t device_ntypes;

/* device_types_ops - the ops of every type, in table order, into @out (device_ntypes entries). */
void device_types_ops(const struct virtio_type **out);

#endif
