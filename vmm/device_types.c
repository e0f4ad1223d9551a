/* The device-type table: --disk, --console, --rng and --net, each with its adder and its device ops. */
#include "vmm/device_types.h"

#include "devices/virtio/gpu.h"
#include "devices/virtio/input.h"
#include "devices/virtio/vsock.h"

/* --rng is a flag, or --rng=ITEMS (transport=, msix=). */
static int rng_add(struct vm_config *c, const char *value, char *err, size_t errlen)
{
	return value ? config_set_rng_opts(c, value, err, errlen) : config_set_rng(c, true, err, errlen);
}

const struct device_type device_types[] = {
	{ { .name = "--disk", .value = true }, config_add_drive, &virtio_blk_type },
	{ { .name = "--console", .value = true }, config_set_console, &virtio_console_type },
	{ { .name = "--rng", .eq_value = true }, rng_add, &virtio_rng_type },
	{ { .name = "--net", .value = true }, config_add_net, &virtio_net_type },
	{ { .name = "--gpu", .value = true }, config_set_gpu, &virtio_gpu_type },
	{ { .name = "--input", .value = true }, config_add_input, &virtio_input_type },
	{ { .name = "--vsock", .value = true }, config_set_vsock, &virtio_vsock_type },
};

const size_t device_ntypes = sizeof(device_types) / sizeof(device_types[0]);
_Static_assert(sizeof(device_types) / sizeof(device_types[0]) <= DEVICE_TYPES_MAX, "raise DEVICE_TYPES_MAX");

void device_types_ops(const struct virtio_type **out)
{
	for (size_t t = 0; t < device_ntypes; t++)
		out[t] = device_types[t].ops;
}
