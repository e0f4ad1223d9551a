/* The DSDT's definition block (acpi_dsdt.c), built for acpi.c from the devices' descriptions. */
#ifndef KEEL_FIRMWARE_ACPI_DSDT_H
#define KEEL_FIRMWARE_ACPI_DSDT_H

struct aml;
struct dev_descs;

/*
 * acpi_dsdt_body - write the DSDT's AML (what follows its header) for @devs into @a: \_SB with
 * a PNP0501 per 16550, fw_cfg's QEMU0002 (FWCF: _STA, _CRS its ports), the PCI host bridge
 * PNP0A03 (_SEG, _BBN, _UID, _CRS: its bus, its configuration ports, the I/O windows around
 * them, its memory window; _PRT), one PCI interrupt
 * link PNP0C0F per GSI the _PRT names, a LNRO0005 per virtio-mmio window; then \_S5. Checks
 * every description it uses first. Returns 0, -EINVAL for a description the DSDT cannot carry
 * (see acpi_build), or @a's error (aml_finish tells it too).
 */
int acpi_dsdt_body(struct aml *a, const struct dev_descs *devs);

#endif
