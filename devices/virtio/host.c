/* Builds a VM's virtio machine from its configuration: backends, devices, transport and I/O thread, and tears it down. */
#include "devices/virtio/host.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/backend_socket.h"
#include "devices/virtio/backend_tap.h"
#include "devices/virtio/blk.h"
#include "devices/virtio/console.h"
#include "devices/virtio/net.h"
#include "devices/virtio/rng.h"
#include "firmware/machine.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"

#define VIRTIO_RING_DEPTH 1024u		/* io_uring submission entries: every queue of every device fits */

int virtio_describe(const struct virtio_host *h, struct dev_descs *out)
{
	for (unsigned int i = 0; h && h->transport == VIRTIO_TRANSPORT_MMIO && i < h->nslots; i++) {
		const struct virtio_slot *s = &h->slots[i];
		const struct dev_desc d = {
			.name = "virtio_mmio", .compatible = "virtio,mmio", .space = DESC_MMIO,
			.nregs = 1, .regs = { { s->mmio_base, VIRTIO_MMIO_WINDOW } }, .irq = (int)s->irq,
		};
		int ret;

		if (!s->mmio)
			continue;
		ret = desc_add(out, &d);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int virtio_prepare(const struct virtio_config *c, struct stop_ctl *stop, struct virtio_host **out)
{
	struct virtio_host *h;
	char err[512];
	int ret;

	*out = NULL;
	if (virtio_config_ndevices(c) == 0)
		return KEEL_EXIT_OK;
	h = calloc(1, sizeof(*h));
	if (!h) {
		log_error("out of memory");
		return KEEL_EXIT_HOST;
	}
	h->cfg = c;
	h->transport = c->transport;
	*out = h;	/* the caller destroys it, whatever happens below */
	for (unsigned int i = 0; i < c->ndisks; i++) {
		ret = disk_open(&c->disks[i], i, &h->disks[i], err, sizeof(err));
		if (ret < 0)
			goto bad;
		h->ndisks++;
	}
	if (c->console.kind != VIRTIO_CONSOLE_NONE) {
		ret = chardev_open(&c->console, stop, &h->chardev, err, sizeof(err));
		if (ret < 0)
			goto bad;
	}
	for (unsigned int i = 0; i < c->nnets; i++) {
		const struct virtio_net_opts *o = &c->nets[i];

		ret = o->kind == VIRTIO_NET_TAP ? net_tap_open(o, &h->nets[i], err, sizeof(err))
						: net_socket_open(o, &h->nets[i], err, sizeof(err));
		if (ret < 0)
			goto bad;
		h->nnets++;
	}
	return KEEL_EXIT_OK;
bad:
	log_error("%s", err);
	return ret == -ENOMEM || ret == -EMFILE || ret == -ENFILE ? KEEL_EXIT_HOST : KEEL_EXIT_USAGE;
}

bool virtio_console_owns_stdin(const struct virtio_host *h)
{
	return h && h->chardev && h->chardev->escapes;
}

/* Create the device for slot @i (@disk: its index among the disks, or among the NICs). */
static int virtio_make_device(struct virtio_host *h, struct virtio_slot *s, unsigned int disk)
{
	const struct guest_mem *mem = &h->plat->mem;

	switch (s->kind) {
	case VIRTIO_KIND_BLK: {
		struct disk *dk = h->disks[disk];

		disk_register(dk, h->loop);
		log_debug("virtio-blk%u: %s, %llu bytes%s, %s, %s", disk, dk->path, (unsigned long long)dk->size,
			  dk->readonly ? " read-only" : "", dk->dfd >= 0 ? "O_DIRECT when aligned" : "buffered",
			  dk->fixed >= 0 ? "registered with io_uring" : "plain descriptors");
		return virtio_blk_create(dk, disk, mem, h->loop, &s->dev);
	}
	case VIRTIO_KIND_CONSOLE:
		return virtio_console_create(h->chardev, mem, h->loop, &s->dev);
	case VIRTIO_KIND_NET:
		return virtio_net_create(h->nets[disk], h->cfg->nets[disk].mac, disk, mem, h->loop, &s->dev);
	default:
		return virtio_rng_create(mem, h->loop, &s->dev);
	}
}

/* Give slot @s its resources and attach its device to the transport. */
static int virtio_attach(struct virtio_host *h, struct virtio_slot *s)
{
	struct platform *p = h->plat;
	int ret;

	ret = res_alloc_gsi(&p->res, &s->irq);
	if (ret < 0)
		return ret;
	if (h->transport == VIRTIO_TRANSPORT_PCI) {
		ret = res_alloc_pci_slot(&p->res, &s->pci_slot);
		return ret < 0 ? ret : virtio_pci_create(s->dev, &h->pci, s->pci_slot, s->irq, &p->irq, p->vm_fd, &s->pci);
	}
	ret = res_alloc_mmio_window(&p->res, &s->mmio_base);
	return ret < 0 ? ret : virtio_mmio_create(s->dev, &p->mmio, s->mmio_base, s->irq, p->vm_fd, &s->mmio);
}

int virtio_create(struct virtio_host *h, struct platform *p)
{
	unsigned int i;
	int ret;

	if (!h)
		return 0;
	h->plat = p;
	ret = ioloop_create(VIRTIO_RING_DEPTH, &h->loop);
	if (ret < 0)
		return ret;
	if (h->transport == VIRTIO_TRANSPORT_PCI) {
		ret = pci_host_init(&h->pci, &p->pio, &p->mmio, KEEL_PCI_MMIO_BASE, KEEL_PCI_MMIO_SIZE);
		if (ret < 0)
			return ret;
		h->pci_ok = true;
	}
	for (i = 0; i < h->ndisks; i++)
		h->slots[h->nslots++].kind = VIRTIO_KIND_BLK;
	if (h->chardev)
		h->slots[h->nslots++].kind = VIRTIO_KIND_CONSOLE;
	if (h->cfg->rng)
		h->slots[h->nslots++].kind = VIRTIO_KIND_RNG;
	for (i = 0; i < h->nnets; i++)
		h->slots[h->nslots++].kind = VIRTIO_KIND_NET;
	for (i = 0; i < h->nslots; i++) {
		struct virtio_slot *s = &h->slots[i];

		ret = virtio_make_device(h, s, s->kind == VIRTIO_KIND_NET ? i - (h->nslots - h->nnets) : i);
		if (ret == 0)
			ret = virtio_attach(h, s);
		if (ret < 0) {
			log_error("virtio device %u: %s", i, strerror(-ret));
			return ret;
		}
	}
	if (h->chardev)
		chardev_raw(h->chardev);
	ret = ioloop_start(h->loop);
	if (ret < 0)
		return ret;
	h->started = true;
	return 0;
}

void virtio_destroy(struct virtio_host *h)
{
	if (!h)
		return;
	/* First the I/O thread: after this nothing runs on a device any more. */
	ioloop_destroy(h->loop);
	h->loop = NULL;
	for (unsigned int i = h->nslots; i-- > 0;) {
		struct virtio_slot *s = &h->slots[i];

		virtio_pci_destroy(s->pci);
		virtio_mmio_destroy(s->mmio);
		if (!s->dev)
			continue;
		if (s->kind == VIRTIO_KIND_BLK)
			virtio_blk_destroy(s->dev);
		else if (s->kind == VIRTIO_KIND_CONSOLE)
			virtio_console_destroy(s->dev);
		else if (s->kind == VIRTIO_KIND_NET)
			virtio_net_destroy(s->dev);
		else
			virtio_rng_destroy(s->dev);
	}
	if (h->pci_ok)
		pci_host_destroy(&h->pci);
	for (unsigned int i = 0; i < h->ndisks; i++)
		disk_close(h->disks[i]);
	chardev_close(h->chardev);
	for (unsigned int i = 0; i < h->nnets; i++)
		net_backend_close(h->nets[i]);
	free(h);
}
