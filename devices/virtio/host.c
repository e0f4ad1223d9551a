/* Builds a VM's virtio machine from its configuration: backends, devices, transport and I/O thread, and tears it down. */
#include "devices/virtio/host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/blk.h"
#include "firmware/machine.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"

#define VIRTIO_RING_DEPTH 1024u		/* io_uring submission entries: every queue of every device fits */
#define VIRTIO_SWAP_WAIT_MS 10000u	/* how long a drive swap waits for the old image's requests */

int virtio_describe(const struct virtio_host *h, struct dev_descs *out)
{
	int ret;

	if (!h)
		return 0;
	if (h->pci_ok) {
		ret = pci_host_describe(&h->pci, out);
		if (ret < 0)
			return ret;
	}
	for (unsigned int i = 0; i < h->nslots; i++) {
		const struct virtio_slot *s = &h->slots[i];
		const struct dev_desc d = {
			.name = "virtio_mmio", .compatible = "virtio,mmio", .space = DESC_MMIO,
			.nregs = 1, .regs = { { s->mmio_base, VIRTIO_MMIO_WINDOW } }, .irq = (int)s->irq,
		};

		if (s->pci)
			ret = virtio_pci_describe(s->pci, out);
		else if (s->mmio)
			ret = desc_add(out, &d);
		else
			ret = 0;
		if (ret < 0)
			return ret;
	}
	return 0;
}

int virtio_prepare(const struct virtio_config *c, const struct virtio_type *const *types, unsigned int ntypes,
		   const struct virtio_env *env, struct virtio_host **out)
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
	*out = h;	/* the caller destroys it, whatever happens below */
	for (unsigned int t = 0; t < ntypes; t++) {
		for (unsigned int i = 0; i < types[t]->count(c); i++) {
			struct virtio_slot *s = &h->slots[h->nslots];

			if (h->nslots == VIRTIO_MAX_DEVICES) {
				log_error("more than %u virtio devices", VIRTIO_MAX_DEVICES);
				return KEEL_EXIT_USAGE;
			}
			*s = (struct virtio_slot){ .type = types[t], .index = i, .place = types[t]->place(c, i) };
			h->nslots++;
			if (virtio_place_transport(c, &s->place) == VIRTIO_TRANSPORT_PCI)
				h->any_pci = true;
			else if (s->place.no_msix) {
				log_error("%s device %u: msix=off is for PCI devices, and it is on MMIO%s", types[t]->name,
					  i, s->place.transport_given ? "" : " (--virtio-transport mmio)");
				return KEEL_EXIT_USAGE;
			}
			if (!s->type->open)
				continue;
			ret = s->type->open(c, i, env, &s->backend, err, sizeof(err));
			if (ret < 0) {
				log_error("%s", err);
				return ret == -ENOMEM || ret == -EMFILE || ret == -ENFILE ? KEEL_EXIT_HOST
											 : KEEL_EXIT_USAGE;
			}
		}
	}
	return KEEL_EXIT_OK;
}

bool virtio_console_owns_stdin(const struct virtio_host *h)
{
	for (unsigned int i = 0; h && i < h->nslots; i++) {
		const struct chardev *cd = h->slots[i].backend;

		if (h->slots[i].type == &virtio_console_type && cd && cd->escapes)
			return true;
	}
	return false;
}

int virtio_drive_swap(struct virtio_host *h, const char *id, const char *path, char *err, size_t errlen)
{
	for (unsigned int i = 0; h && i < h->nslots; i++) {
		struct virtio_slot *s = &h->slots[i];
		const struct disk *old = s->backend;
		struct disk *d;
		int ret;

		if (s->type != &virtio_blk_type || !s->dev || !old || strcmp(old->id, id))
			continue;
		ret = disk_reopen(old, path, &d, err, errlen);
		if (ret < 0)
			return ret;
		ret = virtio_blk_swap(s->dev, d, VIRTIO_SWAP_WAIT_MS);
		if (ret < 0) {
			snprintf(err, errlen, "drive %s: cannot swap its image: %s", id,
				 ret == -ETIMEDOUT ? "requests on the old image did not finish in time"
						   : strerror(-ret));
			disk_close(d);
			return ret;
		}
		s->backend = d;	/* the device closed the old one */
		return 0;
	}
	snprintf(err, errlen, "no drive with id \"%s\"", id);
	return -ENOENT;
}

/* Give slot @s its resources and attach its device to the transport. */
static int virtio_attach(struct virtio_host *h, struct virtio_slot *s)
{
	struct platform *p = h->plat;
	int ret;

	if (virtio_place_transport(h->cfg, &s->place) == VIRTIO_TRANSPORT_PCI) {
		ret = res_alloc_pci_fn(&p->res, &s->pci_slot, &s->pci_fn, &s->irq);
		return ret < 0 ? ret : virtio_pci_create_fn(s->dev, &h->pci, s->pci_slot, s->pci_fn, s->irq, &p->irq,
							    p->vm_fd, !s->place.no_msix, &s->pci);
	}
	ret = res_alloc_gsi(&p->res, &s->irq);
	if (ret < 0)
		return ret;
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
	ioloop_set_seccomp(h->loop, p->seccomp);
	if (h->any_pci) {
		ret = pci_host_init(&h->pci, &p->pio, &p->mmio, KEEL_PCI_MMIO_BASE, KEEL_PCI_MMIO_SIZE);
		if (ret < 0)
			return ret;
		h->pci_ok = true;
	}
	for (i = 0; i < h->nslots; i++) {
		struct virtio_slot *s = &h->slots[i];

		ret = s->type->create(s->backend, h->cfg, s->index, &p->mem, h->loop, &s->dev);
		if (ret == 0)
			ret = virtio_attach(h, s);
		if (ret < 0) {
			log_error("virtio device %u (%s): %s", i, s->type->name, strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < h->nslots; i++)
		if (h->slots[i].type->start)
			h->slots[i].type->start(h->slots[i].backend);
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
		if (s->dev)
			s->type->destroy(s->dev);
	}
	if (h->pci_ok)
		pci_host_destroy(&h->pci);
	for (unsigned int i = 0; i < h->nslots; i++)
		if (h->slots[i].type->close && h->slots[i].backend)
			h->slots[i].type->close(h->slots[i].backend);
	free(h);
}
