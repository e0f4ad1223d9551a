/* Boot error lines and human-readable sizes for them ("64 MiB", "1.5 KiB"). */
#ifndef KEEL_VMM_BOOT_MSG_H
#define KEEL_VMM_BOOT_MSG_H

#include <stddef.h>
#include <stdint.h>

/* A formatted size; returned by value so it can be used inline in a printf argument list. */
struct boot_size {
	char s[32];
};

/* boot_size - @bytes as "N GiB", "N MiB", "N KiB" when exact, one decimal otherwise, or "N bytes". */
struct boot_size boot_size(uint64_t bytes);

/*
 * boot_errf - write one line (printf @fmt, no trailing newline) into @err of @errlen bytes,
 * truncating if needed; does nothing when @err is NULL or @errlen is 0. Returns -EINVAL, so
 * callers can write `return boot_errf(err, errlen, "...")` for bad input.
 */
int boot_errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
