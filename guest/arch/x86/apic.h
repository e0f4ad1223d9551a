/* The local APIC: x2APIC (MSRs) when the CPU has it, else xAPIC (MMIO); ids, EOI, timer modes, IPIs. */
#ifndef KEEL_GUEST_ARCH_X86_APIC_H
#define KEEL_GUEST_ARCH_X86_APIC_H

#include <stdbool.h>
#include <stdint.h>

#define APIC_TIMER_DIVIDE 16		/* the periodic and one-shot modes count bus clocks / 16 */

/* Enable the calling CPU's local APIC (x2APIC mode when CPUID.1:ECX[21] says it exists), LINT0/1 masked. */
void apic_init(void);

/* True when the APICs run in x2APIC mode (decided by the BSP's apic_init()). */
bool apic_is_x2apic(void);

/* The calling CPU's local APIC id. */
uint32_t apic_id(void);

/* Signal the end of the interrupt being handled. */
void apic_eoi(void);

/* True when vector @v's bit is set in the in-service register; apic_isr_empty(): no bit at all. */
bool apic_isr_bit(unsigned int v);
bool apic_isr_empty(void);

/* CPUID.1:ECX[24]: the timer has a TSC-deadline mode. */
bool apic_has_tsc_deadline(void);

/* Timer modes; each replaces the previous one. Counts are in bus clocks / APIC_TIMER_DIVIDE. */
void apic_timer_periodic(uint8_t vector, uint32_t count);
void apic_timer_oneshot(uint8_t vector, uint32_t count);
void apic_timer_tsc_deadline(uint8_t vector);
void apic_tsc_deadline_arm(uint64_t tsc);	/* 0 disarms */
void apic_timer_stop(void);
void apic_timer_stop_lvt_only(void);	/* mask the timer's interrupt, leave it counting */
uint32_t apic_timer_current(void);

/* The timer's programming as read back from the LVT, initial-count and current-count registers. */
enum apic_timer_mode { APIC_TIMER_ONESHOT, APIC_TIMER_PERIODIC, APIC_TIMER_TSC_DEADLINE, APIC_TIMER_RESERVED };
struct apic_timer_state {
	enum apic_timer_mode mode;
	bool masked;
	uint8_t vector;
	uint32_t initial, current;
};
void apic_timer_read(struct apic_timer_state *s);

/* IPIs to the CPU with APIC id @dest: a fixed interrupt, an NMI, and to the calling CPU itself. */
void apic_send_ipi(uint32_t dest, uint8_t vector);
void apic_send_nmi(uint32_t dest);
void apic_self_ipi(uint8_t vector);

/* Send INIT (assert) to the CPU with local APIC id @dest. */
void apic_send_init(uint32_t dest);

/* Send a start-up IPI: the CPU starts in real mode at @vector << 12. */
void apic_send_startup(uint32_t dest, uint8_t vector);

#endif
