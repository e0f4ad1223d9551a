/* The device-type table: --disk, --console, --rng and --net, each with its adder and its device ops. */
#include "vmm/device_types.h"

/* --rng takes no value: the adder of a flag. */
static int rng_add(struct vm_config *c, const char *value, char *err, size_t errlen)
{
	(void)value;
	return config_set_rng(c, true, err, errlen);
}

const struct device_type device_types[] = {
	{ { "--disk", true }, config_add_drive, &virtio_blk_type },
	{ { "--console", true }, config_set_console, &virtio_console_type },
	{ { "--rng", false }, rng_add, &virtio_rng_type },
	{ { "--net", true }, config_add_net, &virtio_net_type },
};

const size_t device_ntypes = sizeof(device_types) / sizeof(device_types[0]);
_Static_assert(sizeof(device_types) / sizeof(device_types[0]) <= DEVICE_TYPES_MAX, "raise DEVICE_TYPES_MAX");

void device_types_ops(const struct virtio_type **out)
{
	for (size_t t = 0; t < device_ntypes; t++)
		out[t] = device_types[t].ops;
}
