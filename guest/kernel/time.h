/* Time: the TSC calibrated against the PIT, the local APIC timer calibrated against the TSC, conversions. */
#ifndef KEEL_GUEST_KERNEL_TIME_H
#define KEEL_GUEST_KERNEL_TIME_H

#include <stdint.h>

#include "guest/lib/ticks.h"		/* NS_PER_S, ticks_to_ns */

#define SCHED_HZ 100			/* the scheduler tick: a 10 ms time slice */

struct time_info {
	uint64_t tsc_hz;		/* TSC ticks per second */
	uint64_t apic_hz;		/* local APIC timer counts per second (bus clock / APIC_TIMER_DIVIDE) */
	uint64_t boot_tsc;		/* TSC when time_init() ran */
	const char *method;		/* how tsc_hz was measured */
	uint64_t samples[3];		/* TSC ticks of each PIT measurement */
};

extern struct time_info time_info;

/* Measure the TSC against the PIT (three 10 ms intervals, the shortest kept) and the APIC timer against the TSC. */
void time_init(void);

uint64_t tsc_to_ns(uint64_t ticks);
uint64_t ns_to_tsc(uint64_t ns);

/* Nanoseconds since time_init(). */
uint64_t time_now_ns(void);

/* Start the calling CPU's periodic scheduler tick (SCHED_HZ) on VEC_TIMER. */
void time_start_tick(void);

/* The APIC timer count of one scheduler tick. */
uint32_t time_tick_count(void);

#endif
