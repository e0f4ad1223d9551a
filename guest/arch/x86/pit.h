/* The 8254 PIT as a reference clock: measuring a known interval in TSC ticks. */
#ifndef KEEL_GUEST_ARCH_X86_PIT_H
#define KEEL_GUEST_ARCH_X86_PIT_H

#include <stdbool.h>
#include <stdint.h>

#define PIT_HZ 1193182u

/*
 * TSC ticks for @pit_ticks PIT ticks (at most 65535), counted on channel 2 (gate and output through
 * port 0x61) in mode 0. False when the output never rises (no port 0x61, e.g. QEMU's microvm).
 */
bool pit_ch2_measure(uint16_t pit_ticks, uint64_t *tsc_ticks);

/* The same on channel 0 (mode 2, read back with latch commands), for machines without port 0x61. */
bool pit_ch0_measure(uint32_t pit_ticks, uint64_t *tsc_ticks);

#endif
