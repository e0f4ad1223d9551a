/* exit=gdbtest: a guest that a debugger drives (breakpoints, set var, watchpoints), for keel's gdb stub tests. */
#ifndef KEEL_GUEST_KERNEL_GDBTEST_H
#define KEEL_GUEST_KERNEL_GDBTEST_H

/* gdbtest_tick - a function for a debugger to break on, called on every turn of the wait loop. */
void gdbtest_tick(unsigned long turn);

/* gdbtest_run - play the debugging scenario, then leave through debug-exit (0: the debugger did its part). */
__attribute__((noreturn)) void gdbtest_run(void);

#endif
