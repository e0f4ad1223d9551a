/* The local APIC: x2APIC (MSRs) when the CPU has it, else xAPIC (MMIO); ids and start-up IPIs. */
#ifndef KEEL_GUEST_ARCH_X86_APIC_H
#define KEEL_GUEST_ARCH_X86_APIC_H

#include <stdbool.h>
#include <stdint.h>

/* Enable the calling CPU's local APIC, in x2APIC mode when CPUID.1:ECX[21] says it exists. */
void apic_init(void);

/* True when the calling CPU's APIC runs in x2APIC mode. */
bool apic_is_x2apic(void);

/* The calling CPU's local APIC id. */
uint32_t apic_id(void);

/* Send INIT (assert) to the CPU with local APIC id @dest. */
void apic_send_init(uint32_t dest);

/* Send a start-up IPI: the CPU starts in real mode at @vector << 12. */
void apic_send_startup(uint32_t dest, uint8_t vector);

#endif
