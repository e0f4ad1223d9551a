/* User program "spin": counts loop turns between two TSC instants, for the fairness and round-robin checks. */
#include "guest/user/lib/ulib.h"

#define BATCH 4096			/* turns between TSC reads */

/* Waits at the start line (progs.h), then writes "count=N": the turns it did in the window. */
int main(uint64_t a0, uint64_t a1, uint64_t a2)
{
	volatile uint64_t sink = 0;
	unsigned long start, end;
	uint64_t count = 0;

	(void)a0;
	(void)a1;
	(void)a2;
	u_wait_go(&start, &end);
	while (u_rdtsc() < end) {
		for (unsigned int i = 0; i < BATCH; i++)
			sink += i;
		count += BATCH;
	}
	u_printf("count=%lu", count);
	return 0;
}
