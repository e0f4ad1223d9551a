/* The ACPI PM fixed hardware: PM1a event block (status, enable), PM1a control (power-off), the PM timer and the SCI. */
#ifndef KEEL_DEVICES_PM_H
#define KEEL_DEVICES_PM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/irq.h"

struct bus;
struct dev_descs;
struct stop_ctl;

/*
 * Three port ranges, at the addresses of firmware/machine.h, which the FADT names:
 *   KEEL_PORT_PM1A_EVT  PM1_STS (16 bits, write 1 to clear) then PM1_EN (16 bits)
 *   KEEL_PORT_PM1A_CNT  PM1_CNT (16 bits): SCI_EN reads 1 (ACPI mode is always on: the FADT has
 *                       no SMI command port); a write with SLP_EN powers the machine off
 *   KEEL_PORT_PM_TMR    the PM timer: 32 bits at PM_TMR_HZ, from CLOCK_MONOTONIC, read-only
 * The SCI (KEEL_SCI_IRQ) is a level: high while PM1_STS & PM1_EN is not 0. Every access width
 * and offset inside a block works byte by byte.
 */
#define PM1_EVT_LEN 4u
#define PM1_CNT_LEN 2u
#define PM_TMR_LEN 4u
#define PM_TMR_HZ 3579545u

/* PM1_STS: the only status this hardware raises. */
#define PM1_PWRBTN_STS (1u << 8)
/* PM1_EN: every enable bit the ACPI spec defines keeps what the guest writes (ACPICA reads them back). */
#define PM1_TMR_EN (1u << 0)		/* kept, but the timer's carry raises no status */
#define PM1_GBL_EN (1u << 5)		/* kept: no firmware ever releases the global lock */
#define PM1_PWRBTN_EN (1u << 8)
#define PM1_SLPBTN_EN (1u << 9)
#define PM1_RTC_EN (1u << 10)
#define PM1_PCIEXP_WAKE_DIS (1u << 14)
#define PM1_EN_BITS (PM1_TMR_EN | PM1_GBL_EN | PM1_PWRBTN_EN | PM1_SLPBTN_EN | PM1_RTC_EN | PM1_PCIEXP_WAKE_DIS)
/* PM1_CNT: SCI_EN reads 1; BM_RLD and SLP_TYP keep what is written; GBL_RLS and SLP_EN read 0. */
#define PM1_SCI_EN (1u << 0)
#define PM1_BM_RLD (1u << 1)
#define PM1_SLP_TYP (7u << 10)
#define PM1_CNT_KEPT (PM1_BM_RLD | PM1_SLP_TYP)

struct pm;

/*
 * The PM hardware's state as plain data: what pm_save reads out and pm_restore sets back. The
 * SCI's level follows from it (PM1_STS & PM1_EN).
 */
struct pm_state {
	uint16_t sts;			/* PM1_STS: PM1_PWRBTN_STS or 0 */
	uint16_t en;			/* PM1_EN: bits of PM1_EN_BITS */
	uint16_t cnt;			/* PM1_CNT as the guest reads it: PM1_SCI_EN | bits of PM1_CNT_KEPT */
	uint32_t tmr;			/* the PM timer when saved; a restored timer goes on from it */
};

/*
 * pm_create - the PM hardware in its reset state (no status, nothing enabled, the timer at 0)
 * on @pio's three ranges. Power-off stops the VM through @stop; the SCI drives @sci. Returns 0
 * and the device in *@out, or -errno (-EEXIST: a port is taken) with nothing left behind.
 */
int pm_create(struct bus *pio, struct stop_ctl *stop, struct irq_line sci, struct pm **out);

/*
 * pm_destroy - unregister the three ranges (only those that still hold its handler) and free
 * @pm. NULL is fine. The vCPUs must not run.
 */
void pm_destroy(struct pm *pm);

/*
 * pm_power_button - a press of the fixed-feature power button, from any thread: PWRBTN_STS is
 * set (as hardware does, enabled or not) and the SCI raised when PWRBTN_EN is set. Returns 0,
 * or -ENODEV when the guest has not enabled the button (it does not listen: an ACPI guest
 * enables it when its button driver loads), so the caller can end the VM another way.
 */
int pm_power_button(struct pm *pm);

/* pm_sci_level - the level the SCI is driven to now (1 while PM1_STS & PM1_EN), for tests. */
int pm_sci_level(struct pm *pm);

/* pm_save - read @pm's state into @s (under its lock). Returns 0. */
int pm_save(struct pm *pm, struct pm_state *s);

/*
 * pm_restore - set @pm back to @s (under its lock). @s is untrusted: only the bits named in
 * struct pm_state, SCI_EN set. The SCI is driven to the level @s implies, and the timer goes on
 * from s->tmr. 0, or -EINVAL with @pm unchanged.
 */
int pm_restore(struct pm *pm, const struct pm_state *s);

/*
 * pm_describe - add the power-off register for the device tree (/isa/poweroff@i604, as
 * firmware/machine.h documents it) to @out. The ACPI tables need no description of the PM
 * hardware: every keel machine has it at the ports of firmware/machine.h, and the FADT names
 * them from there. 0 or -ENOSPC.
 */
int pm_describe(struct dev_descs *out);

#endif
