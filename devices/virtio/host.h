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
#include "vmm/describe.h"
#include "vmm/platform.h"

enum virtio_kind {
	VIRTIO_KIND_BLK,
	VIRTIO_KIND_CONSOLE,
	VIRTIO_KIND_RNG,
	VIRTIO_KIND_NET,
};

/*
 * One device of the machine (disks in command-line order, then the console, then the rng, then
 * the NICs in command-line order), with what the platform's resource allocator gave it: an
 * IOAPIC input, and a PCI slot or a virtio-mmio window.
 */
struct virtio_slot {
	enum virtio_kind kind;
	struct virtio_dev *dev;
	struct virtio_pci *pci;		/* its transport: one of these two */
	struct virtio_mmio *mmio;
	unsigned int irq;		/* IOAPIC input (GSI) */
	unsigned int pci_slot;		/* PCI: its slot */
	uint64_t mmio_base;		/* MMIO: its window */
};

struct virtio_host {
	const struct virtio_config *cfg;	/* what the user asked for (owned by the VM's configuration) */
	struct platform *plat;		/* set by virtio_create */
	enum virtio_transport_kind transport;
	struct disk *disks[VIRTIO_MAX_DISKS];
	unsigned int ndisks;
	struct chardev *chardev;	/* NULL: no virtio console */
	struct net_backend *nets[VIRTIO_MAX_NICS];
	unsigned int nnets;
	struct ioloop *loop;
	struct pci_host pci;
	bool pci_ok;
	unsigned int nslots;
	struct virtio_slot slots[VIRTIO_MAX_DEVICES];
	bool started;			/* the I/O thread runs */
};

/*
 * virtio_describe - add what the guest's firmware tables must show of @h's devices to @out, as
 * virtio_create placed them: each virtio-mmio window with its interrupt (PCI devices are found
 * by enumerating the bus). NULL @h adds nothing. Returns 0 or -ENOSPC.
 */
int virtio_describe(const struct virtio_host *h, struct dev_descs *out);

/*
 * virtio_prepare - open what @c names (disk images, console files or socket, taps and net
 * sockets) into a new host in *@out (NULL when no virtio device is asked for); the terminal
 * console's Ctrl-A x ends the VM through @stop. @c must outlive the host. On a bad input prints
 * one line and returns KEEL_EXIT_USAGE (KEEL_EXIT_HOST when the host fails); KEEL_EXIT_OK otherwise.
 */
int virtio_prepare(const struct virtio_config *c, struct stop_ctl *stop, struct virtio_host **out);

/*
 * virtio_create - create @h's devices and their transport on @p: interrupt inputs, PCI slots
 * or MMIO windows from @p's resource allocator, registers on its buses, KVM's ioeventfds, irqfds
 * and GSI routes (none when p->vm_fd is -1, as in unit tests), then start the I/O thread.
 * NULL @h: nothing to do. 0 or -errno.
 */
int virtio_create(struct virtio_host *h, struct platform *p);

/*
 * virtio_destroy - stop the I/O thread (in-flight I/O completes), remove everything, close the
 * backends, free @h. NULL is fine.
 */
void virtio_destroy(struct virtio_host *h);

/* virtio_console_owns_stdin - the virtio console reads keel's stdin (--console virtio): COM1 must not. */
bool virtio_console_owns_stdin(const struct virtio_host *h);

#endif
