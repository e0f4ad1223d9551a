/* A PCI host bridge on bus 0 with configuration mechanism #1 (ports 0xcf8/0xcfc), and type-0 functions (up to 8 a slot) with BARs and capabilities. */
#ifndef KEEL_DEVICES_PCI_H
#define KEEL_DEVICES_PCI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "firmware/machine.h"
#include "vmm/bus.h"

#define PCI_CFG_SIZE 256u
#define PCI_MAX_SLOTS KEEL_PCI_SLOTS
#define PCI_MAX_FUNCS KEEL_PCI_FUNCS	/* functions per slot */
#define PCI_NUM_BARS 6u

/* Configuration header offsets and bits keel uses. */
#define PCI_VENDOR_ID 0x00u
#define PCI_DEVICE_ID 0x02u
#define PCI_COMMAND 0x04u
#define PCI_STATUS 0x06u
#define PCI_REVISION 0x08u
#define PCI_CLASS_PROG 0x09u
#define PCI_HEADER_TYPE 0x0eu
#define PCI_HEADER_MULTI_FN 0x80u	/* header type: the slot has functions beyond 0 */
#define PCI_BAR0 0x10u
#define PCI_SUBSYS_VENDOR 0x2cu
#define PCI_SUBSYS_ID 0x2eu
#define PCI_CAP_PTR 0x34u
#define PCI_INT_LINE 0x3cu
#define PCI_INT_PIN 0x3du
#define PCI_CMD_IO 0x0001u
#define PCI_CMD_MEM 0x0002u
#define PCI_CMD_MASTER 0x0004u
#define PCI_CMD_INTX_DISABLE 0x0400u
#define PCI_STATUS_INTX 0x0008u
#define PCI_STATUS_CAP_LIST 0x0010u
#define PCI_BAR_IO 0x1u
#define PCI_CAP_ID_MSIX 0x11u
#define PCI_CAP_ID_PM 0x01u		/* power management: PMC at +2, PMCSR at +4 */
#define PCI_PM_CAP_LEN 8u
#define PCI_PM_PMC_VERSION 3u		/* PCI PM 1.2; D1, D2 and PME not supported */
#define PCI_PM_STATE_MASK 0x3u		/* PMCSR bits 1:0: D0 0 ... D3hot 3 */
#define PCI_PM_STATE_D3HOT 3u
#define PCI_CFG_ADDR_ENABLE 0x80000000u

/* The host bridge keel puts in slot 0. */
#define PCI_HOST_VENDOR 0x8086u
#define PCI_HOST_DEVICE 0x1237u
#define PCI_CLASS_HOST_BRIDGE 0x060000u

struct dev_descs;
struct pci_dev;

/* A function's hooks into configuration space (host lock held; all may be NULL). */
struct pci_ops {
	/* Before a read of [@off, @off + @len): refresh pd->cfg there if it is computed. */
	void (*cfg_read)(struct pci_dev *pd, uint32_t off, uint32_t len);
	/* After a write of [@off, @off + @len) went into pd->cfg through the write mask. */
	void (*cfg_write)(struct pci_dev *pd, uint32_t off, uint32_t len);
	/* BAR @bar moved from @old to @new on its bus (0: not mapped). */
	void (*bar_moved)(struct pci_dev *pd, unsigned int bar, uint64_t old, uint64_t new);
};

struct pci_bar {
	uint32_t size;			/* 0: no BAR; else a power of 2 */
	bool io;			/* port I/O, else 32-bit memory */
	bus_handler_fn fn;
	void *opaque;
	uint64_t mapped;		/* address on its bus now, 0 when not mapped */
};

struct pci_host;

struct pci_dev {
	const char *name;
	uint8_t cfg[PCI_CFG_SIZE];	/* the configuration space as the guest reads it */
	uint8_t wmask[PCI_CFG_SIZE];	/* bits the guest may write */
	struct pci_bar bar[PCI_NUM_BARS];
	const struct pci_ops *ops;
	void *opaque;
	struct pci_host *host;		/* set by pci_host_add */
	unsigned int slot, fn;		/* where pci_host_add plugged it */
	uint8_t cap_end;		/* first free byte after the capabilities */
	uint8_t cap_last;		/* offset of the last capability (0: none) */
};

struct pci_host {
	struct bus *pio, *mmio;
	pthread_mutex_t lock;		/* configuration accesses and BAR moves */
	uint32_t addr;			/* CONFIG_ADDRESS (0xcf8) */
	struct pci_dev *slots[PCI_MAX_SLOTS][PCI_MAX_FUNCS];	/* [0][0]: the bridge */
	struct pci_dev bridge;
	uint64_t mmio_base;		/* the memory window pci_host_init was given ... */
	uint64_t mmio_next, mmio_end;	/* ... and where pci_host_add places the next memory BAR */
	bool ports;			/* 0xcf8-0xcff registered */
};

/*
 * A function's configuration space as plain data, as the guest reads it: command register, BAR
 * addresses, interrupt line, capability registers. What pci_dev_save reads out and
 * pci_dev_restore sets back; the BARs' mappings are derived from it again.
 */
struct pci_dev_state {
	uint8_t cfg[PCI_CFG_SIZE];
};

/* The host bridge's state: CONFIG_ADDRESS and the bridge's own configuration space. */
struct pci_host_state {
	uint32_t addr;
	struct pci_dev_state bridge;
};

/*
 * pci_dev_init - a type-0 function with these IDs, memory decoding enabled (as firmware leaves
 * it), interrupt pin INTA# routed to @irq (0xff: none), no BARs or capabilities yet.
 */
void pci_dev_init(struct pci_dev *pd, const char *name, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint16_t subsys_vendor, uint16_t subsys_id,
		  unsigned int irq);

/* pci_dev_set_bar - BAR @i: @size bytes (a power of 2, at least 16) handled by @fn(@opaque). */
void pci_dev_set_bar(struct pci_dev *pd, unsigned int i, uint32_t size, bool io, bus_handler_fn fn,
		     void *opaque);

/*
 * pci_dev_add_cap - append a capability of @len bytes (id and next included) to the list.
 * Returns its offset in configuration space, or 0 when there is no room.
 */
uint8_t pci_dev_add_cap(struct pci_dev *pd, uint8_t id, uint8_t len);

/*
 * pci_host_init - the bridge in slot 0 and ports 0xcf8-0xcff on @pio; memory BARs are placed
 * in [@mmio_base, @mmio_base + @mmio_size) on @mmio. Returns 0 or -errno.
 */
int pci_host_init(struct pci_host *h, struct bus *pio, struct bus *mmio, uint64_t mmio_base,
		  uint64_t mmio_size);

/* pci_host_destroy - unmap every BAR and release the ports. */
void pci_host_destroy(struct pci_host *h);

/*
 * pci_host_add - plug @pd in as function @fn (0 to 7) of @slot (1 to 31): give each memory BAR
 * an address in the window (naturally aligned) and map it. Functions 1 to 7 go into a slot whose
 * function 0 is there (guests look for them only then); function 0's header type then reads with
 * PCI_HEADER_MULTI_FN set. Returns 0, -EINVAL (no such slot or function, or no function 0 yet),
 * -EBUSY (taken), -ENOSPC (window full) or -errno.
 */
int pci_host_add(struct pci_host *h, unsigned int slot, unsigned int fn, struct pci_dev *pd);

/* pci_host_remove - unplug function @fn of @slot and unmap its BARs. */
void pci_host_remove(struct pci_host *h, unsigned int slot, unsigned int fn);

/*
 * pci_cfg_read / pci_cfg_write - configuration space of bus 0, @slot, function @fn, @len (1, 2
 * or 4) bytes at @off (not crossing a dword). Nothing there: reads all ones, writes are dropped.
 * Function 0's header type reads with PCI_HEADER_MULTI_FN set while its slot holds another.
 */
uint32_t pci_cfg_read(struct pci_host *h, unsigned int slot, unsigned int fn, uint32_t off, uint32_t len);
void pci_cfg_write(struct pci_host *h, unsigned int slot, unsigned int fn, uint32_t off, uint32_t len,
		   uint32_t val);

/*
 * pci_dev_save - read @pd's configuration space into @s. The host's lock must be held while @pd
 * is plugged (its owner takes it, as a configuration access does).
 */
void pci_dev_save(const struct pci_dev *pd, struct pci_dev_state *s);

/*
 * pci_dev_state_check - could @pd take @s? @s is untrusted: every bit the guest cannot write
 * (IDs, class, BAR types and size bits, the capability list) must be @pd's own; only the
 * interrupt status bit, which the function computes on every read, may differ. 0 or -EINVAL.
 */
int pci_dev_state_check(const struct pci_dev *pd, const struct pci_dev_state *s);

/*
 * pci_dev_restore - set @pd's configuration space to @s after pci_dev_state_check, then, when it
 * is plugged, map its BARs where the command register and the BAR registers say, as a guest
 * write of them does (bar_moved included; a BAR that would overlap another device stays
 * unmapped). The pci_ops cfg_write hook is not called: the owner restores what it derives from
 * its capabilities. Host lock held, as for pci_dev_save. 0, or -EINVAL with @pd unchanged.
 */
int pci_dev_restore(struct pci_dev *pd, const struct pci_dev_state *s);

/* pci_host_save - CONFIG_ADDRESS and the bridge's configuration space of @h into @s (takes the host lock). */
void pci_host_save(struct pci_host *h, struct pci_host_state *s);

/*
 * pci_host_restore - set @h's CONFIG_ADDRESS and its bridge back to @s (takes the host lock).
 * @s is untrusted: CONFIG_ADDRESS holds only the bits a write keeps, the bridge passes
 * pci_dev_state_check. The functions in the slots are their owners' to restore. 0, or -EINVAL
 * with @h unchanged.
 */
int pci_host_restore(struct pci_host *h, const struct pci_host_state *s);

/*
 * pci_host_describe - add @h to @out for the firmware tables (DESC_PCI_HOST): bus 0, its
 * configuration ports 0xcf8-0xcff, its memory window. The functions describe themselves
 * (pci_dev_describe). Returns 0 or -ENOSPC.
 */
int pci_host_describe(const struct pci_host *h, struct dev_descs *out);

/*
 * pci_dev_describe - add the plugged function @pd to @out (DESC_PCI): its slot and function, its
 * interrupt pin (from its header) and @gsi, the interrupt input its owner wired that pin to.
 * Returns 0, -EINVAL when @pd is not plugged, or -ENOSPC.
 */
int pci_dev_describe(const struct pci_dev *pd, unsigned int gsi, struct dev_descs *out);

/* pci_cfg_io - the bus handler of ports 0xcf8-0xcff (mechanism #1). */
int pci_cfg_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
	       bool is_write);

#endif
