/* Tick counts at a rate in Hz to nanoseconds, shared by the kernel's clock and the user programs. */
#ifndef KEEL_GUEST_LIB_TICKS_H
#define KEEL_GUEST_LIB_TICKS_H

#include <stdint.h>

#define NS_PER_S 1000000000ull

/* @ticks at @hz in ns: whole seconds and the remainder apart, so that nothing overflows 64 bits below 18 GHz. */
static inline uint64_t ticks_to_ns(uint64_t ticks, uint64_t hz)
{
	return ticks / hz * NS_PER_S + ticks % hz * NS_PER_S / hz;
}

#endif
