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

#define MSIX_STATE_MAX_VECTORS 64u	/* vectors a struct msix_state holds (one PBA word) */

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

/* One table entry as plain data, as the guest wrote it. */
struct msix_vector_state {
	uint32_t addr_lo, addr_hi, data, ctrl;
};

/*
 * A function's MSI-X state as plain data (no eventfds, no GSIs: those belong to the restoring
 * function and its routes are derived again): what msix_save reads out and msix_restore sets back.
 */
struct msix_state {
	uint16_t nvec;			/* must be the restoring function's; vec[nvec...] are zero */
	uint16_t ctrl;			/* message control: MSIX_CTRL_ENABLE and MSIX_CTRL_MASKALL only */
	uint64_t pba;			/* pending bits, one per vector below nvec */
	struct msix_vector_state vec[MSIX_STATE_MAX_VECTORS];
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

/*
 * msix_save - read @m's table, pending bits and message control out into @s (the owner serializes
 * it, as every call). Returns 0, or -E2BIG when @m has more than MSIX_STATE_MAX_VECTORS vectors.
 */
int msix_save(const struct msix *m, struct msix_state *s);

/*
 * msix_state_check - could @m take @s? @s is untrusted: the same vector count, only known control
 * bits (function and vector), nothing past nvec, and no bit pending on a vector that is enabled
 * and unmasked (the guest cannot leave one so: unmasking delivers it). 0 or -EINVAL.
 */
int msix_state_check(const struct msix *m, const struct msix_state *s);

/*
 * msix_restore - set @m back to @s after msix_state_check, then route every vector that is enabled
 * and unmasked through irq_router_set_msi, as the guest's write of that entry would have (a route
 * KVM refuses is logged as it is then, and leaves the vector unrouted). Nothing is delivered:
 * pending bits wait for an unmask, as they did. 0, or -EINVAL with @m unchanged.
 */
int msix_restore(struct msix *m, const struct msix_state *s);

/* msix_vector_fd - vector @v's eventfd (tests watch it), -1 when out of range. */
int msix_vector_fd(const struct msix *m, unsigned int v);

#endif
