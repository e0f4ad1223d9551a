/* A minimal i8042 keyboard controller: enough for a guest to reset the machine with command 0xfe. */
#ifndef KEEL_DEVICES_I8042_H
#define KEEL_DEVICES_I8042_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct dev_descs;
struct stop_ctl;
struct vcpu;

#define I8042_CMD_RESET 0xfeu	/* pulse the reset line */

/*
 * No state to save: both ports read constants, and the one command it acts on (reset) ends the VM
 * at once; other writes are dropped.
 */

/* i8042_create / i8042_destroy - (un)register ports 0x60 and 0x64 on @pio; a reset stops the VM through @stop. */
int i8042_create(struct bus *pio, struct stop_ctl *stop);
void i8042_destroy(struct bus *pio);

/* i8042_data_io - port 0x60, opaque = the struct stop_ctl: reads 0, writes ignored. Returns 0. */
int i8042_data_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		  bool is_write);

/*
 * i8042_cmd_io - port 0x64, opaque = the struct stop_ctl: reads status 0 (no output, input buffer
 * empty); a write of 0xfe stops the VM with KEEL_EXIT_OK; other commands are ignored. Returns 0.
 */
int i8042_cmd_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
		 bool is_write);

/* i8042_describe - add the controller (data and command ports) to @out. 0 or -ENOSPC. */
int i8042_describe(struct dev_descs *out);

#endif
