/* The modern virtio-pci transport: 1af4:1041-107f on bus 0, its vendor capabilities, common cfg, notify, device cfg. */
#include "guest/drivers/virtio.h"

#include "guest/arch/x86/mmu.h"
#include "guest/drivers/pci.h"

#define CAP_CFG_TYPE 3u
#define CAP_BAR 4u
#define CAP_OFFSET 8u
#define CAP_NOTIFY_MULT 16u

static inline void w8(volatile uint8_t *b, uint32_t off, uint8_t v) { *(volatile uint8_t *)(b + off) = v; }
static inline void w16(volatile uint8_t *b, uint32_t off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static inline void w32(volatile uint8_t *b, uint32_t off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }
static inline uint8_t r8(volatile uint8_t *b, uint32_t off) { return *(volatile uint8_t *)(b + off); }
static inline uint16_t r16(volatile uint8_t *b, uint32_t off) { return *(volatile uint16_t *)(b + off); }
static inline uint32_t r32(volatile uint8_t *b, uint32_t off) { return *(volatile uint32_t *)(b + off); }

static uint8_t pci_get_status(struct virtio_dev *d)
{
	return r8(d->common, VIRTIO_PCI_COMMON_STATUS);
}

static void pci_set_status(struct virtio_dev *d, uint8_t s)
{
	w8(d->common, VIRTIO_PCI_COMMON_STATUS, s);
}

static uint64_t pci_get_features(struct virtio_dev *d)
{
	uint64_t f;

	w32(d->common, VIRTIO_PCI_COMMON_DFSELECT, 0);
	f = r32(d->common, VIRTIO_PCI_COMMON_DF);
	w32(d->common, VIRTIO_PCI_COMMON_DFSELECT, 1);
	return f | (uint64_t)r32(d->common, VIRTIO_PCI_COMMON_DF) << 32;
}

static void pci_set_features(struct virtio_dev *d, uint64_t f)
{
	w32(d->common, VIRTIO_PCI_COMMON_GFSELECT, 0);
	w32(d->common, VIRTIO_PCI_COMMON_GF, (uint32_t)f);
	w32(d->common, VIRTIO_PCI_COMMON_GFSELECT, 1);
	w32(d->common, VIRTIO_PCI_COMMON_GF, (uint32_t)(f >> 32));
}

static uint16_t pci_queue_max(struct virtio_dev *d, uint16_t q)
{
	if (q >= r16(d->common, VIRTIO_PCI_COMMON_NUMQ))
		return 0;
	w16(d->common, VIRTIO_PCI_COMMON_Q_SELECT, q);
	return r16(d->common, VIRTIO_PCI_COMMON_Q_SIZE);
}

static void pci_queue_setup(struct virtio_dev *d, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
			    uint64_t used)
{
	w16(d->common, VIRTIO_PCI_COMMON_Q_SELECT, q);
	w16(d->common, VIRTIO_PCI_COMMON_Q_SIZE, size);
	w16(d->common, VIRTIO_PCI_COMMON_Q_MSIX, VIRTIO_MSI_NO_VECTOR);
	w32(d->common, VIRTIO_PCI_COMMON_Q_DESCLO, (uint32_t)desc);
	w32(d->common, VIRTIO_PCI_COMMON_Q_DESCHI, (uint32_t)(desc >> 32));
	w32(d->common, VIRTIO_PCI_COMMON_Q_AVAILLO, (uint32_t)avail);
	w32(d->common, VIRTIO_PCI_COMMON_Q_AVAILHI, (uint32_t)(avail >> 32));
	w32(d->common, VIRTIO_PCI_COMMON_Q_USEDLO, (uint32_t)used);
	w32(d->common, VIRTIO_PCI_COMMON_Q_USEDHI, (uint32_t)(used >> 32));
	w16(d->common, VIRTIO_PCI_COMMON_Q_ENABLE, 1);
}

static void pci_notify(struct virtio_dev *d, uint16_t q)
{
	uint16_t off;

	w16(d->common, VIRTIO_PCI_COMMON_Q_SELECT, q);
	off = r16(d->common, VIRTIO_PCI_COMMON_Q_NOFF);
	w16(d->notify, (uint32_t)off * d->notify_mult, q);
}

static uint32_t pci_cfg_read32(struct virtio_dev *d, uint32_t off)
{
	return r32(d->devcfg, off);
}

static uint8_t pci_cfg_read8(struct virtio_dev *d, uint32_t off)
{
	return r8(d->devcfg, off);
}

static void pci_cfg_write8(struct virtio_dev *d, uint32_t off, uint8_t v)
{
	w8(d->devcfg, off, v);
}

static uint8_t pci_isr(struct virtio_dev *d)
{
	return d->isr ? r8(d->isr, 0) : 0;
}

static const struct virtio_transport_ops pci_ops = {
	.name = "pci",
	.get_status = pci_get_status,
	.set_status = pci_set_status,
	.get_features = pci_get_features,
	.set_features = pci_set_features,
	.queue_max = pci_queue_max,
	.queue_setup = pci_queue_setup,
	.notify = pci_notify,
	.cfg_read32 = pci_cfg_read32,
	.cfg_read8 = pci_cfg_read8,
	.cfg_write8 = pci_cfg_write8,
	.isr = pci_isr,
};

/* Read the vendor capabilities of @slot into @d; false when one of common, notify, device cfg is missing. */
static bool read_caps(struct virtio_dev *d, uint8_t slot)
{
	for (uint8_t c = pci_find_cap(slot, PCI_CAP_ID_VNDR, 0); c; c = pci_find_cap(slot, PCI_CAP_ID_VNDR, c)) {
		uint8_t type = pci_read8(slot, (uint8_t)(c + CAP_CFG_TYPE)), bar = pci_read8(slot, (uint8_t)(c + CAP_BAR));
		uint64_t base;
		volatile uint8_t *p;

		if (bar > 5 || !(base = pci_bar_base(slot, bar)) || !phys_mapped(base, 0x10000))
			continue;
		p = (volatile uint8_t *)phys_to_virt(base + pci_read32(slot, (uint8_t)(c + CAP_OFFSET)));
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !d->common)
			d->common = p;
		else if (type == VIRTIO_PCI_CAP_ISR_CFG && !d->isr)
			d->isr = p;
		else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !d->devcfg)
			d->devcfg = p;
		else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !d->notify) {
			d->notify = p;
			d->notify_mult = pci_read32(slot, (uint8_t)(c + CAP_NOTIFY_MULT));
		}
	}
	return d->common && d->notify;	/* virtio-rng has no device configuration */
}

unsigned int virtio_pci_probe(struct virtio_dev *list, unsigned int n, unsigned int max)
{
	struct pci_func funcs[PCI_MAX_FUNCS];
	unsigned int nf = pci_enumerate(funcs, PCI_MAX_FUNCS);

	for (unsigned int i = 0; i < nf && i < PCI_MAX_FUNCS && n < max; i++) {
		struct virtio_dev *d = &list[n];

		if (funcs[i].vendor != VIRTIO_PCI_VENDOR || funcs[i].device <= VIRTIO_PCI_DEVICE_BASE ||
		    funcs[i].device > 0x107f)
			continue;
		*d = (struct virtio_dev){ .ops = &pci_ops, .slot = funcs[i].slot,
					  .device_id = funcs[i].device - VIRTIO_PCI_DEVICE_BASE,
					  .base = pci_bar_base(funcs[i].slot, 0) };
		pci_write16(funcs[i].slot, PCI_CFG_COMMAND,
			    (uint16_t)(pci_read16(funcs[i].slot, PCI_CFG_COMMAND) | PCI_CMD_MEMORY | PCI_CMD_MASTER));
		if (read_caps(d, funcs[i].slot))
			n++;
	}
	return n;
}
