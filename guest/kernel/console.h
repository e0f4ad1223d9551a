/* The kernel console: formatted output to the UART, one CPU at a time. */
#ifndef KEEL_GUEST_KERNEL_CONSOLE_H
#define KEEL_GUEST_KERNEL_CONSOLE_H

#include <stdarg.h>

/* Bring up the UART the console writes to. */
void console_init(void);

/* Print under the console lock, so lines from different CPUs do not mix. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kvprintf(const char *fmt, va_list ap);

/* Hold the console (no other CPU prints meanwhile), e.g. while the UART is in loopback mode. */
void console_lock(void);
void console_unlock(void);

/* Print without the lock: for fatal paths, where the lock holder may be the faulting CPU. */
void kprintf_unlocked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
