/* The I/O APIC: routing an ISA interrupt pin to a vector on one CPU. */
#ifndef KEEL_GUEST_ARCH_X86_IOAPIC_H
#define KEEL_GUEST_ARCH_X86_IOAPIC_H

#include <stdbool.h>
#include <stdint.h>

/* Use the I/O APIC at physical @base (the MADT's, else keel's KEEL_IOAPIC_GPA); mask every pin. */
void ioapic_init(uint64_t base);

/* Number of redirection entries (pins), from the version register; 0 before ioapic_init(). */
unsigned int ioapic_pins(void);

/* Deliver pin @pin (edge-triggered, active high, like ISA) as @vector to the CPU with APIC id @dest. */
void ioapic_route(unsigned int pin, uint8_t vector, uint32_t dest);

/* Mask pin @pin. */
void ioapic_mask(unsigned int pin);

/* The version register (version in bits 0-7, highest pin in bits 16-23). */
uint32_t ioapic_version(void);

/* The redirection entry of @pin as the I/O APIC holds it. */
uint64_t ioapic_entry(unsigned int pin);

#endif
