/* The PM1a control register: a write with SLP_EN powers the machine off. */
#ifndef KEEL_DEVICES_PM_H
#define KEEL_DEVICES_PM_H

#include <stdbool.h>
#include <stdint.h>

struct bus;
struct dev_descs;
struct stop_ctl;
struct vcpu;

#define PM1A_CNT_LEN 2u		/* ports [0x604, 0x606) */

/* No state to save: the register reads 0, and the one write it acts on (SLP_EN) ends the VM at once. */

/* pm_create / pm_destroy - (un)register PM1a_CNT on @pio; power-off stops the VM through @stop. */
int pm_create(struct bus *pio, struct stop_ctl *stop);
void pm_destroy(struct bus *pio);

/*
 * pm_io - bus handler, opaque = the struct stop_ctl. A write that sets KEEL_PM1_SLP_EN (bit 13 of the
 * 16-bit register; a byte write at offset 1 sets bits 8-15) stops the VM with KEEL_EXIT_OK,
 * whatever SLP_TYP says. Reads return 0. Returns 0.
 */
int pm_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
	  bool is_write);

/* pm_describe - add the PM1a control register to @out. 0 or -ENOSPC. */
int pm_describe(struct dev_descs *out);

#endif
