/* The machine as the kernel sees it: its device tree (read once), its CPUs and its RAM. */
#ifndef KEEL_GUEST_KERNEL_MACHINE_H
#define KEEL_GUEST_KERNEL_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/percpu.h"
#include "guest/kernel/devtree.h"

#define MACHINE_MAX_MEMORY_RANGES 16

enum cpu_source {
	CPUS_FROM_FDT,			/* /cpus of keel's device tree */
	CPUS_FROM_MADT,			/* ACPI MADT (QEMU and firmware-booted machines) */
	CPUS_ASSUMED,			/* neither: the boot CPU alone */
};

struct machine {
	const void *fdt;		/* the device tree module, NULL when none was passed */
	uint64_t fdt_size;
	int fdt_err;			/* devtree_open() of it; the tree is used only when 0 */

	/* What the tree says, read once by machine_discover() (libfdt is slow where ring 0 is emulated). */
	const char *bootargs;		/* /chosen bootargs, NULL when absent */
	int fdt_nmemory;		/* /memory@0 ranges, or a negative libfdt error */
	struct dt_reg memory[MACHINE_MAX_MEMORY_RANGES];
	int fdt_ncpus;			/* /cpus cpu nodes (ids in apic_ids), or a negative libfdt error */

	enum cpu_source cpu_source;
	unsigned int ncpus;		/* CPUs described (may exceed GUEST_MAX_CPUS) */
	uint32_t apic_ids[GUEST_MAX_CPUS]; /* the first GUEST_MAX_CPUS of their APIC ids */
	uint64_t ram_bytes;		/* from /memory when the tree is used, else the PVH memory map */
	uint64_t ioapic_base;		/* the MADT's I/O APIC, else keel's KEEL_IOAPIC_GPA */
};

extern struct machine machine;

/* True when a valid device tree was passed. */
static inline bool machine_has_fdt(void)
{
	return machine.fdt && !machine.fdt_err;
}

/*
 * Fill in `machine` from the device tree, else from ACPI and the PVH memory map. Call after
 * smp_init_bsp(): libfdt needs the stack canary of the per-CPU area.
 */
void machine_discover(void);

/* Print the one-line summary ("guest: fdt: 2 cpus, 256 MiB, bootargs ..."). */
void machine_print_summary(void);

#endif
