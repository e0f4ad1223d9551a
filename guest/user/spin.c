/* User program "spin": counts loop turns in the start line's window, for the fairness and round-robin checks. */
#include "guest/user/lib/ulib.h"
#include "guest/user/progs.h"

#define BATCH 4096			/* turns between TSC reads */

/*
 * Waits at the start line (progs.h), then writes "count=N": the turns it did until the window's end,
 * which is read again after every batch (the spawner closes it when enough ticks have passed).
 */
int main(uint64_t a0, uint64_t a1, uint64_t a2)
{
	const volatile struct go_page *go = u_wait_go();
	volatile uint64_t sink = 0;
	uint64_t count = 0;

	(void)a0;
	(void)a1;
	(void)a2;
	while (go && u_rdtsc() < go->end) {
		for (unsigned int i = 0; i < BATCH; i++)
			sink += i;
		count += BATCH;
	}
	u_printf("count=%lu", count);
	return 0;
}
