/* The built-in device table (COM1, debug-exit, i8042, PM1a control) and its create/destroy walk. */
#include "devices/devices.h"

#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "devices/bench.h"
#include "devices/debug_exit.h"
#include "devices/i8042.h"
#include "devices/pm.h"
#include "devices/uart.h"
#include "devices/virtio/host.h"
#include "firmware/machine.h"
#include "vmm/log.h"
#include "vmm/vm.h"

/* The UART's line goes to the VM's interrupt controller. */
static int com1_irq(void *ctx, unsigned int irq, int level)
{
	return vm_irq_line(ctx, irq, level);
}

static int com1_create(struct vm *vm)
{
	const struct uart_params p = {
		.out_fd = STDOUT_FILENO,
		.irq = KEEL_UART0_IRQ,
		.irq_fn = com1_irq,
		.irq_ctx = vm,
	};
	struct uart *u;
	int ret;

	ret = uart_create(&p, &u);
	if (ret < 0)
		return ret;
	ret = bus_register(&vm->pio, KEEL_PORT_UART0, UART_NREGS, uart_io, u, "com1");
	if (ret < 0) {
		uart_destroy(u);
		return ret;
	}
	vm->uart = u;
	return 0;
}

static void com1_destroy(struct vm *vm)
{
	if (!vm->uart)
		return;
	/* Once unregistered, no vCPU can be inside uart_io any more. */
	devices_unregister(&vm->pio, KEEL_PORT_UART0, uart_io);
	uart_destroy(vm->uart);
	vm->uart = NULL;
}

static const struct device_desc device_table[] = {
	{ "com1", com1_create, com1_destroy },
	{ "debug-exit", debug_exit_create, debug_exit_destroy },
	{ "i8042", i8042_create, i8042_destroy },
	{ "pm1a-control", pm_create, pm_destroy },
	{ "virtio", virtio_create, virtio_destroy },	/* nothing unless --disk/--console/--rng */
	{ "bench", bench_devices_create, bench_devices_destroy },	/* nothing unless `keel bench` */
};

#define NDEVICES (sizeof(device_table) / sizeof(device_table[0]))

int devices_create(struct vm *vm)
{
	size_t i;
	int ret;

	for (i = 0; i < NDEVICES; i++) {
		ret = device_table[i].create(vm);
		if (ret < 0) {
			log_error("device %s: %s", device_table[i].name, strerror(-ret));
			goto undo;
		}
	}
	return 0;

undo:
	while (i-- > 0)
		if (device_table[i].destroy)
			device_table[i].destroy(vm);
	return ret;
}

void devices_destroy(struct vm *vm)
{
	for (size_t i = NDEVICES; i-- > 0;)
		if (device_table[i].destroy)
			device_table[i].destroy(vm);
}

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
