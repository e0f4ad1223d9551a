/* The interrupt controllers decoded for the gdb monitor: a local APIC's registers, the I/O APIC, the two 8259 PICs. Pure. */
#ifndef KEEL_VMM_GDB_X86_APIC_H
#define KEEL_VMM_GDB_X86_APIC_H

#include "vmm/gdb/textout.h"
#include "vmm/gdb/x86_sys.h"

/*
 * x86_print_lapic - @l's registers: ID, version, TPR, APR, PPR, LDR, DFR, SVR, ISR/TMR/IRR as
 * lists of set vectors, ESR, ICR, each LVT entry decoded, the timer's counts and divider.
 * @apic_base is IA32_APIC_BASE (enabled, x2APIC, BSP, address).
 */
void x86_print_lapic(struct textout *o, const struct x86_lapic *l, uint64_t apic_base);

/* x86_print_ioapic - the I/O APIC's ID, address and its 24 redirection entries decoded. */
void x86_print_ioapic(struct textout *o, const struct x86_ioapic *io);

/* x86_print_pic - the master (@pic[0]) and slave (@pic[1]) 8259s: vector base, IRR, ISR, IMR, ELCR, modes. */
void x86_print_pic(struct textout *o, const struct x86_pic pic[2]);

#endif
