/* Reading key=value words from the kernel command line. */
#ifndef KEEL_GUEST_KERNEL_CMDLINE_H
#define KEEL_GUEST_KERNEL_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Find the last space-separated word "@key=value" in @cmdline and copy its value into @val (@len
 * bytes, NUL-terminated, truncated if need be). Returns false when there is no such word.
 */
bool cmdline_get(const char *cmdline, const char *key, char *val, size_t len);

#endif
