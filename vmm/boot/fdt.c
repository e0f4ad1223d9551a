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

/* The first cell of a reg under /isa. */
#define ISA_SPACE_IO 1u			/* first cell of an /isa reg: I/O port space */
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

/* "@name@@fmt" with @addr: the node name of a device. */
static void dt_node_name(char *out, size_t len, const struct dev_desc *dd)
{
	if (dd->space == DESC_ISA_IO)
		snprintf(out, len, "%s@i%llx", dd->name, (unsigned long long)dd->regs[0].base);
	else
		snprintf(out, len, "%s@%llx", dd->name, (unsigned long long)dd->regs[0].base);
}

/* One device's node: compatible, reg in its parent's cells, interrupts, clock-frequency. */
static void dt_device(struct dt *d, const struct dev_desc *dd)
{
	uint32_t reg[MAX_CELLS];
	unsigned int n = 0;
	char name[64];

	if (dd->nregs == 0 || dd->nregs > DESC_MAX_REGS) {
		d->err = -FDT_ERR_BADVALUE;
		return;
	}
	for (unsigned int i = 0; i < dd->nregs; i++) {
		if (dd->space == DESC_ISA_IO) {		/* /isa: space, port; size */
			reg[n++] = ISA_SPACE_IO;
			reg[n++] = (uint32_t)dd->regs[i].base;
			reg[n++] = (uint32_t)dd->regs[i].size;
		} else {				/* root: two cells each */
			reg[n++] = (uint32_t)(dd->regs[i].base >> 32);
			reg[n++] = (uint32_t)dd->regs[i].base;
			reg[n++] = (uint32_t)(dd->regs[i].size >> 32);
			reg[n++] = (uint32_t)dd->regs[i].size;
		}
	}
	dt_node_name(name, sizeof(name), dd);
	dt_begin(d, name);
	dt_str(d, "compatible", dd->compatible);
	dt_cells(d, "reg", reg, n);
	if (dd->irq >= 0)
		dt_u32(d, "interrupts", (uint32_t)dd->irq);
	if (dd->clock_hz)
		dt_u32(d, "clock-frequency", dd->clock_hz);
	dt_end(d);
}

/*
 * Every device of @devs in @space, in order. The tree has nodes for DESC_ISA_IO and DESC_MMIO
 * only: the other kinds (a PCI host bridge and its functions) are for ACPI, and a tree's guest
 * enumerates the bus itself.
 */
static void dt_devices(struct dt *d, const struct dev_descs *devs, enum desc_space space)
{
	for (unsigned int i = 0; devs && i < devs->n; i++)
		if (devs->d[i].space == space)
			dt_device(d, &devs->d[i]);
}

/* /isa: the port I/O devices. */
static void dt_isa(struct dt *d, const struct dev_descs *devs)
{
	dt_begin(d, "isa");
	dt_str(d, "compatible", "isa");
	dt_u32(d, "#address-cells", 2);
	dt_u32(d, "#size-cells", 1);
	dt_devices(d, devs, DESC_ISA_IO);
	dt_end(d);
}

size_t keel_fdt_size_hint(unsigned int ncpus, size_t bootargs_len, unsigned int ndevs)
{
	/* Fixed nodes and strings take under 1 KiB; a cpu node about 50 bytes; a device under 128. */
	return 4096 + (size_t)ncpus * 128 + bootargs_len + (size_t)ndevs * 128;
}

int keel_fdt_build(void *buf, size_t size, const struct guest_mem *mem, unsigned int ncpus,
		   const char *bootargs, const struct dev_descs *devs)
{
	struct dt d = { .fdt = buf };
	char stdout_path[96] = "";

	if (ncpus == 0)
		return -EINVAL;
	if (size > INT_MAX)
		size = INT_MAX;
	for (unsigned int i = 0; devs && i < devs->n && !stdout_path[0]; i++) {
		if (devs->d[i].console) {
			char name[64];

			dt_node_name(name, sizeof(name), &devs->d[i]);
			snprintf(stdout_path, sizeof(stdout_path), "%s/%s",
				 devs->d[i].space == DESC_ISA_IO ? "/isa" : "", name);
		}
	}

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
	if (stdout_path[0])
		dt_str(&d, "stdout-path", stdout_path);
	dt_end(&d);

	dt_memory(&d, mem);
	dt_cpus(&d, ncpus);
	dt_isa(&d, devs);
	dt_devices(&d, devs, DESC_MMIO);
	dt_end(&d);
	if (!d.err)
		d.err = fdt_finish(buf);
	if (d.err == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	return d.err ? -EIO : 0;
}
