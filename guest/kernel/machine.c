/* Discovering the machine from the device tree, or from ACPI and the PVH memory map without one. */
#include "guest/kernel/machine.h"

#include "firmware/machine.h"
#include "guest/kernel/acpi.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/console.h"

#define MIB (1ull << 20)

struct machine machine;

static void read_fdt(void)
{
	struct machine *m = &machine;

	m->bootargs = devtree_bootargs();
	m->fdt_nmemory = devtree_memory(m->memory, MACHINE_MAX_MEMORY_RANGES);
	for (int i = 0; i < m->fdt_nmemory && i < MACHINE_MAX_MEMORY_RANGES; i++)
		m->ram_bytes += m->memory[i].size;
	m->fdt_ncpus = devtree_cpus(m->apic_ids, GUEST_MAX_CPUS);
	if (m->fdt_ncpus > 0) {
		m->ncpus = (unsigned int)m->fdt_ncpus;
		m->cpu_source = CPUS_FROM_FDT;
	}
}

static void read_madt(void)
{
	uint64_t rsdp = boot_info.si ? boot_info.si->rsdp_paddr : 0;
	int n = acpi_madt_cpus(rsdp, machine.apic_ids, GUEST_MAX_CPUS, &machine.ioapic_base);

	if (n > 0) {
		machine.ncpus = (unsigned int)n;
		machine.cpu_source = CPUS_FROM_MADT;
	}
}

void machine_discover(void)
{
	machine.cpu_source = CPUS_ASSUMED;
	machine.ioapic_base = KEEL_IOAPIC_GPA;
	machine.fdt = bootinfo_fdt_module(&machine.fdt_size);
	if (machine.fdt)
		machine.fdt_err = devtree_open(machine.fdt, machine.fdt_size);
	if (machine_has_fdt())
		read_fdt();
	else
		machine.ram_bytes = bootinfo_ram_bytes();
	if (machine.cpu_source == CPUS_ASSUMED)
		read_madt();
	if (machine.cpu_source == CPUS_ASSUMED) {
		machine.ncpus = 1;
		machine.apic_ids[0] = cpus[0].apic_id;
	}
}

static unsigned long mib(uint64_t bytes)
{
	return (unsigned long)((bytes + MIB - 1) / MIB);
}

void machine_print_summary(void)
{
	const char *plural = machine.ncpus == 1 ? "" : "s";

	if (machine_has_fdt()) {
		kprintf("guest: fdt: %u cpu%s, %lu MiB, bootargs \"%s\"\n", machine.ncpus, plural,
			mib(machine.ram_bytes), machine.bootargs ? machine.bootargs : "(none)");
		return;
	}
	if (machine.fdt)
		kprintf("guest: unusable fdt (%s), ignored\n", devtree_strerror(machine.fdt_err));
	kprintf("guest: no fdt: %u cpu%s %s, %lu MiB from the PVH memory map\n", machine.ncpus, plural,
		machine.cpu_source == CPUS_FROM_MADT ? "from ACPI MADT" : "(no ACPI MADT)",
		mib(machine.ram_bytes));
}
