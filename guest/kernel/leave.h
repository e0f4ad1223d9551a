/* How the kernel ends, as exit= on the command line says: verdict, debug, poweroff, reset, triplefault, halt, powerbutton(-ignore), echo, wait, durability, gdbtest. */
#ifndef KEEL_GUEST_KERNEL_LEAVE_H
#define KEEL_GUEST_KERNEL_LEAVE_H

#include <stdbool.h>

/* Leave as the command line says (exit=verdict by default); @passed: every check passed. */
__attribute__((noreturn)) void kernel_leave(const char *cmdline, bool passed);

/*
 * exit=verdict: under keel (its device tree's root is "keel,vm"), power off when @passed (keel
 * exits 0) and write 1 to the debug-exit port otherwise (status 3); elsewhere (QEMU's
 * isa-debug-exit) write 0 or 1 to the debug-exit port (status 1 or 3), so verdicts compare.
 */
__attribute__((noreturn)) void kernel_leave_verdict(bool passed);

#endif
