/* The built-in device table (COM1, debug-exit, i8042, ACPI PM, fw_cfg, virtio, bench): each entry wires one device to the platform. */
#include "vmm/machine.h"

#include <string.h>
#include <unistd.h>

#include "devices/bench.h"
#include "devices/debug_exit.h"
#include "devices/devices.h"
#include "devices/i8042.h"
#include "devices/pm.h"
#include "devices/uart.h"
#include "devices/virtio/host.h"
#include "firmware/machine.h"
#include "vmm/log.h"
#include "vmm/machine_fw_cfg.h"
#include "vmm/vm.h"

/* One built-in device: how to attach it to the VM's platform, describe it, and take it away again. */
struct machine_device {
	const char *name;			/* for messages */
	int (*create)(struct vm *vm);		/* 0 or -errno */
	int (*describe)(struct vm *vm, struct dev_descs *out);	/* for the firmware tables; NULL: nothing to show */
	void (*destroy)(struct vm *vm);		/* undo create; NULL when nothing to undo */
	int (*booted)(struct vm *vm);		/* once the kernel is loaded: what the boot placed; NULL: nothing */
};

/* COM1's interrupt: its line of the in-kernel PIC/IOAPIC (ctx: the struct irq_line). */
static int com1_irq(void *ctx, unsigned int irq, int level)
{
	(void)irq;
	return irq_line_set(ctx, level);
}

static int com1_create(struct vm *vm)
{
	const struct uart_params p = {
		.out_fd = STDOUT_FILENO,
		.irq = KEEL_UART0_IRQ,
		.irq_fn = com1_irq,
		.irq_ctx = &vm->com1_irq,
	};
	struct uart *u;
	int ret;

	vm->com1_irq = platform_irq_line(&vm->plat, KEEL_UART0_IRQ);
	ret = uart_create(&p, &u);
	if (ret < 0)
		return ret;
	ret = bus_register(&vm->plat.pio, KEEL_PORT_UART0, UART_NREGS, uart_io, u, "com1");
	if (ret < 0) {
		uart_destroy(u);
		return ret;
	}
	vm->uart = u;
	return 0;
}

static int com1_describe(struct vm *vm, struct dev_descs *out)
{
	return vm->uart ? uart_describe(KEEL_PORT_UART0, KEEL_UART0_IRQ, true, out) : 0;
}

static void com1_destroy(struct vm *vm)
{
	if (!vm->uart)
		return;
	/* Once unregistered, no vCPU can be inside uart_io any more. */
	devices_unregister(&vm->plat.pio, KEEL_PORT_UART0, uart_io);
	uart_destroy(vm->uart);
	vm->uart = NULL;
}

static int debug_exit_add(struct vm *vm)
{
	return debug_exit_create(&vm->plat.pio, &vm->plat.stop);
}

static int debug_exit_show(struct vm *vm, struct dev_descs *out)
{
	(void)vm;
	return debug_exit_describe(out);
}

static void debug_exit_remove(struct vm *vm)
{
	debug_exit_destroy(&vm->plat.pio);
}

static int i8042_add(struct vm *vm)
{
	return i8042_create(&vm->plat.pio, &vm->plat.stop, platform_irq_line(&vm->plat, I8042_KBD_IRQ), &vm->i8042);
}

static int i8042_show(struct vm *vm, struct dev_descs *out)
{
	(void)vm;
	return i8042_describe(out);
}

static void i8042_remove(struct vm *vm)
{
	i8042_destroy(vm->i8042);
	vm->i8042 = NULL;
}

/* The ACPI PM hardware; vm->pm is how the VM's SIGTERM handling reaches pm_power_button. */
static int pm_add(struct vm *vm)
{
	return pm_create(&vm->plat.pio, &vm->plat.stop, platform_irq_line(&vm->plat, KEEL_SCI_IRQ), &vm->pm);
}

static int pm_show(struct vm *vm, struct dev_descs *out)
{
	(void)vm;
	return pm_describe(out);
}

static void pm_remove(struct vm *vm)
{
	pm_destroy(vm->pm);
	vm->pm = NULL;
}

/* Nothing unless --disk/--console/--rng/--net (virtio_prepare made the host). */
static int virtio_add(struct vm *vm)
{
	return virtio_create(vm->virtio, &vm->plat);
}

static int virtio_show(struct vm *vm, struct dev_descs *out)
{
	return virtio_describe(vm->virtio, out);
}

static void virtio_remove(struct vm *vm)
{
	virtio_destroy(vm->virtio);
	vm->virtio = NULL;
}

/* Nothing unless `keel bench`; its MSR and hypercall hooks go on the vCPUs' exit path. */
static int bench_add(struct vm *vm)
{
	int ret;

	if (!vm->cfg.bench)
		return 0;
	ret = bench_devices_create(&vm->plat, vm->cfg.ncpus, &vm->bench);
	if (ret == 0) {
		vm->vcpu_env.hooks = bench_exit_hooks();
		vm->vcpu_env.hooks_opaque = vm->bench;
	}
	return ret;
}

static void bench_remove(struct vm *vm)
{
	if (vm->vcpu_env.hooks_opaque == vm->bench) {
		vm->vcpu_env.hooks = NULL;
		vm->vcpu_env.hooks_opaque = NULL;
	}
	bench_devices_destroy(vm->bench);
	vm->bench = NULL;
}

static const struct machine_device machine_table[] = {
	{ "com1", com1_create, com1_describe, com1_destroy, NULL },
	{ "debug-exit", debug_exit_add, debug_exit_show, debug_exit_remove, NULL },
	{ "i8042", i8042_add, i8042_show, i8042_remove, NULL },
	{ "acpi-pm", pm_add, pm_show, pm_remove, NULL },
	{ "fw_cfg", machine_fw_cfg_create, machine_fw_cfg_describe, machine_fw_cfg_destroy, machine_fw_cfg_booted },
	{ "virtio", virtio_add, virtio_show, virtio_remove, NULL },
	{ "bench", bench_add, NULL, bench_remove, NULL },	/* found by the bench guest at fixed addresses */
};

#define MACHINE_NDEVICES (sizeof(machine_table) / sizeof(machine_table[0]))

int machine_devices_create(struct vm *vm)
{
	size_t i;
	int ret;

	for (i = 0; i < MACHINE_NDEVICES; i++) {
		ret = machine_table[i].create(vm);
		if (ret < 0) {
			log_error("device %s: %s", machine_table[i].name, strerror(-ret));
			goto undo;
		}
	}
	return 0;
undo:
	while (i-- > 0)
		if (machine_table[i].destroy)
			machine_table[i].destroy(vm);
	return ret;
}

int machine_devices_describe(struct vm *vm, struct dev_descs *out)
{
	for (size_t i = 0; i < MACHINE_NDEVICES; i++) {
		int ret = machine_table[i].describe ? machine_table[i].describe(vm, out) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}

int machine_devices_booted(struct vm *vm)
{
	for (size_t i = 0; i < MACHINE_NDEVICES; i++) {
		int ret = machine_table[i].booted ? machine_table[i].booted(vm) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}

void machine_devices_destroy(struct vm *vm)
{
	for (size_t i = MACHINE_NDEVICES; i-- > 0;)
		if (machine_table[i].destroy)
			machine_table[i].destroy(vm);
}
