/* virtio-pci: capabilities, common configuration registers, ISR, notifications through ioeventfds, MSI-X or INTx. */
#include "devices/virtio/pci.h"
#include "firmware/le.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/devices.h"
#include "vmm/log.h"

#define VCAP_LEN 16u			/* struct virtio_pci_cap */
#define VCAP_NOTIFY_LEN 20u		/* + notify_off_multiplier */
#define VCAP_CFG_LEN 20u		/* + pci_cfg_data */
#define VCAP_BAR 4u			/* field offsets inside a capability */
#define VCAP_OFFSET 8u
#define VCAP_LENGTH 12u
#define VCAP_DATA 16u
#define VP_REG(off, len) ((off) << 4 | (len))	/* a common-configuration write: field and width */

/* The common configuration structure as the guest would read it now. */
static void vp_common_image(const struct virtio_pci *vp, uint8_t *c)
{
	const struct virtio_dev *dev = vp->dev;
	uint16_t q = vp->queue_select;

	memset(c, 0, VIRTIO_PCI_COMMON_SIZE);
	le_put32(c + VIRTIO_PCI_COMMON_DFSELECT, vp->dfselect);
	le_put32(c + VIRTIO_PCI_COMMON_DF, virtio_features_word(dev, vp->dfselect));
	le_put32(c + VIRTIO_PCI_COMMON_GFSELECT, vp->gfselect);
	le_put32(c + VIRTIO_PCI_COMMON_GF, virtio_driver_features_word(dev, vp->gfselect));
	le_put16(c + VIRTIO_PCI_COMMON_MSIX, vp->config_vector);
	le_put16(c + VIRTIO_PCI_COMMON_NUMQ, dev->ops->nqueues);
	c[VIRTIO_PCI_COMMON_STATUS] = virtio_status_get(dev);
	c[VIRTIO_PCI_COMMON_CFGGENERATION] = dev->config_generation;
	le_put16(c + VIRTIO_PCI_COMMON_Q_SELECT, q);
	if (q >= dev->ops->nqueues)
		return;		/* an unavailable queue: size 0, everything else 0 */
	le_put16(c + VIRTIO_PCI_COMMON_Q_SIZE, dev->vq[q].size);
	le_put16(c + VIRTIO_PCI_COMMON_Q_MSIX, vp->queue_vector[q]);
	le_put16(c + VIRTIO_PCI_COMMON_Q_ENABLE, dev->vq[q].ready);
	le_put16(c + VIRTIO_PCI_COMMON_Q_NOFF, q);
	le_put64(c + VIRTIO_PCI_COMMON_Q_DESCLO, dev->vq[q].desc_gpa);
	le_put64(c + VIRTIO_PCI_COMMON_Q_AVAILLO, dev->vq[q].avail_gpa);
	le_put64(c + VIRTIO_PCI_COMMON_Q_USEDLO, dev->vq[q].used_gpa);
}

static uint16_t vp_vector(const struct virtio_pci *vp, uint32_t v)
{
	return v < vp->msix.nvec ? (uint16_t)v : VIRTIO_MSI_NO_VECTOR;
}

/* Replace 32 bits (@hi: the upper half) of *@addr. */
static void vp_set_half(uint64_t *addr, bool hi, uint32_t v)
{
	*addr = hi ? (*addr & 0xffffffffull) | (uint64_t)v << 32 : (*addr & ~0xffffffffull) | v;
}

static void vp_common_write(struct virtio_pci *vp, uint32_t off, uint32_t len, uint64_t v)
{
	struct virtio_dev *dev = vp->dev;
	uint16_t q = vp->queue_select;
	struct virtq *vq = q < dev->ops->nqueues ? &dev->vq[q] : NULL;
	bool idle = vq && !vq->ready;	/* queue registers are writable while it is disabled */

	switch (VP_REG(off, len)) {
	case VP_REG(VIRTIO_PCI_COMMON_DFSELECT, 4):
		vp->dfselect = (uint32_t)v;
		return;
	case VP_REG(VIRTIO_PCI_COMMON_GFSELECT, 4):
		vp->gfselect = (uint32_t)v;
		return;
	case VP_REG(VIRTIO_PCI_COMMON_GF, 4):
		virtio_driver_features_set(dev, vp->gfselect, (uint32_t)v);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_MSIX, 2):
		vp->config_vector = vp_vector(vp, (uint32_t)v);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_STATUS, 1):
		virtio_status_set(dev, (uint8_t)v);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_SELECT, 2):
		vp->queue_select = (uint16_t)v;
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_SIZE, 2):
		if (idle)
			vq->size = (uint16_t)v;
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_MSIX, 2):
		if (vq)
			vp->queue_vector[q] = vp_vector(vp, (uint32_t)v);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_ENABLE, 2):
		if (vq && v == 1)
			virtio_queue_enable(dev, q);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_DESCLO, 8):
	case VP_REG(VIRTIO_PCI_COMMON_Q_AVAILLO, 8):
	case VP_REG(VIRTIO_PCI_COMMON_Q_USEDLO, 8):
		vp_common_write(vp, off, 4, (uint32_t)v);
		vp_common_write(vp, off + 4, 4, (uint32_t)(v >> 32));
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_DESCLO, 4):
	case VP_REG(VIRTIO_PCI_COMMON_Q_DESCHI, 4):
		if (idle)
			vp_set_half(&vq->desc_gpa, off == VIRTIO_PCI_COMMON_Q_DESCHI, (uint32_t)v);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_AVAILLO, 4):
	case VP_REG(VIRTIO_PCI_COMMON_Q_AVAILHI, 4):
		if (idle)
			vp_set_half(&vq->avail_gpa, off == VIRTIO_PCI_COMMON_Q_AVAILHI, (uint32_t)v);
		return;
	case VP_REG(VIRTIO_PCI_COMMON_Q_USEDLO, 4):
	case VP_REG(VIRTIO_PCI_COMMON_Q_USEDHI, 4):
		if (idle)
			vp_set_half(&vq->used_gpa, off == VIRTIO_PCI_COMMON_Q_USEDHI, (uint32_t)v);
		return;
	default:
		/* read-only fields, queue_reset (VIRTIO_F_RING_RESET is not offered), odd widths */
		log_debug("%s: ignored %u-byte write at common configuration offset 0x%x", dev->name,
			  len, off);
	}
}

/* Raise INTA# (an edge through its irqfd) unless the guest disabled INTx. */
static void vp_intx(struct virtio_pci *vp)
{
	if (vp->intx_efd >= 0 && !(vp->pci.cfg[PCI_COMMAND + 1] & (PCI_CMD_INTX_DISABLE >> 8)))
		ioloop_signal(vp->dev->loop, vp->intx_efd);
}

static void vp_notify_queue(struct virtio_dev *dev, unsigned int q)
{
	struct virtio_pci *vp = dev->transport;

	if (msix_enabled(&vp->msix)) {
		if (vp->queue_vector[q] != VIRTIO_MSI_NO_VECTOR)
			msix_notify(&vp->msix, vp->queue_vector[q]);
		return;
	}
	vp->isr |= VIRTIO_PCI_ISR_QUEUE;
	vp_intx(vp);
}

static void vp_notify_config(struct virtio_dev *dev)
{
	struct virtio_pci *vp = dev->transport;

	if (msix_enabled(&vp->msix)) {
		if (vp->config_vector != VIRTIO_MSI_NO_VECTOR)
			msix_notify(&vp->msix, vp->config_vector);
		return;
	}
	vp->isr |= VIRTIO_PCI_ISR_CONFIG;
	vp_intx(vp);
}

static void vp_reset(struct virtio_dev *dev)
{
	struct virtio_pci *vp = dev->transport;

	vp->isr = 0;
	vp->dfselect = vp->gfselect = 0;
	vp->queue_select = 0;
	vp->config_vector = VIRTIO_MSI_NO_VECTOR;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		vp->queue_vector[q] = VIRTIO_MSI_NO_VECTOR;
}

static const struct virtio_transport_ops virtio_pci_ops = {
	.name = "pci",
	.notify_queue = vp_notify_queue,
	.notify_config = vp_notify_config,
	.reset = vp_reset,
};

/* One access to BAR 0 at @off (device lock held). */
static void vp_bar_access(struct virtio_pci *vp, uint32_t off, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_dev *dev = vp->dev;
	uint32_t region = off & ~(VIRTIO_PCI_REGION - 1), o = off - region;

	if (!is_write)
		memset(data, 0, len);
	if (o + len > VIRTIO_PCI_REGION)
		return;		/* straddles two structures */
	switch (region) {
	case VIRTIO_PCI_COMMON_OFF:
		if (is_write) {
			vp_common_write(vp, o, len, devices_le_value(data, len));
		} else if (o < VIRTIO_PCI_COMMON_SIZE) {
			uint8_t img[VIRTIO_PCI_COMMON_SIZE];

			vp_common_image(vp, img);
			memcpy(data, img + o, o + len <= sizeof(img) ? len : sizeof(img) - o);
		}
		return;
	case VIRTIO_PCI_ISR_OFF:
		if (!is_write && o == 0) {
			data[0] = vp->isr;	/* reading clears it and "deasserts" INTx */
			vp->isr = 0;
		}
		return;
	case VIRTIO_PCI_DEVCFG_OFF:
		virtio_config_access(dev, o, data, len, is_write);
		return;
	case VIRTIO_PCI_NOTIFY_OFF:
		/* Reached only when no ioeventfd matched (other widths, or no KVM). */
		if (is_write && o % VIRTIO_PCI_NOTIFY_MULT == 0)
			virtio_kick(dev, o / VIRTIO_PCI_NOTIFY_MULT);
		return;
	case VIRTIO_PCI_MSIX_TABLE_OFF:
		msix_table_access(&vp->msix, o, data, len, is_write);
		return;
	case VIRTIO_PCI_MSIX_PBA_OFF:
		msix_pba_access(&vp->msix, o, data, len, is_write);
		return;
	default:
		return;
	}
}

int virtio_pci_bar_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		      bool is_write)
{
	struct virtio_pci *vp = opaque;

	(void)vcpu;
	pthread_mutex_lock(&vp->dev->lock);
	vp_bar_access(vp, (uint32_t)offset, data, len, is_write);
	pthread_mutex_unlock(&vp->dev->lock);
	return 0;
}

/* The VIRTIO_PCI_CAP_PCI_CFG window: an access of cap.length bytes at cap.offset of BAR cap.bar. */
static bool vp_cfg_window(const struct virtio_pci *vp, uint32_t *off, uint32_t *len)
{
	const uint8_t *cap = &vp->pci.cfg[vp->cfg_cap];

	*off = le_get32(cap + VCAP_OFFSET);
	*len = le_get32(cap + VCAP_LENGTH);
	return cap[VCAP_BAR] == 0 && (*len == 1 || *len == 2 || *len == 4) && *off % *len == 0 &&
	       *off < VIRTIO_PCI_BAR_SIZE;
}

static bool vp_touches(uint32_t off, uint32_t len, uint32_t at, uint32_t n)
{
	return off < at + n && at < off + len;
}

static void vp_cfg_read(struct pci_dev *pd, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = pd->opaque;
	uint32_t woff, wlen;

	pthread_mutex_lock(&vp->dev->lock);
	pd->cfg[PCI_STATUS] = (uint8_t)((pd->cfg[PCI_STATUS] & ~PCI_STATUS_INTX) | (vp->isr ? PCI_STATUS_INTX : 0));
	if (vp_touches(off, len, vp->cfg_cap + VCAP_DATA, 4) && vp_cfg_window(vp, &woff, &wlen))
		vp_bar_access(vp, woff, &pd->cfg[vp->cfg_cap + VCAP_DATA], wlen, false);
	pthread_mutex_unlock(&vp->dev->lock);
}

/*
 * PMCSR written (device lock held): D1 and D2 do not exist (the state stays); D3hot -> D0 resets
 * the function as a driver's status write of 0 does, and turns MSI-X off; the guest restores its
 * configuration space afterwards, as after any function reset.
 */
static void vp_pm_write(struct virtio_pci *vp)
{
	uint8_t *pmcsr = &vp->pci.cfg[vp->pm_cap + 4];
	uint8_t st = *pmcsr & PCI_PM_STATE_MASK;

	if (st == 1 || st == 2) {
		*pmcsr = (uint8_t)((*pmcsr & ~PCI_PM_STATE_MASK) | vp->pm_state);
		return;
	}
	if (vp->pm_state == PCI_PM_STATE_D3HOT && st == 0) {
		virtio_status_set(vp->dev, 0);
		if (vp->msix_cap) {
			vp->pci.cfg[vp->msix_cap + 3] = 0;
			msix_set_control(&vp->msix, 0);
		}
	}
	vp->pm_state = st;
}

static void vp_cfg_write(struct pci_dev *pd, uint32_t off, uint32_t len)
{
	struct virtio_pci *vp = pd->opaque;
	uint32_t woff, wlen;

	pthread_mutex_lock(&vp->dev->lock);
	if (vp_touches(off, len, vp->pm_cap + 4, 1))
		vp_pm_write(vp);
	if (vp->msix_cap && vp_touches(off, len, vp->msix_cap + 2, 2))
		msix_set_control(&vp->msix, (uint16_t)(pd->cfg[vp->msix_cap + 2] | pd->cfg[vp->msix_cap + 3] << 8));
	if (vp_touches(off, len, vp->cfg_cap + VCAP_DATA, 4) && vp_cfg_window(vp, &woff, &wlen))
		vp_bar_access(vp, woff, &pd->cfg[vp->cfg_cap + VCAP_DATA], wlen, true);
	pthread_mutex_unlock(&vp->dev->lock);
}

/* BAR 0 moved: move the queues' ioeventfds with it. */
static void vp_bar_moved(struct pci_dev *pd, unsigned int bar, uint64_t old, uint64_t new)
{
	struct virtio_pci *vp = pd->opaque;
	struct virtio_dev *dev = vp->dev;

	if (bar != 0)
		return;
	for (unsigned int q = 0; q < dev->ops->nqueues && vp->notify_at; q++)
		kvm_ioeventfd(vp->vm_fd, dev->kick_fd[q], vp->notify_at + VIRTIO_PCI_NOTIFY_OFF + 4 * q, 2,
			      false, false, 0, false);
	vp->notify_at = 0;
	(void)old;
	if (!new)
		return;
	for (unsigned int q = 0; q < dev->ops->nqueues; q++) {
		int ret = kvm_ioeventfd(vp->vm_fd, dev->kick_fd[q], new + VIRTIO_PCI_NOTIFY_OFF + 4 * q, 2,
					false, false, 0, true);

		if (ret < 0) {
			log_warn("%s: no ioeventfd for queue %u (%s): its notifications exit to keel",
				 dev->name, q, strerror(-ret));
			while (q-- > 0)
				kvm_ioeventfd(vp->vm_fd, dev->kick_fd[q], new + VIRTIO_PCI_NOTIFY_OFF + 4 * q, 2,
					      false, false, 0, false);
			return;
		}
	}
	vp->notify_at = new;
}

static const struct pci_ops virtio_pci_cfg_ops = {
	.cfg_read = vp_cfg_read,
	.cfg_write = vp_cfg_write,
	.bar_moved = vp_bar_moved,
};

/* Append a virtio structure capability pointing into BAR 0. */
static uint8_t vp_add_vcap(struct virtio_pci *vp, uint8_t type, uint8_t len, uint32_t offset, uint32_t length)
{
	uint8_t at = pci_dev_add_cap(&vp->pci, PCI_CAP_ID_VNDR, len);

	if (!at)
		return 0;
	vp->pci.cfg[at + 2] = len;
	vp->pci.cfg[at + 3] = type;
	vp->pci.cfg[at + VCAP_BAR] = 0;
	le_put32(&vp->pci.cfg[at + VCAP_OFFSET], offset);
	le_put32(&vp->pci.cfg[at + VCAP_LENGTH], length);
	return at;
}

static int vp_build_config(struct virtio_pci *vp)
{
	struct virtio_dev *dev = vp->dev;
	uint8_t at;

	if (vp->msix.nvec) {	/* else INTA# only (msix=off): no capability, the table reads as nothing */
		vp->msix_cap = pci_dev_add_cap(&vp->pci, PCI_CAP_ID_MSIX, MSIX_CAP_LEN);
		if (!vp->msix_cap)
			return -ENOSPC;
		le_put16(&vp->pci.cfg[vp->msix_cap + 2], (uint16_t)(vp->msix.nvec - 1));
		vp->pci.wmask[vp->msix_cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
		le_put32(&vp->pci.cfg[vp->msix_cap + 4], VIRTIO_PCI_MSIX_TABLE_OFF);	/* BIR 0 */
		le_put32(&vp->pci.cfg[vp->msix_cap + 8], VIRTIO_PCI_MSIX_PBA_OFF);
	}

	/*
	 * Power management: D0 and D3hot, and No_Soft_Reset clear, so that D3hot -> D0 resets the
	 * function: the reset a guest asks for by /sys/bus/pci/devices/.../reset (Linux's PM reset).
	 */
	vp->pm_cap = pci_dev_add_cap(&vp->pci, PCI_CAP_ID_PM, PCI_PM_CAP_LEN);
	if (!vp->pm_cap)
		return -ENOSPC;
	le_put16(&vp->pci.cfg[vp->pm_cap + 2], PCI_PM_PMC_VERSION);
	vp->pci.wmask[vp->pm_cap + 4] = PCI_PM_STATE_MASK;
	if (!vp_add_vcap(vp, VIRTIO_PCI_CAP_COMMON_CFG, VCAP_LEN, VIRTIO_PCI_COMMON_OFF, VIRTIO_PCI_COMMON_SIZE))
		return -ENOSPC;
	at = vp_add_vcap(vp, VIRTIO_PCI_CAP_NOTIFY_CFG, VCAP_NOTIFY_LEN, VIRTIO_PCI_NOTIFY_OFF,
			 VIRTIO_PCI_NOTIFY_MULT * dev->ops->nqueues);
	if (!at)
		return -ENOSPC;
	le_put32(&vp->pci.cfg[at + VCAP_DATA], VIRTIO_PCI_NOTIFY_MULT);
	if (!vp_add_vcap(vp, VIRTIO_PCI_CAP_ISR_CFG, VCAP_LEN, VIRTIO_PCI_ISR_OFF, 1))
		return -ENOSPC;
	if (dev->ops->config_size &&
	    !vp_add_vcap(vp, VIRTIO_PCI_CAP_DEVICE_CFG, VCAP_LEN, VIRTIO_PCI_DEVCFG_OFF, dev->ops->config_size))
		return -ENOSPC;
	vp->cfg_cap = vp_add_vcap(vp, VIRTIO_PCI_CAP_PCI_CFG, VCAP_CFG_LEN, 0, 0);
	if (!vp->cfg_cap)
		return -ENOSPC;
	/* The driver picks the window: bar, offset, length, and the data bytes. */
	vp->pci.wmask[vp->cfg_cap + VCAP_BAR] = 0xff;
	memset(&vp->pci.wmask[vp->cfg_cap + VCAP_OFFSET], 0xff, 12);
	return 0;
}

int virtio_pci_create_fn(struct virtio_dev *dev, struct pci_host *host, unsigned int slot, unsigned int fn,
			 unsigned int irq, struct irq_router *router, int vm_fd, bool msix, struct virtio_pci **out)
{
	struct virtio_pci *vp = calloc(1, sizeof(*vp));
	int ret;

	if (!vp)
		return -ENOMEM;
	vp->dev = dev;
	vp->host = host;
	vp->vm_fd = vm_fd;
	vp->irq = irq;
	vp->intx_efd = -1;
	dev->transport = vp;
	dev->tops = &virtio_pci_ops;
	vp_reset(dev);
	pci_dev_init(&vp->pci, dev->name, VIRTIO_PCI_VENDOR, (uint16_t)(VIRTIO_PCI_DEVICE_BASE + dev->ops->device_id),
		     dev->ops->pci_class, VIRTIO_PCI_REVISION, VIRTIO_PCI_VENDOR, VIRTIO_PCI_SUBSYS_ID, irq);
	vp->pci.ops = &virtio_pci_cfg_ops;
	vp->pci.opaque = vp;
	pci_dev_set_bar(&vp->pci, 0, VIRTIO_PCI_BAR_SIZE, false, virtio_pci_bar_io, vp);
	ret = msix ? msix_init(&vp->msix, dev->ops->nqueues + 1u, router, vm_fd, dev->loop) : 0;
	if (ret == 0)
		ret = vp_build_config(vp);
	if (ret == 0) {
		vp->intx_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ret = vp->intx_efd < 0 ? -errno : kvm_irqfd(vm_fd, vp->intx_efd, irq, true);
		if (ret < 0 && vp->intx_efd >= 0) {
			close(vp->intx_efd);
			vp->intx_efd = -1;
		}
	}
	if (ret == 0)
		ret = pci_host_add(host, slot, fn, &vp->pci);
	if (ret < 0) {
		vp->host = NULL;
		virtio_pci_destroy(vp);
		return ret;
	}
	*out = vp;
	return 0;
}


int virtio_pci_describe(const struct virtio_pci *vp, struct dev_descs *out)
{
	return pci_dev_describe(&vp->pci, vp->irq, out);
}

void virtio_pci_destroy(struct virtio_pci *vp)
{
	if (!vp)
		return;
	if (vp->host)
		pci_host_remove(vp->host, vp->pci.slot, vp->pci.fn);
	if (vp->intx_efd >= 0) {
		kvm_irqfd(vp->vm_fd, vp->intx_efd, vp->irq, false);
		close(vp->intx_efd);
	}
	msix_destroy(&vp->msix);
	vp->dev->transport = NULL;
	vp->dev->tops = NULL;
	free(vp);
}

int virtio_pci_save(struct virtio_pci *vp, struct virtio_pci_state *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&vp->host->lock);
	pthread_mutex_lock(&vp->dev->lock);
	s->isr = vp->isr;
	s->dfselect = vp->dfselect;
	s->gfselect = vp->gfselect;
	s->queue_select = vp->queue_select;
	s->config_vector = vp->config_vector;
	memcpy(s->queue_vector, vp->queue_vector, sizeof(s->queue_vector));
	pci_dev_save(&vp->pci, &s->pci);
	ret = msix_save(&vp->msix, &s->msix);
	pthread_mutex_unlock(&vp->dev->lock);
	pthread_mutex_unlock(&vp->host->lock);
	return ret;
}

/* Checks of @s beyond the configuration space and the MSI-X table of their own. */
static int vp_state_check(const struct virtio_pci *vp, const struct virtio_pci_state *s)
{
	const uint8_t *cap = &s->pci.cfg[vp->msix_cap];
	uint16_t ctrl = vp->msix_cap ? (uint16_t)(cap[2] | cap[3] << 8) & (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) : 0;
	uint8_t pm = s->pci.cfg[vp->pm_cap + 4] & PCI_PM_STATE_MASK;

	if (s->isr & ~(VIRTIO_PCI_ISR_QUEUE | VIRTIO_PCI_ISR_CONFIG))
		return -EINVAL;
	if (pm == 1 || pm == 2)		/* D1, D2: states the function does not have */
		return -EINVAL;
	if (vp_vector(vp, s->config_vector) != s->config_vector)
		return -EINVAL;
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		uint16_t v = s->queue_vector[q];

		if (q < vp->dev->ops->nqueues ? vp_vector(vp, v) != v : v != VIRTIO_MSI_NO_VECTOR)
			return -EINVAL;
	}
	/* What the capability says is what MSI-X does (vp_cfg_write keeps them together). */
	if (ctrl != s->msix.ctrl)
		return -EINVAL;
	return 0;
}

int virtio_pci_restore(struct virtio_pci *vp, const struct virtio_pci_state *s)
{
	int ret;

	pthread_mutex_lock(&vp->host->lock);
	pthread_mutex_lock(&vp->dev->lock);
	ret = vp_state_check(vp, s);
	if (ret == 0)
		ret = msix_state_check(&vp->msix, &s->msix);
	if (ret == 0)
		ret = pci_dev_state_check(&vp->pci, &s->pci);
	if (ret == 0) {
		msix_restore(&vp->msix, &s->msix);	/* checked: cannot fail */
		vp->isr = s->isr;
		vp->dfselect = s->dfselect;
		vp->gfselect = s->gfselect;
		vp->queue_select = s->queue_select;
		vp->config_vector = s->config_vector;
		memcpy(vp->queue_vector, s->queue_vector, sizeof(vp->queue_vector));
		vp->pm_state = s->pci.cfg[vp->pm_cap + 4] & PCI_PM_STATE_MASK;
	}
	pthread_mutex_unlock(&vp->dev->lock);
	/*
	 * The configuration space and the BAR mapping under the host's lock alone, as a guest's
	 * configuration write: a vCPU inside BAR 0 holds the bus while it waits for the device's
	 * lock. Checked under this same hold of the host's lock, it cannot fail.
	 */
	if (ret == 0)
		pci_dev_restore(&vp->pci, &s->pci);
	pthread_mutex_unlock(&vp->host->lock);
	return ret;
}

int virtio_pci_intx_fd(const struct virtio_pci *vp)
{
	return vp->intx_efd;
}

int virtio_pci_vector_fd(const struct virtio_pci *vp, unsigned int v)
{
	return msix_vector_fd(&vp->msix, v);
}
