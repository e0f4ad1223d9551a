/* PCI configuration space through mechanism #1 (ports 0xcf8/0xcfc): bus 0 enumeration and the capability walk. */
#ifndef KEEL_GUEST_DRIVERS_PCI_H
#define KEEL_GUEST_DRIVERS_PCI_H

#include <stdint.h>

#define PCI_MAX_FUNCS 32		/* bus 0, function 0 of each slot */
#define PCI_CFG_VENDOR 0x00u
#define PCI_CFG_DEVICE 0x02u
#define PCI_CFG_COMMAND 0x04u
#define PCI_CFG_STATUS 0x06u
#define PCI_CFG_BAR0 0x10u
#define PCI_CFG_CAP_PTR 0x34u
#define PCI_CFG_BAR1 0x14u
#define PCI_CMD_IO 0x1u
#define PCI_CMD_MEMORY 0x2u
#define PCI_CMD_MASTER 0x4u
#define PCI_STATUS_CAP_LIST 0x10u

struct pci_func {
	uint8_t slot;			/* bus 0, function 0 */
	uint16_t vendor, device;
};

uint32_t pci_read32(uint8_t slot, uint8_t off);
uint16_t pci_read16(uint8_t slot, uint8_t off);
uint8_t pci_read8(uint8_t slot, uint8_t off);
void pci_write16(uint8_t slot, uint8_t off, uint16_t v);

/* The present functions of bus 0 (function 0 of slots 0-31), up to @max into @out; returns how many. */
unsigned int pci_enumerate(struct pci_func *out, unsigned int max);

/* Config offset of the capability after @prev (0: the first) whose id is @id, or 0 when none (walk bounded). */
uint8_t pci_find_cap(uint8_t slot, uint8_t id, uint8_t prev);

/* The physical base of memory BAR @bar (64-bit BARs read with their upper half). */
uint64_t pci_bar_base(uint8_t slot, unsigned int bar);

#endif
