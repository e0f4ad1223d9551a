/* The PCI host bridge: configuration mechanism #1, multi-function slots, header write masks, BAR sizing and moves, the capability list. */
#include "devices/pci.h"
#include "firmware/le.h"

#include <errno.h>
#include <string.h>

#include "devices/devices.h"
#include "firmware/describe.h"
#include "vmm/log.h"

#define PCI_CAP_START 0x40u
#define PCI_CFG_ADDR_BITS 0x80fffffcu	/* what a CONFIG_ADDRESS write keeps */

void pci_dev_init(struct pci_dev *pd, const char *name, uint16_t vendor, uint16_t device,
		  uint32_t class_code, uint8_t revision, uint16_t subsys_vendor, uint16_t subsys_id,
		  unsigned int irq)
{
	memset(pd, 0, sizeof(*pd));
	pd->name = name;
	le_put16(&pd->cfg[PCI_VENDOR_ID], vendor);
	le_put16(&pd->cfg[PCI_DEVICE_ID], device);
	pd->cfg[PCI_REVISION] = revision;
	pd->cfg[PCI_CLASS_PROG] = (uint8_t)class_code;
	le_put16(&pd->cfg[PCI_CLASS_PROG + 1], (uint16_t)(class_code >> 8));
	le_put16(&pd->cfg[PCI_SUBSYS_VENDOR], subsys_vendor);
	le_put16(&pd->cfg[PCI_SUBSYS_ID], subsys_id);
	le_put16(&pd->cfg[PCI_COMMAND], PCI_CMD_MEM);
	le_put16(&pd->wmask[PCI_COMMAND], PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
	pd->wmask[PCI_INT_LINE] = 0xff;
	pd->wmask[0x0c] = 0xff;		/* cache line size */
	pd->wmask[0x0d] = 0xff;		/* latency timer */
	if (irq != 0xff) {
		pd->cfg[PCI_INT_LINE] = (uint8_t)irq;
		pd->cfg[PCI_INT_PIN] = 1;	/* INTA# */
	}
	pd->cap_end = PCI_CAP_START;
}

void pci_dev_set_bar(struct pci_dev *pd, unsigned int i, uint32_t size, bool io, bus_handler_fn fn,
		     void *opaque)
{
	if (i >= PCI_NUM_BARS || size < 16 || (size & (size - 1)))
		return;
	pd->bar[i] = (struct pci_bar){ .size = size, .io = io, .fn = fn, .opaque = opaque };
	le_put32(&pd->cfg[PCI_BAR0 + 4 * i], io ? PCI_BAR_IO : 0);
	le_put32(&pd->wmask[PCI_BAR0 + 4 * i], ~(size - 1));
}

uint8_t pci_dev_add_cap(struct pci_dev *pd, uint8_t id, uint8_t len)
{
	uint8_t off = pd->cap_end;

	if (len < 2 || (unsigned int)off + len > PCI_CFG_SIZE)
		return 0;
	pd->cfg[off] = id;
	pd->cfg[off + 1] = 0;
	if (pd->cap_last)
		pd->cfg[pd->cap_last + 1] = off;
	else
		pd->cfg[PCI_CAP_PTR] = off;
	le_put16(&pd->cfg[PCI_STATUS], (uint16_t)(pd->cfg[PCI_STATUS] | PCI_STATUS_CAP_LIST));
	pd->cap_last = off;
	pd->cap_end = (uint8_t)((off + len + 3) & ~3u);
	return off;
}

/* Map BAR @i where its register and the command register say it should be (host lock held). */
static void pci_bar_update(struct pci_dev *pd, unsigned int i)
{
	struct pci_bar *b = &pd->bar[i];
	uint16_t cmd = (uint16_t)(pd->cfg[PCI_COMMAND] | pd->cfg[PCI_COMMAND + 1] << 8);
	struct bus *bus = b->io ? pd->host->pio : pd->host->mmio;
	uint64_t want = le_get32(&pd->cfg[PCI_BAR0 + 4 * i]) & ~(uint64_t)(b->size - 1);
	uint64_t old = b->mapped;

	if (!b->size)
		return;
	if (!(cmd & (b->io ? PCI_CMD_IO : PCI_CMD_MEM)) || want == 0 || want + b->size - 1 > UINT32_MAX ||
	    (b->io && want + b->size - 1 > 0xffff))
		want = 0;
	if (want == old)
		return;
	if (old)
		devices_unregister(bus, old, b->fn);
	b->mapped = 0;
	if (want) {
		if (bus_register(bus, want, b->size, b->fn, b->opaque, pd->name) == 0)
			b->mapped = want;
		else
			log_debug("pci %s: BAR%u at 0x%llx overlaps another device; not mapped", pd->name,
				  i, (unsigned long long)want);
	}
	if (pd->ops && pd->ops->bar_moved && b->mapped != old)
		pd->ops->bar_moved(pd, i, old, b->mapped);
}

static void pci_bars_update(struct pci_dev *pd)
{
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++)
		pci_bar_update(pd, i);
}

int pci_host_init(struct pci_host *h, struct bus *pio, struct bus *mmio, uint64_t mmio_base,
		  uint64_t mmio_size)
{
	int ret;

	memset(h, 0, sizeof(*h));
	h->pio = pio;
	h->mmio = mmio;
	h->mmio_base = mmio_base;
	h->mmio_next = mmio_base;
	h->mmio_end = mmio_base + mmio_size;
	pthread_mutex_init(&h->lock, NULL);
	pci_dev_init(&h->bridge, "host-bridge", PCI_HOST_VENDOR, PCI_HOST_DEVICE, PCI_CLASS_HOST_BRIDGE,
		     0, 0, 0, 0xff);
	le_put16(&h->bridge.cfg[PCI_COMMAND], PCI_CMD_MEM | PCI_CMD_MASTER);
	h->bridge.host = h;
	h->slots[0][0] = &h->bridge;
	ret = bus_register(pio, 0xcf8, 8, pci_cfg_io, h, "pci-config");
	if (ret < 0) {
		pthread_mutex_destroy(&h->lock);
		return ret;
	}
	h->ports = true;
	return 0;
}

void pci_host_destroy(struct pci_host *h)
{
	if (!h->pio)
		return;
	for (unsigned int s = 1; s < PCI_MAX_SLOTS; s++)
		for (unsigned int f = PCI_MAX_FUNCS; f-- > 0;)
			pci_host_remove(h, s, f);
	if (h->ports)
		devices_unregister(h->pio, 0xcf8, pci_cfg_io);
	h->ports = false;
	h->pio = NULL;
	pthread_mutex_destroy(&h->lock);
}

int pci_host_add(struct pci_host *h, unsigned int slot, unsigned int fn, struct pci_dev *pd)
{
	if (slot == 0 || slot >= PCI_MAX_SLOTS || fn >= PCI_MAX_FUNCS)
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	if (h->slots[slot][fn] || (fn && !h->slots[slot][0])) {
		pthread_mutex_unlock(&h->lock);
		return h->slots[slot][fn] ? -EBUSY : -EINVAL;
	}
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *b = &pd->bar[i];
		uint64_t at;

		if (!b->size || b->io)
			continue;
		at = (h->mmio_next + b->size - 1) & ~(uint64_t)(b->size - 1);
		if (at + b->size > h->mmio_end) {
			pthread_mutex_unlock(&h->lock);
			return -ENOSPC;
		}
		le_put32(&pd->cfg[PCI_BAR0 + 4 * i], (uint32_t)at);
		h->mmio_next = at + b->size;
	}
	pd->host = h;
	pd->slot = slot;
	pd->fn = fn;
	h->slots[slot][fn] = pd;
	pci_bars_update(pd);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void pci_host_remove(struct pci_host *h, unsigned int slot, unsigned int fn)
{
	struct pci_dev *pd;

	if (slot == 0 || slot >= PCI_MAX_SLOTS || fn >= PCI_MAX_FUNCS)
		return;
	pthread_mutex_lock(&h->lock);
	pd = h->slots[slot][fn];
	if (pd) {
		le_put16(&pd->cfg[PCI_COMMAND], 0);
		pci_bars_update(pd);
		h->slots[slot][fn] = NULL;
	}
	pthread_mutex_unlock(&h->lock);
}

static struct pci_dev *pci_find(struct pci_host *h, unsigned int slot, unsigned int fn)
{
	return slot < PCI_MAX_SLOTS && fn < PCI_MAX_FUNCS ? h->slots[slot][fn] : NULL;
}

/* Does @slot hold a function other than 0 (host lock held)? */
static bool pci_slot_multi(const struct pci_host *h, unsigned int slot)
{
	for (unsigned int f = 1; f < PCI_MAX_FUNCS; f++)
		if (h->slots[slot][f])
			return true;
	return false;
}

uint32_t pci_cfg_read(struct pci_host *h, unsigned int slot, unsigned int fn, uint32_t off, uint32_t len)
{
	struct pci_dev *pd;
	uint32_t v = 0;

	if ((len != 1 && len != 2 && len != 4) || off % 4 + len > 4 || off >= PCI_CFG_SIZE)
		return 0xffffffffu;
	pthread_mutex_lock(&h->lock);
	pd = pci_find(h, slot, fn);
	if (!pd) {
		pthread_mutex_unlock(&h->lock);
		return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
	}
	if (pd->ops && pd->ops->cfg_read)
		pd->ops->cfg_read(pd, off, len);
	for (uint32_t i = len; i-- > 0;)
		v = v << 8 | pd->cfg[off + i];
	if (fn == 0 && off <= PCI_HEADER_TYPE && PCI_HEADER_TYPE < off + len && pci_slot_multi(h, slot))
		v |= PCI_HEADER_MULTI_FN << 8 * (PCI_HEADER_TYPE - off);
	pthread_mutex_unlock(&h->lock);
	return v;
}

void pci_cfg_write(struct pci_host *h, unsigned int slot, unsigned int fn, uint32_t off, uint32_t len,
		   uint32_t val)
{
	struct pci_dev *pd;
	bool bars = false;

	if ((len != 1 && len != 2 && len != 4) || off % 4 + len > 4 || off >= PCI_CFG_SIZE)
		return;
	pthread_mutex_lock(&h->lock);
	pd = pci_find(h, slot, fn);
	if (!pd) {
		pthread_mutex_unlock(&h->lock);
		return;
	}
	for (uint32_t i = 0; i < len; i++) {
		uint32_t o = off + i;
		uint8_t m = pd->wmask[o], b = (uint8_t)(val >> (8 * i));

		pd->cfg[o] = (uint8_t)((pd->cfg[o] & ~m) | (b & m));
		bars |= (o >= PCI_BAR0 && o < PCI_BAR0 + 4 * PCI_NUM_BARS) || o == PCI_COMMAND;
	}
	if (bars && pd->host)
		pci_bars_update(pd);
	if (pd->ops && pd->ops->cfg_write)
		pd->ops->cfg_write(pd, off, len);
	pthread_mutex_unlock(&h->lock);
}

int pci_host_describe(const struct pci_host *h, struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "pci", .compatible = "keel,pci-host-cf8", .space = DESC_PCI_HOST, .nregs = 2,
		.regs = { { KEEL_PORT_PCI_CONFIG_ADDR, 8 }, { h->mmio_base, h->mmio_end - h->mmio_base } },
		.irq = -1, .pci = { .bus = 0 },
	};

	return desc_add(out, &d);
}

int pci_dev_describe(const struct pci_dev *pd, unsigned int gsi, struct dev_descs *out)
{
	/* The pin is read-only in the header; the slot and function are fixed once plugged. */
	unsigned int pin = pd->cfg[PCI_INT_PIN];
	const struct dev_desc d = {
		.name = pd->name, .compatible = "keel,pci-function", .space = DESC_PCI,
		.irq = pin ? (int)gsi : -1,
		.pci = { .bus = 0, .slot = pd->slot, .fn = pd->fn, .pin = pin },
	};

	if (!pd->host)
		return -EINVAL;
	return desc_add(out, &d);
}

int pci_cfg_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
	       bool is_write)
{
	struct pci_host *h = opaque;
	uint32_t a, reg;

	(void)vcpu;
	if (offset < 4) {
		/* CONFIG_ADDRESS: only whole-dword accesses (0xcf9 is the PC reset register elsewhere). */
		if (offset != 0 || len != 4) {
			if (!is_write)
				memset(data, 0xff, len);
			return 0;
		}
		pthread_mutex_lock(&h->lock);
		if (is_write)
			h->addr = (uint32_t)devices_le_value(data, 4) & PCI_CFG_ADDR_BITS;
		else
			le_put32(data, h->addr);
		pthread_mutex_unlock(&h->lock);
		return 0;
	}
	pthread_mutex_lock(&h->lock);
	a = h->addr;
	pthread_mutex_unlock(&h->lock);
	reg = (a & 0xfcu) + (uint32_t)(offset - 4);
	if (!(a & PCI_CFG_ADDR_ENABLE) || ((a >> 16) & 0xff) != 0) {
		if (!is_write)
			memset(data, 0xff, len);
		return 0;
	}
	if (is_write) {
		pci_cfg_write(h, (a >> 11) & 31, (a >> 8) & 7, reg, len, (uint32_t)devices_le_value(data, len));
	} else {
		uint32_t v = pci_cfg_read(h, (a >> 11) & 31, (a >> 8) & 7, reg, len);

		for (uint32_t i = 0; i < len; i++)
			data[i] = (uint8_t)(v >> (8 * i));
	}
	return 0;
}

void pci_dev_save(const struct pci_dev *pd, struct pci_dev_state *s)
{
	memcpy(s->cfg, pd->cfg, sizeof(s->cfg));
}

int pci_dev_state_check(const struct pci_dev *pd, const struct pci_dev_state *s)
{
	for (unsigned int i = 0; i < PCI_CFG_SIZE; i++) {
		uint8_t fixed = (uint8_t)~pd->wmask[i];

		if (i == PCI_STATUS)
			fixed &= (uint8_t)~PCI_STATUS_INTX;	/* computed by the function on reads */
		if ((s->cfg[i] ^ pd->cfg[i]) & fixed)
			return -EINVAL;
	}
	return 0;
}

int pci_dev_restore(struct pci_dev *pd, const struct pci_dev_state *s)
{
	int ret = pci_dev_state_check(pd, s);

	if (ret < 0)
		return ret;
	memcpy(pd->cfg, s->cfg, sizeof(pd->cfg));
	if (pd->host)
		pci_bars_update(pd);
	return 0;
}

void pci_host_save(struct pci_host *h, struct pci_host_state *s)
{
	pthread_mutex_lock(&h->lock);
	s->addr = h->addr;
	pci_dev_save(&h->bridge, &s->bridge);
	pthread_mutex_unlock(&h->lock);
}

int pci_host_restore(struct pci_host *h, const struct pci_host_state *s)
{
	int ret = -EINVAL;

	pthread_mutex_lock(&h->lock);
	if (!(s->addr & ~PCI_CFG_ADDR_BITS))
		ret = pci_dev_restore(&h->bridge, &s->bridge);
	if (ret == 0)
		h->addr = s->addr;
	pthread_mutex_unlock(&h->lock);
	return ret;
}
