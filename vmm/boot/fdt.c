/* Building keel's flattened device tree with libfdt's sequential-write API. */
#include "vmm/boot/fdt.h"

#include "firmware/machine.h"
#include "firmware/pvh.h"
#include "vmm/boot/pvh.h"

#include <errno.h>
#include <libfdt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

/* Values of the ISA nodes that firmware/machine.h does not name. */
#define ISA_SPACE_IO 1u			/* first cell of an /isa reg: I/O port space */
#define UART_REG_LEN 8u			/* 16550 registers */
#define UART_CLOCK_HZ 1843200u		/* the PC UART's 1.8432 MHz input clock */
#define DEBUG_EXIT_REG_LEN 1u
#define I8042_REG_LEN 1u		/* data and command ports, one byte each */
#define PM1A_CNT_REG_LEN 2u		/* 16-bit PM1a control register */
#define MAX_CELLS 8u			/* longest cell array keel writes */

/* A tree under construction: the first libfdt error sticks and later calls do nothing. */
struct dt {
	void *fdt;
	int err;
};

static void dt_begin(struct dt *d, const char *name)
{
	if (!d->err)
		d->err = fdt_begin_node(d->fdt, name);
}

static void dt_end(struct dt *d)
{
	if (!d->err)
		d->err = fdt_end_node(d->fdt);
}

static void dt_str(struct dt *d, const char *name, const char *value)
{
	if (!d->err)
		d->err = fdt_property_string(d->fdt, name, value);
}

static void dt_u32(struct dt *d, const char *name, uint32_t value)
{
	if (!d->err)
		d->err = fdt_property_u32(d->fdt, name, value);
}

/* A property of @n (at most MAX_CELLS) 32-bit big-endian cells. */
static void dt_cells(struct dt *d, const char *name, const uint32_t *cells, unsigned int n)
{
	fdt32_t be[MAX_CELLS];

	if (d->err)
		return;
	if (n > MAX_CELLS) {
		d->err = -FDT_ERR_INTERNAL;
		return;
	}
	for (unsigned int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	d->err = fdt_property(d->fdt, name, be, (int)(n * sizeof(be[0])));
}

/* /memory@0: the RAM ranges of the PVH memory map (so both agree), two cells each for address and size. */
static void dt_memory(struct dt *d, const struct guest_mem *mem)
{
	struct hvm_memmap_table_entry map[PVH_MEMMAP_MAX];
	fdt64_t reg[2 * PVH_MEMMAP_MAX];
	int nmap = pvh_memmap(mem, map, PVH_MEMMAP_MAX);
	unsigned int n = 0;

	if (nmap < 0) {
		d->err = -FDT_ERR_NOSPACE;
		return;
	}
	for (int i = 0; i < nmap; i++) {
		if (map[i].type != PVH_MEMMAP_RAM)
			continue;
		reg[n++] = cpu_to_fdt64(map[i].addr);
		reg[n++] = cpu_to_fdt64(map[i].size);
	}
	dt_begin(d, "memory@0");
	dt_str(d, "device_type", "memory");
	if (!d->err)
		d->err = fdt_property(d->fdt, "reg", reg, (int)(n * sizeof(reg[0])));
	dt_end(d);
}

static void dt_cpus(struct dt *d, unsigned int ncpus)
{
	dt_begin(d, "cpus");
	dt_u32(d, "#address-cells", 1);
	dt_u32(d, "#size-cells", 0);
	for (unsigned int i = 0; i < ncpus; i++) {
		char name[32];

		snprintf(name, sizeof(name), "cpu@%x", i);
		dt_begin(d, name);
		dt_str(d, "device_type", "cpu");
		dt_u32(d, "reg", i);	/* APIC id */
		dt_end(d);
	}
	dt_end(d);
}

/* Open the /isa child "@name@i<port>" with @compat and reg @reg (@nreg cells); the caller closes it. */
static void dt_isa_begin(struct dt *d, const char *name, unsigned int port, const char *compat,
		       const uint32_t *reg, unsigned int nreg)
{
	char node[64];

	snprintf(node, sizeof(node), "%s@i%x", name, port);
	dt_begin(d, node);
	dt_str(d, "compatible", compat);
	dt_cells(d, "reg", reg, nreg);
}

static void dt_isa(struct dt *d)
{
	const uint32_t uart[] = { ISA_SPACE_IO, KEEL_PORT_UART0, UART_REG_LEN };
	const uint32_t dbg[] = { ISA_SPACE_IO, KEEL_PORT_DEBUG_EXIT, DEBUG_EXIT_REG_LEN };
	const uint32_t i8042[] = { ISA_SPACE_IO, KEEL_PORT_I8042_DATA, I8042_REG_LEN,
				   ISA_SPACE_IO, KEEL_PORT_I8042_CMD, I8042_REG_LEN };
	const uint32_t pm[] = { ISA_SPACE_IO, KEEL_PORT_PM1A_CNT, PM1A_CNT_REG_LEN };

	dt_begin(d, "isa");
	dt_str(d, "compatible", "isa");
	dt_u32(d, "#address-cells", 2);
	dt_u32(d, "#size-cells", 1);

	dt_isa_begin(d, "serial", KEEL_PORT_UART0, "ns16550a", uart, 3);
	dt_u32(d, "interrupts", KEEL_UART0_IRQ);
	dt_u32(d, "clock-frequency", UART_CLOCK_HZ);
	dt_end(d);

	dt_isa_begin(d, "debug-exit", KEEL_PORT_DEBUG_EXIT, "keel,debug-exit", dbg, 3);
	dt_end(d);

	dt_isa_begin(d, "i8042", KEEL_PORT_I8042_DATA, "intel,8042", i8042, 6);
	dt_end(d);

	dt_isa_begin(d, "poweroff", KEEL_PORT_PM1A_CNT, "keel,pm1a-control", pm, 3);
	dt_end(d);

	dt_end(d);
}

/* The virtio-mmio nodes, at the root (#address-cells 2, #size-cells 2). */
static void dt_virtio_mmio(struct dt *d, const struct keel_fdt_devices *devs)
{
	for (unsigned int i = 0; devs && i < devs->n_virtio_mmio && i < KEEL_VIRTIO_MMIO_SLOTS; i++) {
		const struct fdt_virtio_mmio *v = &devs->virtio_mmio[i];
		const uint32_t reg[] = { (uint32_t)(v->base >> 32), (uint32_t)v->base, (uint32_t)(v->size >> 32),
					 (uint32_t)v->size };
		char name[48];

		snprintf(name, sizeof(name), "virtio_mmio@%llx", (unsigned long long)v->base);
		dt_begin(d, name);
		dt_str(d, "compatible", "virtio,mmio");
		dt_cells(d, "reg", reg, 4);
		dt_u32(d, "interrupts", v->irq);
		dt_end(d);
	}
}

size_t keel_fdt_size_hint(unsigned int ncpus, size_t bootargs_len)
{
	/* Fixed nodes and strings take under 1 KiB; a cpu node about 50 bytes; a virtio node about 100. */
	return 4096 + (size_t)ncpus * 128 + bootargs_len + KEEL_VIRTIO_MMIO_SLOTS * 128;
}

int keel_fdt_build(void *buf, size_t size, const struct guest_mem *mem, unsigned int ncpus,
		   const char *bootargs)
{
	return keel_fdt_build_with(buf, size, mem, ncpus, bootargs, NULL);
}

int keel_fdt_build_with(void *buf, size_t size, const struct guest_mem *mem, unsigned int ncpus,
			const char *bootargs, const struct keel_fdt_devices *devs)
{
	struct dt d = { .fdt = buf };
	char stdout_path[64];

	if (ncpus == 0)
		return -EINVAL;
	if (size > INT_MAX)
		size = INT_MAX;
	snprintf(stdout_path, sizeof(stdout_path), "/isa/serial@i%x", KEEL_PORT_UART0);

	d.err = fdt_create(buf, (int)size);
	if (!d.err)
		d.err = fdt_finish_reservemap(buf);
	dt_begin(&d, "");
	dt_str(&d, "compatible", KEEL_FDT_COMPATIBLE);
	dt_str(&d, "model", "keel");
	dt_u32(&d, "#address-cells", 2);
	dt_u32(&d, "#size-cells", 2);

	dt_begin(&d, "chosen");
	dt_str(&d, "bootargs", bootargs);
	dt_str(&d, "stdout-path", stdout_path);
	dt_end(&d);

	dt_memory(&d, mem);
	dt_cpus(&d, ncpus);
	dt_isa(&d);
	dt_virtio_mmio(&d, devs);
	dt_end(&d);
	if (!d.err)
		d.err = fdt_finish(buf);
	if (d.err == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	return d.err ? -EIO : 0;
}
