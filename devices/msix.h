/* MSI-X for a PCI function: the table and pending bits, each vector an irqfd on a GSI routed through KVM. */
#ifndef KEEL_DEVICES_MSIX_H
#define KEEL_DEVICES_MSIX_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/irq.h"

#define MSIX_ENTRY_SIZE 16u
#define MSIX_CTRL_ENABLE 0x8000u	/* message control: MSI-X enable */
#define MSIX_CTRL_MASKALL 0x4000u	/* message control: function mask */
#define MSIX_VEC_MASKED 0x1u		/* vector control: masked */
#define MSIX_CAP_LEN 12u

struct ioloop;

struct msix_vector {
	uint32_t addr_lo, addr_hi, data, ctrl;	/* the table entry as the guest wrote it */
	int efd;				/* irqfd eventfd, -1 when none */
	int gsi;				/* its GSI, -1 when none */
	bool routed;				/* a route for (addr, data) below is in KVM */
	uint64_t route_addr;
	uint32_t route_data;
};

/*
 * The state of one function's MSI-X. The owner serializes every call (the virtio device's lock).
 * Table and PBA contents survive device resets; only a PCI function reset would clear them.
 */
struct msix {
	unsigned int nvec;
	struct msix_vector *vec;
	uint64_t *pba;			/* pending bits */
	uint16_t ctrl;			/* message control: ENABLE and MASKALL */
	struct irq_router *router;
	int vm_fd;
	struct ioloop *loop;		/* irqfd writes go through it when on its thread */
};

/*
 * msix_init - @nvec masked vectors, each with an eventfd registered as irqfd on a fresh GSI
 * (nothing reaches KVM when @vm_fd is -1). Returns 0 or -errno; msix_destroy undoes either way.
 */
int msix_init(struct msix *m, unsigned int nvec, struct irq_router *router, int vm_fd, struct ioloop *loop);

/* msix_destroy - deassign the irqfds, drop the routes, close the eventfds. */
void msix_destroy(struct msix *m);

/* msix_table_bytes / msix_pba_bytes - sizes of the two structures in the BAR. */
uint32_t msix_table_bytes(const struct msix *m);
uint32_t msix_pba_bytes(const struct msix *m);

/* msix_table_access / msix_pba_access - guest accesses at @off inside the table / PBA. */
void msix_table_access(struct msix *m, uint32_t off, uint8_t *data, uint32_t len, bool is_write);
void msix_pba_access(struct msix *m, uint32_t off, uint8_t *data, uint32_t len, bool is_write);

/* msix_set_control - the message control word the guest wrote (enable, function mask). */
void msix_set_control(struct msix *m, uint16_t ctrl);

/* msix_enabled - MSI-X is enabled in the capability. */
bool msix_enabled(const struct msix *m);

/*
 * msix_notify - send vector @v: signal its irqfd, or set its pending bit while it (or the
 * function) is masked; sent when unmasked. Out-of-range vectors are ignored.
 */
void msix_notify(struct msix *m, unsigned int v);

/* msix_vector_fd - vector @v's eventfd (tests watch it), -1 when out of range. */
int msix_vector_fd(const struct msix *m, unsigned int v);

#endif
