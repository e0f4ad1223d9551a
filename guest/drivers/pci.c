/* PCI configuration mechanism #1 on bus 0: reading and writing config space, enumeration, capabilities. */
#include "guest/drivers/pci.h"

#include "guest/arch/x86/io.h"

#define PCI_ADDR_PORT 0xcf8
#define PCI_DATA_PORT 0xcfc
#define PCI_CAP_WALK_MAX 48		/* a looping list ends here */

static void pci_select(uint8_t slot, uint8_t off)
{
	outl(PCI_ADDR_PORT, 0x80000000u | ((uint32_t)(slot & 31) << 11) | (off & 0xfcu));
}

uint32_t pci_read32(uint8_t slot, uint8_t off)
{
	pci_select(slot, off);
	return inl(PCI_DATA_PORT);
}

uint16_t pci_read16(uint8_t slot, uint8_t off)
{
	return (uint16_t)(pci_read32(slot, off) >> ((off & 2) * 8));
}

uint8_t pci_read8(uint8_t slot, uint8_t off)
{
	return (uint8_t)(pci_read32(slot, off) >> ((off & 3) * 8));
}

void pci_write16(uint8_t slot, uint8_t off, uint16_t v)
{
	pci_select(slot, off);
	outw((uint16_t)(PCI_DATA_PORT + (off & 2)), v);
}

unsigned int pci_enumerate(struct pci_func *out, unsigned int max)
{
	unsigned int n = 0;

	for (uint8_t slot = 0; slot < PCI_MAX_FUNCS; slot++) {
		uint32_t id = pci_read32(slot, PCI_CFG_VENDOR);

		if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0)
			continue;
		if (n < max)
			out[n] = (struct pci_func){ .slot = slot, .vendor = (uint16_t)id, .device = (uint16_t)(id >> 16) };
		n++;
	}
	return n;
}

uint8_t pci_find_cap(uint8_t slot, uint8_t id, uint8_t prev)
{
	uint8_t p;

	if (!(pci_read16(slot, PCI_CFG_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	p = prev ? pci_read8(slot, (uint8_t)(prev + 1)) : pci_read8(slot, PCI_CFG_CAP_PTR);
	for (unsigned int i = 0; i < PCI_CAP_WALK_MAX && p >= 0x40; i++) {
		p &= 0xfc;
		if (pci_read8(slot, p) == id)
			return p;
		p = pci_read8(slot, (uint8_t)(p + 1));
	}
	return 0;
}

uint64_t pci_bar_base(uint8_t slot, unsigned int bar)
{
	uint8_t off = (uint8_t)(PCI_CFG_BAR0 + 4 * bar);
	uint32_t lo = pci_read32(slot, off);
	uint64_t base = lo & ~0xfull;

	if (lo & 1)
		return 0;			/* an I/O BAR */
	if (((lo >> 1) & 3) == 2 && bar < 5)
		base |= (uint64_t)pci_read32(slot, (uint8_t)(off + 4)) << 32;
	return base;
}
