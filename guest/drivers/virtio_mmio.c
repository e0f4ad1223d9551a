/* The virtio-mmio transport, version 2: the /virtio_mmio@... nodes of keel's device tree ("virtio,mmio"). */
#include "guest/drivers/virtio.h"

#include "guest/arch/x86/mmu.h"
#include "guest/kernel/machine.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"

#define MMIO_BASE_FIRST 0xd0000000ull	/* firmware/machine.h KEEL_VIRTIO_MMIO_BASE */
#define MMIO_STRIDE 0x1000ull

static inline void w32(struct virtio_dev *d, uint32_t off, uint32_t v) { *(volatile uint32_t *)(d->regs + off) = v; }
static inline uint32_t r32(struct virtio_dev *d, uint32_t off) { return *(volatile uint32_t *)(d->regs + off); }

static uint8_t mmio_get_status(struct virtio_dev *d)
{
	return (uint8_t)r32(d, VIRTIO_MMIO_STATUS);
}

static void mmio_set_status(struct virtio_dev *d, uint8_t s)
{
	w32(d, VIRTIO_MMIO_STATUS, s);
}

static uint64_t mmio_get_features(struct virtio_dev *d)
{
	uint64_t f;

	w32(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	f = r32(d, VIRTIO_MMIO_DEVICE_FEATURES);
	w32(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)r32(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void mmio_set_features(struct virtio_dev *d, uint64_t f)
{
	w32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	w32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	w32(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	w32(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint16_t mmio_queue_max(struct virtio_dev *d, uint16_t q)
{
	w32(d, VIRTIO_MMIO_QUEUE_SEL, q);
	return (uint16_t)r32(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
}

static void mmio_queue_setup(struct virtio_dev *d, uint16_t q, uint16_t size, uint64_t desc, uint64_t avail,
			     uint64_t used)
{
	w32(d, VIRTIO_MMIO_QUEUE_SEL, q);
	w32(d, VIRTIO_MMIO_QUEUE_NUM, size);
	w32(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	w32(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	w32(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	w32(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	w32(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	w32(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	w32(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void mmio_notify(struct virtio_dev *d, uint16_t q)
{
	w32(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static uint32_t mmio_cfg_read32(struct virtio_dev *d, uint32_t off)
{
	return r32(d, VIRTIO_MMIO_CONFIG + off);
}

static uint8_t mmio_cfg_read8(struct virtio_dev *d, uint32_t off)
{
	return *(volatile uint8_t *)(d->regs + VIRTIO_MMIO_CONFIG + off);
}

static void mmio_cfg_write8(struct virtio_dev *d, uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)(d->regs + VIRTIO_MMIO_CONFIG + off) = v;
}

static uint8_t mmio_isr(struct virtio_dev *d)
{
	uint32_t v = r32(d, VIRTIO_MMIO_INTERRUPT_STATUS);

	w32(d, VIRTIO_MMIO_INTERRUPT_ACK, v);
	return (uint8_t)v;
}

static const struct virtio_transport_ops mmio_ops = {
	.name = "mmio",
	.get_status = mmio_get_status,
	.set_status = mmio_set_status,
	.get_features = mmio_get_features,
	.set_features = mmio_set_features,
	.queue_max = mmio_queue_max,
	.queue_setup = mmio_queue_setup,
	.notify = mmio_notify,
	.cfg_read32 = mmio_cfg_read32,
	.cfg_read8 = mmio_cfg_read8,
	.cfg_write8 = mmio_cfg_write8,
	.isr = mmio_isr,
};

/* Nodes are looked up by their names (keel names them by base, one page apart), then checked. */
unsigned int virtio_mmio_probe(struct virtio_dev *list, unsigned int n, unsigned int max)
{
	if (!machine_has_fdt())
		return n;
	for (unsigned int i = 0; i < VIRTIO_MAX_DEVICES && n < max; i++) {
		char path[40];
		struct dt_reg reg;
		struct virtio_dev *d = &list[n];
		int node;

		snprintf(path, sizeof(path), "/virtio_mmio@%llx", MMIO_BASE_FIRST + i * MMIO_STRIDE);
		node = devtree_path(path, strlen(path));
		if (node < 0 || !devtree_compatible(node, "virtio,mmio") || devtree_reg(node, &reg, 1) < 1 ||
		    !phys_mapped(reg.addr, 0x200))
			continue;
		*d = (struct virtio_dev){ .ops = &mmio_ops, .base = reg.addr,
					  .regs = (volatile uint8_t *)phys_to_virt(reg.addr) };
		if (r32(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC || r32(d, VIRTIO_MMIO_VERSION_REG) != 2 ||
		    !(d->device_id = r32(d, VIRTIO_MMIO_DEVICE_ID)))
			continue;
		n++;
	}
	return n;
}
