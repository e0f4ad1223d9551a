/* How the kernel ends, as exit= on the command line says: debug, poweroff, reset, triplefault, halt, echo, gdbtest. */
#ifndef KEEL_GUEST_KERNEL_LEAVE_H
#define KEEL_GUEST_KERNEL_LEAVE_H

#include <stdbool.h>

/* Leave as the command line says (exit=debug by default); @passed: every check passed. */
__attribute__((noreturn)) void kernel_leave(const char *cmdline, bool passed);

#endif
