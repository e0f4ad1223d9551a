/* The debug-exit port (QEMU isa-debug-exit semantics): a guest write ends the VM with an odd status. */
#ifndef KEEL_DEVICES_DEBUG_EXIT_H
#define KEEL_DEVICES_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct dev_descs;
struct stop_ctl;
struct vcpu;

#define DEBUG_EXIT_LEN 4u	/* ports [0xf4, 0xf8) */

/* No state to save: a write ends the VM at once and reads return 0, whatever came before. */

/* debug_exit_create / debug_exit_destroy - (un)register the port on @pio; a write stops the VM through @stop. */
int debug_exit_create(struct bus *pio, struct stop_ctl *stop);
void debug_exit_destroy(struct bus *pio);

/*
 * debug_exit_io - bus handler, opaque = the struct stop_ctl. A write of v (1, 2 or 4 bytes,
 * little-endian, at any offset) calls stop_request(stop, ((v << 1) | 1) & 0xff, ...).
 * Reads return 0. Returns 0.
 */
int debug_exit_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		  bool is_write);

/* debug_exit_status - the process exit status for a written value @v. */
int debug_exit_status(uint64_t v);

/* debug_exit_describe - add the debug-exit port to @out. 0 or -ENOSPC. */
int debug_exit_describe(struct dev_descs *out);

#endif
