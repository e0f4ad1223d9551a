/* Just enough ACPI to count processors when there is no device tree: RSDP, RSDT/XSDT, MADT. */
#ifndef KEEL_GUEST_KERNEL_ACPI_H
#define KEEL_GUEST_KERNEL_ACPI_H

#include <stdint.h>

/*
 * Local APIC ids of the enabled processors in the MADT (Local APIC and x2APIC entries), up to @max
 * into @ids. @rsdp_pa is hvm_start_info.rsdp_paddr; when it is 0 (or no RSDP), the RSDP is searched
 * for in the EBDA and in [0xe0000, 0x100000). Returns the number of enabled processors, or -1 when
 * there is no MADT. The first I/O APIC entry's address goes to *@ioapic_base (left alone when none).
 */
int acpi_madt_cpus(uint64_t rsdp_pa, uint32_t *ids, unsigned int max, uint64_t *ioapic_base);

#endif
