/* I/O APIC register access (index/data window) and redirection entries. */
#include "guest/arch/x86/ioapic.h"

#include "guest/arch/x86/mmu.h"

#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define IOAPIC_REDTBL(pin) (0x10 + 2 * (pin))
#define RTE_MASKED (1ull << 16)

static volatile uint32_t *regs;		/* through the uncached direct map */
static unsigned int npins;

static uint32_t ioapic_read(uint32_t reg)
{
	regs[IOREGSEL / 4] = reg;
	return regs[IOWIN / 4];
}

static void ioapic_write(uint32_t reg, uint32_t v)
{
	regs[IOREGSEL / 4] = reg;
	regs[IOWIN / 4] = v;
}

void ioapic_init(uint64_t base)
{
	regs = phys_to_virt(base);
	npins = ((ioapic_read(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (unsigned int pin = 0; pin < npins; pin++)
		ioapic_mask(pin);
}

unsigned int ioapic_pins(void)
{
	return npins;
}

void ioapic_route(unsigned int pin, uint8_t vector, uint32_t dest)
{
	if (pin >= npins)
		return;
	/* Fixed delivery, physical destination, active high, edge: everything but the vector is 0. */
	ioapic_write(IOAPIC_REDTBL(pin) + 1, dest << 24);
	ioapic_write(IOAPIC_REDTBL(pin), vector);
}

void ioapic_mask(unsigned int pin)
{
	if (pin < npins)
		ioapic_write(IOAPIC_REDTBL(pin), RTE_MASKED);
}

uint32_t ioapic_version(void)
{
	return ioapic_read(IOAPIC_VER);
}

uint64_t ioapic_entry(unsigned int pin)
{
	if (pin >= npins)
		return 0;
	return ioapic_read(IOAPIC_REDTBL(pin)) | (uint64_t)ioapic_read(IOAPIC_REDTBL(pin) + 1) << 32;
}
