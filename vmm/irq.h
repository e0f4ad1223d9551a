/* KVM interrupt plumbing for devices: the GSI routing table (irqchip pins plus MSI routes), irqfds and ioeventfds. */
#ifndef KEEL_VMM_IRQ_H
#define KEEL_VMM_IRQ_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define IRQ_IOAPIC_PINS 24u		/* KVM's in-kernel IOAPIC */
#define IRQ_PIC_PINS 16u		/* the two in-kernel 8259s */

struct kvm_irq_routing_entry;

/*
 * The VM's GSI routing. KVM starts with a default table (GSI n drives IOAPIC pin n and, below 16,
 * the 8259 pin); KVM_SET_GSI_ROUTING replaces the whole table, so this keeps those defaults and
 * adds MSI routes on GSIs from IRQ_IOAPIC_PINS up. With vm_fd -1 (unit tests) nothing reaches KVM.
 */
struct irq_router {
	int vm_fd;
	pthread_mutex_t lock;		/* guards everything below */
	struct kvm_irq_routing_entry *entries;
	unsigned int n, cap;
	unsigned int next_gsi;		/* the next GSI irq_router_alloc_gsi hands out */
};

/* irq_router_init - the default table (not yet given to KVM). Returns 0 or -errno. */
int irq_router_init(struct irq_router *r, int vm_fd);

/* irq_router_destroy - free the table (KVM keeps what it was given). */
void irq_router_destroy(struct irq_router *r);

/* irq_router_alloc_gsi - a fresh GSI for an MSI route. Returns it, or -ENOSPC. */
int irq_router_alloc_gsi(struct irq_router *r);

/*
 * irq_router_set_msi - route @gsi to the MSI message (@addr, @data) and give the table to KVM.
 * Returns 0 or -errno (the table then stays as it was).
 */
int irq_router_set_msi(struct irq_router *r, unsigned int gsi, uint64_t addr, uint32_t data);

/* irq_router_clear - remove @gsi's MSI route (nothing when it has none). Returns 0 or -errno. */
int irq_router_clear(struct irq_router *r, unsigned int gsi);

/*
 * One input of the in-kernel interrupt controllers (GSI @gsi: IOAPIC pin, and 8259 pin below 16),
 * the handle a device is given to raise its interrupt; nothing else of the VM comes with it.
 * With vm_fd -1 (unit tests) setting it does nothing.
 */
struct irq_line {
	int vm_fd;
	unsigned int gsi;
};

/* irq_line_set - drive the line to @level (KVM_IRQ_LINE). Returns 0 or -errno. */
int irq_line_set(const struct irq_line *line, int level);

/*
 * kvm_irqfd - (@assign) make a write to eventfd @efd raise GSI @gsi in the kernel, or stop it.
 * Returns 0, or -errno from KVM_IRQFD; 0 without doing anything when @vm_fd is -1.
 */
int kvm_irqfd(int vm_fd, int efd, unsigned int gsi, bool assign);

/*
 * kvm_ioeventfd - (@assign) make a guest write of @len bytes to @addr (port I/O when @pio)
 * signal eventfd @efd inside the kernel, without an exit; with @datamatch only when the value
 * written is @data. Returns 0 or -errno from KVM_IOEVENTFD; 0 when @vm_fd is -1.
 */
int kvm_ioeventfd(int vm_fd, int efd, uint64_t addr, uint32_t len, bool pio, bool datamatch,
		  uint64_t data, bool assign);

#endif
