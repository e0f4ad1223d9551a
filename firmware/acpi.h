/* keel's ACPI tables (RSDP, XSDT, FADT, FACS, MADT, DSDT), written from the vCPU count and the devices' descriptions. */
#ifndef KEEL_FIRMWARE_ACPI_H
#define KEEL_FIRMWARE_ACPI_H

#include <stddef.h>
#include <stdint.h>

struct dev_descs;

/*
 * What the tables say, from firmware/machine.h and the descriptions:
 *  - RSDP revision 2 (both checksums) at the base, then the XSDT (FADT, MADT), FADT revision 6
 *    (ACPI 6.3, not hardware-reduced): the PM1a event block, PM1a control block and 32-bit PM
 *    timer of devices/pm.c, SCI on KEEL_SCI_IRQ, no SMI command port (ACPI mode is always on),
 *    the fixed-feature power button, no sleep button, no GPE block, no CMOS RTC, no VGA, no
 *    8042 (keel's i8042 only resets: Linux would try its self-test and log a timeout), and,
 *    when an i8042 is described, its command port with 0xfe as the reset register. The FACS,
 *    64-byte aligned, by the 32-bit FIRMWARE_CTRL (X_FIRMWARE_CTRL must then be 0); the DSDT by
 *    both DSDT and X_DSDT.
 *  - MADT: one Processor Local APIC per vCPU (APIC id and UID i, enabled; x2APIC entries from
 *    id 255), the IOAPIC at KEEL_IOAPIC_GPA with GSI base 0, the SCI as a level active-high
 *    override, LINT1 as NMI. ISA IRQ 0 keeps GSI 0: KVM's PIT raises GSI 0, which keel routes
 *    to IOAPIC input 0 (vmm/irq.c), so the PC's IRQ0 -> GSI 2 override would be untrue here.
 *  - DSDT (acpi_dsdt.c): \_SB with each 16550 (PNP0501), the PCI host bridge (PNP0A03) with
 *    its windows and a _PRT through one PCI interrupt link (PNP0C0F) per GSI, each virtio-mmio
 *    window (LNRO0005), and \_S5.
 *  - No MCFG: keel's PCI host has configuration mechanism #1 only, no ECAM window.
 * OEM id "KEEL  ", OEM table ids "KEELxxxx", creator "KEEL".
 */
#define ACPI_OEM_ID "KEEL  "
#define ACPI_CREATOR_ID "KEEL"
#define ACPI_S5_SLP_TYP 0u		/* _S5's SLP_TYPa: devices/pm.c powers off on SLP_EN whatever the type */
#define ACPI_TABLES_ALIGN 16u		/* @base_gpa's alignment: Linux looks for the RSDP on 16-byte boundaries */

/*
 * acpi_build - lay out the tables for @ncpus vCPUs and the devices @devs (NULL: none) as they
 * will sit at guest-physical @base_gpa (a multiple of ACPI_TABLES_ALIGN): into @buf, at most
 * @cap bytes, the RSDP first. Devices the tables have no place for (debug-exit, the power-off
 * register, ...) are skipped. Returns 0 with the bytes used in *@len and the RSDP's address
 * (@base_gpa) in *@rsdp_gpa; -ENOSPC when @cap is too small; -EINVAL for nonsense (no vCPU, a
 * misaligned base, tables that would cross 4 GiB... or a description the tables cannot carry:
 * a PCI function without a host or on a bus other than the host's, two hosts, an interrupt
 * beyond the IOAPIC's 24 inputs, an ISA device above port 0xffff, an MMIO window above 4 GiB).
 * Nothing is written past *@len.
 */
int acpi_build(unsigned int ncpus, const struct dev_descs *devs, uint64_t base_gpa, uint8_t *buf,
	       size_t cap, size_t *len, uint64_t *rsdp_gpa);

/*
 * acpi_find - in tables built by acpi_build at @base_gpa (@buf, @len bytes), the offset of the
 * table with signature @sig ("XSDT", "FACP", "APIC", "FACS", "DSDT"), followed the way a guest
 * does: the RSDP at offset 0, its XSDT, the XSDT's entries, the FADT's FACS and DSDT. Checks
 * every pointer and length it follows against @buf. For tests and tools. Returns the offset,
 * -ENOENT when no such table is linked, or -EINVAL when a pointer or length leaves @buf.
 */
long acpi_find(const uint8_t *buf, size_t len, uint64_t base_gpa, const char *sig);

/* acpi_checksum - the byte sum of @n bytes at @p: 0 for a table whose checksum is right. */
uint8_t acpi_checksum(const void *p, size_t n);

#endif
