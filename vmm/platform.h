/* The platform: the machine below the VM's orchestration (KVM VM fd, guest memory, buses, interrupt routing, stop requests, resources, the event loop). */
#ifndef KEEL_VMM_PLATFORM_H
#define KEEL_VMM_PLATFORM_H

#include "vmm/bus.h"
#include "vmm/evloop.h"
#include "vmm/irq.h"
#include "vmm/memory.h"
#include "vmm/resources.h"
#include "vmm/stop.h"

/*
 * What devices are built on. A device's create function is given the platform and keeps only
 * the narrow handles it needs (an irq_line, the irq router for MSI, the stop_ctl, guest memory,
 * its bus ranges); no device sees struct vm. The VM (vmm/vm.c) owns one and fills kvm_fd/vm_fd
 * once KVM is open; with vm_fd -1 (unit tests) nothing reaches KVM.
 */
struct platform {
	int kvm_fd;			/* /dev/kvm, -1 when closed */
	int vm_fd;			/* KVM_CREATE_VM, -1 when closed */
	struct guest_mem mem;		/* guest RAM */
	struct bus pio;			/* port I/O space */
	struct bus mmio;		/* MMIO space */
	struct irq_router irq;		/* GSI routing: the irqchip pins plus MSI routes */
	struct stop_ctl stop;		/* stop requests */
	struct resources res;		/* interrupt inputs, PCI slots, MMIO windows still free */
	struct evloop loop;		/* the main thread's event loop; devices may watch fds on it */
	unsigned int seccomp;		/* 0, or the VM's threads install their seccomp filters and a forbidden
					   call ends keel with this exit status (vmm/sandbox.h) */
};

/* platform_init - everything KVM-independent (buses, router, stop eventfd, loop). 0 or -errno. */
int platform_init(struct platform *p);

/* platform_set_vm - from now on interrupts and routes go to KVM VM @vm_fd (of /dev/kvm @kvm_fd). */
void platform_set_vm(struct platform *p, int kvm_fd, int vm_fd);

/* platform_irq_line - the handle for interrupt input @gsi. */
struct irq_line platform_irq_line(const struct platform *p, unsigned int gsi);

/* platform_destroy - release everything (closes the KVM fds); safe after a failed init. */
void platform_destroy(struct platform *p);

#endif
