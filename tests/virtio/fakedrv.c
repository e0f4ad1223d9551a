/* The fake guest driver: PCI enumeration and capability walk, virtio-mmio registers, the init sequence of the spec. */
#include "tests/virtio/fakedrv.h"

#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "devices/pci.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/pci.h"
#include "devices/virtio/spec.h"
#include "firmware/machine.h"

static uint64_t le(const uint8_t *d, uint32_t len)
{
	uint64_t v = 0;

	for (uint32_t i = len; i-- > 0;)
		v = v << 8 | d[i];
	return v;
}

static void put(uint8_t *d, uint32_t len, uint64_t v)
{
	for (uint32_t i = 0; i < len; i++)
		d[i] = (uint8_t)(v >> (8 * i));
}

static void pio_write(struct vm *vm, uint16_t port, uint32_t len, uint32_t v)
{
	uint8_t d[4];

	put(d, len, v);
	bus_access(&vm->plat.pio, NULL, port, d, len, true);
}

static uint32_t pio_read(struct vm *vm, uint16_t port, uint32_t len)
{
	uint8_t d[4] = { 0xff, 0xff, 0xff, 0xff };

	bus_access(&vm->plat.pio, NULL, port, d, len, false);
	return (uint32_t)le(d, len);
}

uint32_t fakedrv_cfg_read(struct vm *vm, unsigned int slot, uint32_t off, uint32_t len)
{
	pio_write(vm, KEEL_PORT_PCI_CONFIG_ADDR, 4, PCI_CFG_ADDR_ENABLE | slot << 11 | (off & 0xfc));
	return pio_read(vm, (uint16_t)(KEEL_PORT_PCI_CONFIG_DATA + (off & 3)), len);
}

void fakedrv_cfg_write(struct vm *vm, unsigned int slot, uint32_t off, uint32_t len, uint32_t val)
{
	pio_write(vm, KEEL_PORT_PCI_CONFIG_ADDR, 4, PCI_CFG_ADDR_ENABLE | slot << 11 | (off & 0xfc));
	pio_write(vm, (uint16_t)(KEEL_PORT_PCI_CONFIG_DATA + (off & 3)), len, val);
}

uint64_t fakedrv_mmio_read(struct vm *vm, uint64_t gpa, uint32_t len)
{
	uint8_t d[8];

	memset(d, 0xff, sizeof(d));
	bus_access(&vm->plat.mmio, NULL, gpa, d, len, false);
	return le(d, len);
}

void fakedrv_mmio_write(struct vm *vm, uint64_t gpa, uint32_t len, uint64_t val)
{
	uint8_t d[8];

	put(d, len, val);
	bus_access(&vm->plat.mmio, NULL, gpa, d, len, true);
}

int fakedrv_open_pci(struct fakedrv *d, struct vm *vm, unsigned int slot)
{
	uint8_t cap;

	memset(d, 0, sizeof(*d));
	d->vm = vm;
	d->pci = true;
	d->slot = slot;
	if (fakedrv_cfg_read(vm, slot, PCI_VENDOR_ID, 2) != VIRTIO_PCI_VENDOR)
		return -ENODEV;
	d->bar0 = fakedrv_cfg_read(vm, slot, PCI_BAR0, 4) & ~0xfull;
	for (cap = (uint8_t)fakedrv_cfg_read(vm, slot, PCI_CAP_PTR, 1); cap;
	     cap = (uint8_t)fakedrv_cfg_read(vm, slot, cap + 1u, 1)) {
		uint8_t id = (uint8_t)fakedrv_cfg_read(vm, slot, cap, 1);
		uint8_t type = (uint8_t)fakedrv_cfg_read(vm, slot, cap + 3u, 1);
		uint32_t off = fakedrv_cfg_read(vm, slot, cap + 8u, 4);

		if (id == PCI_CAP_ID_MSIX) {
			d->msix_cap = cap;
			continue;
		}
		if (id != PCI_CAP_ID_VNDR || fakedrv_cfg_read(vm, slot, cap + 4u, 1) != 0)
			continue;
		if (type == VIRTIO_PCI_CAP_COMMON_CFG && !d->common)
			d->common = off | 0x80000000u;
		else if (type == VIRTIO_PCI_CAP_NOTIFY_CFG && !d->notify) {
			d->notify = off | 0x80000000u;
			d->notify_mult = fakedrv_cfg_read(vm, slot, cap + 16u, 4);
		} else if (type == VIRTIO_PCI_CAP_ISR_CFG && !d->isr)
			d->isr = off | 0x80000000u;
		else if (type == VIRTIO_PCI_CAP_DEVICE_CFG && !d->devcfg)
			d->devcfg = off | 0x80000000u;
		else if (type == VIRTIO_PCI_CAP_PCI_CFG && !d->cfg_cap)
			d->cfg_cap = cap;
	}
	/* Bit 31 marks "found" (offset 0 is valid); drop it now that all are known. */
	if (!d->common || !d->notify || !d->isr)
		return -EINVAL;
	d->common &= 0x7fffffffu;
	d->notify &= 0x7fffffffu;
	d->isr &= 0x7fffffffu;
	d->devcfg &= 0x7fffffffu;
	return 0;
}

int fakedrv_open_mmio(struct fakedrv *d, struct vm *vm, uint64_t base)
{
	memset(d, 0, sizeof(*d));
	d->vm = vm;
	d->base = base;
	if (fakedrv_mmio_read(vm, base + VIRTIO_MMIO_MAGIC_VALUE, 4) != VIRTIO_MMIO_MAGIC ||
	    fakedrv_mmio_read(vm, base + VIRTIO_MMIO_VERSION_REG, 4) != VIRTIO_MMIO_VERSION)
		return -ENODEV;
	return 0;
}

static uint64_t common_read(struct fakedrv *d, uint32_t off, uint32_t len)
{
	return fakedrv_mmio_read(d->vm, d->bar0 + d->common + off, len);
}

static void common_write(struct fakedrv *d, uint32_t off, uint32_t len, uint64_t v)
{
	fakedrv_mmio_write(d->vm, d->bar0 + d->common + off, len, v);
}

static uint32_t mreg(struct fakedrv *d, uint32_t off)
{
	return (uint32_t)fakedrv_mmio_read(d->vm, d->base + off, 4);
}

static void mwrite(struct fakedrv *d, uint32_t off, uint32_t v)
{
	fakedrv_mmio_write(d->vm, d->base + off, 4, v);
}

uint8_t fakedrv_status(struct fakedrv *d)
{
	return d->pci ? (uint8_t)common_read(d, VIRTIO_PCI_COMMON_STATUS, 1) : (uint8_t)mreg(d, VIRTIO_MMIO_STATUS);
}

void fakedrv_set_status(struct fakedrv *d, uint8_t s)
{
	if (d->pci)
		common_write(d, VIRTIO_PCI_COMMON_STATUS, 1, s);
	else
		mwrite(d, VIRTIO_MMIO_STATUS, s);
}

int fakedrv_reset(struct fakedrv *d)
{
	struct timespec ts = { .tv_nsec = 100000 };

	fakedrv_set_status(d, 0);
	for (int i = 0; i < 20000; i++) {
		if (fakedrv_status(d) == 0)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -ETIMEDOUT;
}

uint64_t fakedrv_device_features(struct fakedrv *d)
{
	uint64_t f = 0;

	for (uint32_t sel = 0; sel < 2; sel++) {
		uint64_t w;

		if (d->pci) {
			common_write(d, VIRTIO_PCI_COMMON_DFSELECT, 4, sel);
			w = common_read(d, VIRTIO_PCI_COMMON_DF, 4);
		} else {
			mwrite(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, sel);
			w = mreg(d, VIRTIO_MMIO_DEVICE_FEATURES);
		}
		f |= w << (32 * sel);
	}
	return f;
}

int fakedrv_init(struct fakedrv *d, uint64_t want, uint64_t *got)
{
	uint64_t f;

	if (fakedrv_reset(d) < 0)
		return -ETIMEDOUT;
	fakedrv_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	fakedrv_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	f = fakedrv_device_features(d) & want;
	for (uint32_t sel = 0; sel < 2; sel++) {
		if (d->pci) {
			common_write(d, VIRTIO_PCI_COMMON_GFSELECT, 4, sel);
			common_write(d, VIRTIO_PCI_COMMON_GF, 4, (uint32_t)(f >> (32 * sel)));
		} else {
			mwrite(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, sel);
			mwrite(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> (32 * sel)));
		}
	}
	fakedrv_set_status(d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	if (got)
		*got = f;
	return fakedrv_status(d) & VIRTIO_STATUS_FEATURES_OK ? 0 : -EIO;
}

uint16_t fakedrv_queue_max(struct fakedrv *d, unsigned int q)
{
	if (d->pci) {
		common_write(d, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		return (uint16_t)common_read(d, VIRTIO_PCI_COMMON_Q_SIZE, 2);
	}
	mwrite(d, VIRTIO_MMIO_QUEUE_SEL, q);
	return (uint16_t)mreg(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

void fakedrv_queue(struct fakedrv *d, unsigned int q, const struct fakeq *fq, uint16_t vec)
{
	if (d->pci) {
		common_write(d, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		common_write(d, VIRTIO_PCI_COMMON_Q_SIZE, 2, fq->size);
		common_write(d, VIRTIO_PCI_COMMON_Q_MSIX, 2, vec);
		common_write(d, VIRTIO_PCI_COMMON_Q_DESCLO, 4, (uint32_t)fq->desc_gpa);
		common_write(d, VIRTIO_PCI_COMMON_Q_DESCHI, 4, (uint32_t)(fq->desc_gpa >> 32));
		common_write(d, VIRTIO_PCI_COMMON_Q_AVAILLO, 8, fq->avail_gpa);
		common_write(d, VIRTIO_PCI_COMMON_Q_USEDLO, 4, (uint32_t)fq->used_gpa);
		common_write(d, VIRTIO_PCI_COMMON_Q_USEDHI, 4, (uint32_t)(fq->used_gpa >> 32));
		common_write(d, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
		return;
	}
	mwrite(d, VIRTIO_MMIO_QUEUE_SEL, q);
	mwrite(d, VIRTIO_MMIO_QUEUE_NUM, fq->size);
	mwrite(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)fq->desc_gpa);
	mwrite(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(fq->desc_gpa >> 32));
	mwrite(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)fq->avail_gpa);
	mwrite(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(fq->avail_gpa >> 32));
	mwrite(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)fq->used_gpa);
	mwrite(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(fq->used_gpa >> 32));
	mwrite(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

void fakedrv_driver_ok(struct fakedrv *d)
{
	fakedrv_set_status(d, (uint8_t)(fakedrv_status(d) | VIRTIO_STATUS_DRIVER_OK));
}

void fakedrv_kick(struct fakedrv *d, unsigned int q)
{
	if (d->pci) {
		common_write(d, VIRTIO_PCI_COMMON_Q_SELECT, 2, q);
		fakedrv_mmio_write(d->vm, d->bar0 + d->notify +
				   common_read(d, VIRTIO_PCI_COMMON_Q_NOFF, 2) * d->notify_mult, 2, q);
	} else {
		mwrite(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
	}
}

uint64_t fakedrv_config(struct fakedrv *d, uint32_t off, uint32_t len)
{
	if (d->pci)
		return fakedrv_mmio_read(d->vm, d->bar0 + d->devcfg + off, len);
	return fakedrv_mmio_read(d->vm, d->base + VIRTIO_MMIO_CONFIG + off, len);
}

void fakedrv_msix_enable(struct fakedrv *d)
{
	fakedrv_cfg_write(d->vm, d->slot, d->msix_cap + 2u, 2, 0x8000);
}

void fakedrv_msix_vector(struct fakedrv *d, unsigned int v, uint64_t addr, uint32_t data, bool masked)
{
	uint32_t table = fakedrv_cfg_read(d->vm, d->slot, d->msix_cap + 4u, 4) & ~7u;
	uint64_t e = d->bar0 + table + 16ull * v;

	fakedrv_mmio_write(d->vm, e, 4, (uint32_t)addr);
	fakedrv_mmio_write(d->vm, e + 4, 4, (uint32_t)(addr >> 32));
	fakedrv_mmio_write(d->vm, e + 8, 4, data);
	fakedrv_mmio_write(d->vm, e + 12, 4, masked);
}

uint32_t fakedrv_isr(struct fakedrv *d)
{
	uint32_t v;

	if (d->pci)
		return (uint32_t)fakedrv_mmio_read(d->vm, d->bar0 + d->isr, 1);
	v = mreg(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	mwrite(d, VIRTIO_MMIO_INTERRUPT_ACK, v);
	return v;
}

uint64_t fakedrv_irqs(int fd)
{
	uint64_t v = 0;

	if (fd < 0 || read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		return 0;
	return v;
}
