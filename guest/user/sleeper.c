/* User program "sleeper": sleeps a few times and reports how early or late it woke. */
#include "guest/user/lib/ulib.h"

/* a0: milliseconds per sleep, a1: how many. Writes "early=E late=L" (microseconds, worst of each). */
int main(uint64_t ms, uint64_t times, uint64_t a2)
{
	long worst_late = 0, early = 0;

	(void)a2;
	for (uint64_t i = 0; i < times; i++) {
		long t0 = u_clock(CLOCK_MONOTONIC), dt;

		if (u_sleep_ns(ms * 1000000ull))
			return 1;
		dt = u_clock(CLOCK_MONOTONIC) - t0 - (long)ms * 1000000;
		if (dt < 0)
			early++;
		if (dt > worst_late)
			worst_late = dt;
	}
	u_printf("early=%ld late=%ld", early, worst_late / 1000);
	return early ? 2 : 0;
}
