/* exit=gdbtest: waits for a debugger to change gdbtest_poke, then writes gdbtest_watched and leaves. */
#include "guest/kernel/gdbtest.h"

#include "guest/kernel/console.h"
#include "guest/kernel/leave.h"

/* Set by the debugger with `set var gdbtest_poke = N`. */
volatile int gdbtest_poke;
/* Written once the poke is seen: a debugger's watchpoint target. */
volatile int gdbtest_watched;

__attribute__((noinline)) void gdbtest_tick(unsigned long turn)
{
	__asm__ volatile("" : : "r"(turn) : "memory");
}

void gdbtest_run(void)
{
	unsigned long turn = 0;

	kprintf("gdbtest: waiting for gdbtest_poke\n");
	while (gdbtest_poke == 0)
		gdbtest_tick(turn++);
	kprintf("gdbtest: poke=%d after %lu turns\n", gdbtest_poke, turn);
	gdbtest_watched = gdbtest_poke * 2;
	kprintf("gdbtest: watched=%d\n", gdbtest_watched);
	kernel_leave_verdict(true);
}
