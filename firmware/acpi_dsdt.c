/* keel's DSDT: the serial ports, fw_cfg, the PCI host bridge with its interrupt routing and links, the virtio-mmio windows, \_S5. */
#include "firmware/acpi_dsdt.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "firmware/acpi.h"
#include "firmware/aml.h"
#include "firmware/describe.h"
#include "firmware/machine.h"

#define IOAPIC_INPUTS KEEL_MSI_GSI_BASE	/* KVM's IOAPIC: GSIs 0-23; MSI routes come after */
#define PORTS_END 0x10000ull
#define MAX_UARTS 9u			/* COM1 ... COM9 */
#define LINK_STA 0x0bu			/* present, enabled, functioning (not shown in the UI) */
#define FOUR_GIB 0x100000000ull
#define FW_CFG_COMPATIBLE "qemu,fw-cfg-io"	/* devices/fw_cfg.c's description */

static bool is(const struct dev_desc *d, enum desc_space space, const char *compatible)
{
	return d->space == space && d->compatible && !strcmp(d->compatible, compatible);
}

/* [@base, @base + @size) is not empty, does not wrap and ends at or below @end. */
static bool range_ok(uint64_t base, uint64_t size, uint64_t end)
{
	return size && base + size > base && base + size <= end;
}

/* Can the DSDT carry every description it uses? The host bridge into *@host (NULL: none). */
static int check(const struct dev_descs *devs, const struct dev_desc **host)
{
	unsigned int uarts = 0, fw_cfgs = 0;

	*host = NULL;
	for (unsigned int i = 0; i < devs->n; i++) {
		const struct dev_desc *d = &devs->d[i];

		if (d->space == DESC_PCI_HOST) {
			if (*host || d->nregs != 2 || d->regs[0].size > 0xff || d->pci.bus > 0xff ||
			    !range_ok(d->regs[0].base, d->regs[0].size, PORTS_END) ||
			    !range_ok(d->regs[1].base, d->regs[1].size, UINT64_MAX))
				return -EINVAL;
			*host = d;
		} else if (d->space == DESC_PCI) {
			if (d->pci.slot >= KEEL_PCI_SLOTS || d->pci.fn >= KEEL_PCI_FUNCS || d->pci.pin > 4 ||
			    (d->pci.pin && (d->irq < 0 || d->irq >= (int)IOAPIC_INPUTS)))
				return -EINVAL;
		} else if (is(d, DESC_MMIO, "virtio,mmio")) {
			if (d->nregs < 1 || !range_ok(d->regs[0].base, d->regs[0].size, FOUR_GIB) ||
			    d->irq < 0 || d->irq >= (int)IOAPIC_INPUTS)
				return -EINVAL;
		} else if (is(d, DESC_ISA_IO, "ns16550a")) {
			if (++uarts > MAX_UARTS || d->nregs < 1 || d->regs[0].size > 0xff ||
			    !range_ok(d->regs[0].base, d->regs[0].size, PORTS_END) || d->irq > 15)
				return -EINVAL;
		} else if (is(d, DESC_ISA_IO, FW_CFG_COMPATIBLE)) {
			if (++fw_cfgs > 1 || d->nregs < 1 || d->regs[0].size > 0xff ||
			    !range_ok(d->regs[0].base, d->regs[0].size, PORTS_END))
				return -EINVAL;
		} else if (d->space != DESC_ISA_IO && d->space != DESC_MMIO) {
			return -EINVAL;		/* a kind this writer does not know */
		}
	}
	for (unsigned int i = 0; i < devs->n; i++)
		if (devs->d[i].space == DESC_PCI && (!*host || devs->d[i].pci.bus != (*host)->pci.bus))
			return -EINVAL;
	return 0;
}

static void uart(struct aml *a, const struct dev_desc *d, unsigned int n)
{
	char name[8];

	snprintf(name, sizeof(name), "COM%u", n);
	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, n);
	aml_name(a, "_CRS");
	aml_rt_begin(a);
	aml_rt_io(a, (uint16_t)d->regs[0].base, (uint8_t)d->regs[0].size);
	if (d->irq >= 0)
		aml_rt_irq(a, (unsigned int)d->irq);
	aml_rt_end(a);
	aml_end(a);
}

/*
 * fw_cfg: Linux's qemu_fw_cfg driver binds QEMU0002 and takes its ports from _CRS (the selector,
 * the data port and, with 12 ports, the DMA address). Present, enabled, functioning and not shown
 * to the user (_STA 0x0b), as on QEMU.
 */
static void fw_cfg(struct aml *a, const struct dev_desc *d)
{
	aml_device_begin(a, "FWCF");
	aml_name(a, "_HID");
	aml_string(a, "QEMU0002");
	aml_name(a, "_STA");
	aml_integer(a, LINK_STA);
	aml_name(a, "_CRS");
	aml_rt_begin(a);
	aml_rt_io(a, (uint16_t)d->regs[0].base, (uint8_t)d->regs[0].size);
	aml_rt_end(a);
	aml_end(a);
}

/*
 * Does the _PRT route function @i? Not when an earlier function of its slot uses the same pin:
 * ACPI routes a slot's pin, not a function's, so the first one's GSI is the slot's.
 */
static bool prt_routes(const struct dev_descs *devs, unsigned int i)
{
	const struct dev_desc *d = &devs->d[i];

	if (d->space != DESC_PCI || d->pci.pin == DESC_PCI_PIN_NONE)
		return false;
	for (unsigned int j = 0; j < i; j++)
		if (devs->d[j].space == DESC_PCI && devs->d[j].pci.slot == d->pci.slot &&
		    devs->d[j].pci.pin == d->pci.pin)
			return false;
	return true;
}

static void link_name(char *out, size_t len, unsigned int gsi, bool absolute)
{
	snprintf(out, len, "%sLK%02u", absolute ? "\\_SB." : "", gsi);
}

/*
 * _PRT: every slot's pin to the interrupt link of its GSI. A link, not the GSI itself: Linux
 * programs a _PRT GSI level-triggered and active-low, but keel raises its PCI INTx lines as
 * edges (irqfd); the link's resources say edge, active-high, shared.
 */
static uint32_t prt(struct aml *a, const struct dev_descs *devs)
{
	uint32_t links = 0;
	char name[16];

	for (unsigned int i = 0; i < devs->n; i++)
		if (prt_routes(devs, i))
			links |= 1u << devs->d[i].irq;
	if (!links)
		return 0;
	aml_name(a, "_PRT");
	aml_package_begin(a);
	for (unsigned int i = 0; i < devs->n; i++) {
		const struct dev_desc *d = &devs->d[i];

		if (!prt_routes(devs, i))
			continue;
		link_name(name, sizeof(name), (unsigned int)d->irq, true);
		aml_package_begin(a);
		aml_integer(a, (uint64_t)d->pci.slot << 16 | 0xffff);	/* any function of the slot */
		aml_integer(a, d->pci.pin - DESC_PCI_PIN_INTA);		/* 0: INTA# */
		aml_name_ref(a, name);
		aml_integer(a, 0);					/* the link's first interrupt */
		aml_end(a);
	}
	aml_end(a);
	return links;
}

static void pci_host(struct aml *a, const struct dev_desc *h, const struct dev_descs *devs, uint32_t *links)
{
	uint64_t cfg = h->regs[0].base, cfg_end = cfg + h->regs[0].size;
	uint64_t win = h->regs[1].base, win_last = win + h->regs[1].size - 1;

	aml_device_begin(a, "PCI0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0A03");
	aml_name(a, "_SEG");
	aml_integer(a, 0);
	aml_name(a, "_BBN");
	aml_integer(a, h->pci.bus);
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_rt_begin(a);
	aml_rt_word_bus(a, (uint16_t)h->pci.bus, (uint16_t)h->pci.bus);
	aml_rt_io(a, (uint16_t)cfg, (uint8_t)h->regs[0].size);	/* the bridge's own ports */
	if (cfg > 0)
		aml_rt_word_io(a, 0, (uint16_t)(cfg - 1));
	if (cfg_end < PORTS_END)
		aml_rt_word_io(a, (uint16_t)cfg_end, (uint16_t)(PORTS_END - 1));
	if (win_last < FOUR_GIB)
		aml_rt_dword_memory(a, (uint32_t)win, (uint32_t)win_last);
	else
		aml_rt_qword_memory(a, win, win_last);
	aml_rt_end(a);
	*links = prt(a, devs);
	aml_end(a);
}

/* An interrupt link: one GSI, which it always has (_SRS and _DIS change nothing). */
static void link(struct aml *a, unsigned int gsi)
{
	char name[8];

	link_name(name, sizeof(name), gsi, false);
	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C0F");
	aml_name(a, "_UID");
	aml_integer(a, gsi);
	aml_method_begin(a, "_STA", 0, false);
	aml_return(a);
	aml_integer(a, LINK_STA);
	aml_end(a);
	aml_name(a, "_PRS");
	aml_rt_begin(a);
	aml_rt_interrupt(a, gsi, AML_IRQ_EDGE | AML_IRQ_SHARED);
	aml_rt_end(a);
	aml_name(a, "_CRS");
	aml_rt_begin(a);
	aml_rt_interrupt(a, gsi, AML_IRQ_EDGE | AML_IRQ_SHARED);
	aml_rt_end(a);
	aml_method_begin(a, "_SRS", 1, false);
	aml_end(a);
	aml_method_begin(a, "_DIS", 0, false);
	aml_end(a);
	aml_end(a);
}

/* Does a device other than @i raise @gsi? */
static bool gsi_shared(const struct dev_descs *devs, unsigned int i, int gsi)
{
	for (unsigned int j = 0; j < devs->n; j++)
		if (j != i && devs->d[j].irq == gsi)
			return true;
	return false;
}

/* A virtio-mmio window (Linux's virtio_mmio binds LNRO0005); keel raises its interrupt as an edge. */
static void virtio_mmio(struct aml *a, const struct dev_descs *devs, unsigned int i, unsigned int n)
{
	const struct dev_desc *d = &devs->d[i];
	char name[8];

	snprintf(name, sizeof(name), "VR%02X", n & 0xff);
	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name(a, "_UID");
	aml_integer(a, n);
	aml_name(a, "_CRS");
	aml_rt_begin(a);
	aml_rt_memory32_fixed(a, (uint32_t)d->regs[0].base, (uint32_t)d->regs[0].size, true);
	aml_rt_interrupt(a, (uint32_t)d->irq,
			 AML_IRQ_EDGE | (gsi_shared(devs, i, d->irq) ? AML_IRQ_SHARED : 0));
	aml_rt_end(a);
	aml_end(a);
}

int acpi_dsdt_body(struct aml *a, const struct dev_descs *devs)
{
	const struct dev_desc *host;
	unsigned int uarts = 0, mmio = 0;
	uint32_t links = 0;
	int ret = check(devs, &host);

	if (ret < 0)
		return ret;
	aml_scope_begin(a, "\\_SB");
	for (unsigned int i = 0; i < devs->n; i++)
		if (is(&devs->d[i], DESC_ISA_IO, "ns16550a"))
			uart(a, &devs->d[i], ++uarts);
	for (unsigned int i = 0; i < devs->n; i++)
		if (is(&devs->d[i], DESC_ISA_IO, FW_CFG_COMPATIBLE))
			fw_cfg(a, &devs->d[i]);
	/*
	 * No keyboard (PNP0303) even when the i8042 is described: keel's i8042 only resets, and
	 * Linux's driver would bind it and log its self-test timing out.
	 */
	if (host)
		pci_host(a, host, devs, &links);
	for (unsigned int gsi = 0; gsi < IOAPIC_INPUTS; gsi++)
		if (links & (1u << gsi))
			link(a, gsi);
	for (unsigned int i = 0; i < devs->n; i++)
		if (is(&devs->d[i], DESC_MMIO, "virtio,mmio"))
			virtio_mmio(a, devs, i, mmio++);
	aml_end(a);

	/* S5 (soft off): SLP_TYPa, SLP_TYPb (no PM1b block), two reserved. */
	aml_name(a, "\\_S5");
	aml_package_begin(a);
	aml_integer(a, ACPI_S5_SLP_TYP);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a);
	return a->err;
}
