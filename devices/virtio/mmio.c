/* virtio-mmio version 2: the register file, InterruptStatus/ACK, QueueNotify through ioeventfds, the interrupt through an irqfd. */
#include "devices/virtio/mmio.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/devices.h"
#include "vmm/irq.h"
#include "vmm/log.h"

static struct virtq *vm_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->dev->ops->nqueues ? &t->dev->vq[t->queue_sel] : NULL;
}

/* SHMLen/SHMBase of the region SHMSel names: all ones when the device has no such region (virtio 1.2 4.2.2). */
static uint32_t vm_shm_reg(const struct virtio_mmio *t, uint32_t off)
{
	const struct virtio_dev *dev = t->dev;
	uint64_t base, len;

	if (t->shm_sel > 0xff || !dev->ops->shm_region || !dev->ops->shm_region(dev, (uint8_t)t->shm_sel, &base, &len))
		return 0xffffffffu;
	switch (off) {
	case VIRTIO_MMIO_SHM_LEN_LOW:
		return (uint32_t)len;
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return (uint32_t)(len >> 32);
	case VIRTIO_MMIO_SHM_BASE_LOW:
		return (uint32_t)base;
	default:
		return (uint32_t)(base >> 32);
	}
}

static uint32_t vm_reg_read(struct virtio_mmio *t, uint32_t off)
{
	struct virtio_dev *dev = t->dev;
	struct virtq *vq = vm_queue(t);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return dev->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return virtio_features_word(dev, t->dfsel);
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return vq ? vq->max_size : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return vq ? vq->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->int_status;
	case VIRTIO_MMIO_STATUS:
		return virtio_status_get(dev);
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return vm_shm_reg(t, off);
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return dev->config_generation;
	default:
		return 0;		/* write-only and reserved registers */
	}
}

static void vm_half(uint64_t *addr, bool hi, uint32_t v)
{
	*addr = hi ? (*addr & 0xffffffffull) | (uint64_t)v << 32 : (*addr & ~0xffffffffull) | v;
}

static void vm_reg_write(struct virtio_mmio *t, uint32_t off, uint32_t v)
{
	struct virtio_dev *dev = t->dev;
	struct virtq *vq = vm_queue(t);
	bool idle = vq && !vq->ready;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dfsel = v;
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		virtio_driver_features_set(dev, t->gfsel, v);
		return;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->gfsel = v;
		return;
	case VIRTIO_MMIO_SHM_SEL:
		t->shm_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		return;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (idle)
			vq->size = v > 0xffff ? 0 : (uint16_t)v;	/* checked when the queue is enabled */
		return;
	case VIRTIO_MMIO_QUEUE_READY:
		if (vq && v == 1)
			virtio_queue_enable(dev, t->queue_sel);
		else if (vq && v == 0)
			vq->ready = false;	/* the driver stops using it */
		return;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		virtio_kick(dev, v & 0xffff);	/* no ioeventfd matched: no KVM, or a bad index */
		return;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->int_status &= ~v;
		return;
	case VIRTIO_MMIO_STATUS:
		virtio_status_set(dev, (uint8_t)v);
		return;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (idle)
			vm_half(&vq->desc_gpa, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		return;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (idle)
			vm_half(&vq->avail_gpa, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, v);
		return;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (idle)
			vm_half(&vq->used_gpa, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, v);
		return;
	default:
		log_debug("%s: ignored write of 0x%x to register 0x%x", dev->name, v, off);
	}
}

int virtio_mmio_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		   bool is_write)
{
	struct virtio_mmio *t = opaque;
	uint32_t off = (uint32_t)offset;

	(void)vcpu;
	pthread_mutex_lock(&t->dev->lock);
	if (off >= VIRTIO_MMIO_CONFIG) {
		virtio_config_access(t->dev, off - VIRTIO_MMIO_CONFIG, data, len, is_write);
	} else if (len != 4 || off % 4) {
		/* The control registers take aligned 32-bit accesses only. */
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		vm_reg_write(t, off, (uint32_t)devices_le_value(data, 4));
	} else {
		uint32_t v = vm_reg_read(t, off);

		for (unsigned int i = 0; i < 4; i++)
			data[i] = (uint8_t)(v >> (8 * i));
	}
	pthread_mutex_unlock(&t->dev->lock);
	return 0;
}

static void vm_raise(struct virtio_mmio *t, uint32_t why)
{
	t->int_status |= why;
	ioloop_signal(t->dev->loop, t->irq_efd);
}

static void vm_notify_queue(struct virtio_dev *dev, unsigned int q)
{
	(void)q;
	vm_raise(dev->transport, VIRTIO_MMIO_INT_VRING);
}

static void vm_notify_config(struct virtio_dev *dev)
{
	vm_raise(dev->transport, VIRTIO_MMIO_INT_CONFIG);
}

static void vm_reset(struct virtio_dev *dev)
{
	struct virtio_mmio *t = dev->transport;

	t->int_status = 0;
	t->dfsel = t->gfsel = t->queue_sel = t->shm_sel = 0;
}

static const struct virtio_transport_ops virtio_mmio_ops = {
	.name = "mmio",
	.notify_queue = vm_notify_queue,
	.notify_config = vm_notify_config,
	.reset = vm_reset,
};

static void vm_ioeventfds(struct virtio_mmio *t, bool assign)
{
	struct virtio_dev *dev = t->dev;
	unsigned int n = assign ? dev->ops->nqueues : t->nioeventfds;

	for (unsigned int q = 0; q < n; q++) {
		int ret = kvm_ioeventfd(t->vm_fd, dev->kick_fd[q], t->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4, false,
					true, q, assign);

		if (ret < 0 && assign) {
			log_warn("%s: no ioeventfd for queue %u (%s): its notifications exit to keel",
				 dev->name, q, strerror(-ret));
			break;
		}
		if (assign)
			t->nioeventfds = q + 1;
	}
	if (!assign)
		t->nioeventfds = 0;
}

int virtio_mmio_create(struct virtio_dev *dev, struct bus *bus, uint64_t base, unsigned int irq, int vm_fd,
		       struct virtio_mmio **out)
{
	struct virtio_mmio *t = calloc(1, sizeof(*t));
	int ret;

	if (!t)
		return -ENOMEM;
	t->dev = dev;
	t->base = base;
	t->irq = irq;
	t->vm_fd = vm_fd;
	t->irq_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->irq_efd < 0) {
		ret = -errno;
		free(t);
		return ret;
	}
	ret = kvm_irqfd(vm_fd, t->irq_efd, irq, true);
	if (ret < 0) {
		close(t->irq_efd);
		free(t);
		return ret;
	}
	dev->transport = t;
	dev->tops = &virtio_mmio_ops;
	ret = bus_register(bus, base, VIRTIO_MMIO_WINDOW, virtio_mmio_io, t, dev->name);
	if (ret < 0) {
		virtio_mmio_destroy(t);
		return ret;
	}
	t->bus = bus;
	vm_ioeventfds(t, true);
	*out = t;
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	if (t->bus)
		devices_unregister(t->bus, t->base, virtio_mmio_io);
	vm_ioeventfds(t, false);
	kvm_irqfd(t->vm_fd, t->irq_efd, t->irq, false);
	close(t->irq_efd);
	t->dev->transport = NULL;
	t->dev->tops = NULL;
	free(t);
}

int virtio_mmio_save(struct virtio_mmio *t, struct virtio_mmio_state *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&t->dev->lock);
	s->int_status = t->int_status;
	s->dfsel = t->dfsel;
	s->gfsel = t->gfsel;
	s->queue_sel = t->queue_sel;
	s->shm_sel = t->shm_sel;
	pthread_mutex_unlock(&t->dev->lock);
	return 0;
}

int virtio_mmio_restore(struct virtio_mmio *t, const struct virtio_mmio_state *s)
{
	if (s->int_status & ~(VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG))
		return -EINVAL;
	pthread_mutex_lock(&t->dev->lock);
	t->int_status = s->int_status;
	t->dfsel = s->dfsel;
	t->gfsel = s->gfsel;
	t->queue_sel = s->queue_sel;
	t->shm_sel = s->shm_sel;
	pthread_mutex_unlock(&t->dev->lock);
	return 0;
}

int virtio_mmio_irq_fd(const struct virtio_mmio *t)
{
	return t->irq_efd;
}
