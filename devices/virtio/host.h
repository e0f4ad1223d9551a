/* Everything virtio in one VM: the backends, the devices, their transport (PCI or MMIO), the I/O thread, the IRQ routing. */
#ifndef KEEL_DEVICES_VIRTIO_HOST_H
#define KEEL_DEVICES_VIRTIO_HOST_H

#include <stdbool.h>

#include "devices/pci.h"
#include "devices/virtio/config.h"
#include "devices/virtio/mmio.h"
#include "devices/virtio/pci.h"
#include "devices/virtio/type.h"
#include "firmware/describe.h"
#include "vmm/platform.h"

/*
 * One device of the machine, in the order of the VM's type table (disks in command-line order,
 * then the console, then the rng, then the NICs), with its backend and what the platform's
 * resource allocator gave it: an IOAPIC input (shared beyond 8 devices), and a PCI function
 * or a virtio-mmio window, as its own transport= or --virtio-transport says (both may be in
 * one machine).
 */
struct virtio_slot {
	const struct virtio_type *type;
	unsigned int index;		/* the index-th of its type */
	struct virtio_place place;	/* its option's transport= and msix= (else --virtio-transport's) */
	void *backend;			/* what type->open opened, or NULL */
	struct virtio_dev *dev;
	struct virtio_pci *pci;		/* its transport: one of these two */
	struct virtio_mmio *mmio;
	unsigned int irq;		/* IOAPIC input (GSI) */
	unsigned int pci_slot, pci_fn;	/* PCI: its slot and function */
	uint64_t mmio_base;		/* MMIO: its window */
};

struct virtio_host {
	const struct virtio_config *cfg;	/* what the user asked for (owned by the VM's configuration) */
	struct platform *plat;		/* set by virtio_create */
	bool any_pci;			/* some device is on PCI: the host bridge is there */
	struct ioloop *loop;
	struct pci_host pci;
	bool pci_ok;
	unsigned int nslots;
	struct virtio_slot slots[VIRTIO_MAX_DEVICES];
	bool started;			/* the I/O thread runs */
};

/*
 * virtio_describe - add what the guest's firmware tables must show of @h's devices to @out, as
 * virtio_create placed them: over MMIO each window with its interrupt; over PCI the host bridge,
 * then each function with its slot, function, INTA# and GSI (the guest enumerates the bus, but
 * ACPI's interrupt routing must name them). NULL @h adds nothing. Returns 0 or -ENOSPC.
 */
int virtio_describe(const struct virtio_host *h, struct dev_descs *out);

/*
 * virtio_prepare - a new host in *@out (NULL when no virtio device is asked for) with one slot
 * per device @c asks for, type by type in the order of @types (@ntypes of them), each slot's
 * backend opened (disk images, console files or socket, taps and net sockets) or its handles
 * taken from @env (the stop request a terminal console's Ctrl-A x makes; the display). @c must
 * outlive the host. On a bad input prints one line and returns KEEL_EXIT_USAGE
 * (KEEL_EXIT_HOST when the host fails); KEEL_EXIT_OK otherwise.
 */
int virtio_prepare(const struct virtio_config *c, const struct virtio_type *const *types, unsigned int ntypes,
		   const struct virtio_env *env, struct virtio_host **out);

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

/*
 * virtio_drive_swap - the virtio-blk disk whose id (id=, else "keel-diskN") is @id reads and
 * writes the image @path from now on: opened as the disk's was (read-only or not) and checked
 * first (disk_reopen), then handed to the device (virtio_blk_swap: requests in flight finish on
 * the old image, the guest gets a configuration-change interrupt). Main thread, the I/O thread
 * running. 0, or -errno with one line in @err: -ENOENT (no such disk, or NULL @h), or what the
 * open said; the disk keeps its image on failure.
 */
int virtio_drive_swap(struct virtio_host *h, const char *id, const char *path, char *err, size_t errlen);

/* virtio_console_owns_stdin - the virtio console reads keel's stdin (--console virtio): COM1 must not. */
bool virtio_console_owns_stdin(const struct virtio_host *h);

#endif
