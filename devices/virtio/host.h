/* Everything virtio in one VM: the backends, the devices, their transport (PCI or MMIO), the I/O thread, the IRQ routing. */
#ifndef KEEL_DEVICES_VIRTIO_HOST_H
#define KEEL_DEVICES_VIRTIO_HOST_H

#include <stdbool.h>

#include "devices/pci.h"
#include "devices/virtio/backend_chardev.h"
#include "devices/virtio/backend_disk.h"
#include "devices/virtio/backend_net.h"
#include "devices/virtio/config.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/pci.h"
#include "vmm/boot/fdt.h"
#include "vmm/irq.h"

struct vm;

enum virtio_kind {
	VIRTIO_KIND_BLK,
	VIRTIO_KIND_CONSOLE,
	VIRTIO_KIND_RNG,
	VIRTIO_KIND_NET,
};

/*
 * One device of the machine. Device i (disks in command-line order, then the console, then the
 * rng, then the NICs in command-line order) uses IOAPIC input KEEL_VIRTIO_GSI_BASE + i; with PCI it sits in slot i + 1, with MMIO at
 * KEEL_VIRTIO_MMIO_BASE + i * KEEL_VIRTIO_MMIO_STRIDE.
 */
struct virtio_slot {
	enum virtio_kind kind;
	struct virtio_dev *dev;
	struct virtio_pci *pci;		/* its transport: one of these two */
	struct virtio_mmio *mmio;
	unsigned int irq;
};

struct virtio_host {
	struct vm *vm;
	enum virtio_transport_kind transport;
	struct disk *disks[VIRTIO_MAX_DISKS];
	unsigned int ndisks;
	struct chardev *chardev;	/* NULL: no virtio console */
	struct net_backend *nets[VIRTIO_MAX_NICS];
	unsigned int nnets;
	struct ioloop *loop;
	struct irq_router router;
	bool router_ok;
	struct pci_host pci;
	bool pci_ok;
	unsigned int nslots;
	struct virtio_slot slots[VIRTIO_MAX_DEVICES];
	bool started;			/* the I/O thread runs */
};

/*
 * virtio_fdt_layout - the virtio-mmio nodes @c puts into the device tree (none for PCI), the same
 * layout virtio_create uses.
 */
void virtio_fdt_layout(const struct virtio_config *c, struct keel_fdt_devices *out);

/*
 * virtio_prepare - open what vm->cfg.virtio names (disk images, console files or socket, taps and
 * net sockets) into
 * vm->virtio; nothing when no virtio device is asked for. On a bad input prints one line and
 * returns KEEL_EXIT_USAGE (KEEL_EXIT_HOST when the host fails); KEEL_EXIT_OK otherwise.
 */
int virtio_prepare(struct vm *vm);

/*
 * virtio_create - the device-table entry: create the devices and their transport on vm->pio /
 * vm->mmio with KVM's ioeventfds, irqfds and GSI routes (none when vm->vm_fd is -1, as in unit
 * tests), then start the I/O thread. Nothing to do without virtio_prepare's host. 0 or -errno.
 */
int virtio_create(struct vm *vm);

/* virtio_destroy - stop the I/O thread (in-flight I/O completes), remove everything, close the backends. */
void virtio_destroy(struct vm *vm);

/* virtio_console_owns_stdin - the virtio console reads keel's stdin (--console virtio): COM1 must not. */
bool virtio_console_owns_stdin(const struct vm *vm);

#endif
