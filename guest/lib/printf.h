/* A small printf engine: %d %i %u %x %X %p %s %c %%, flags - 0 #, width, precision, h hh l ll z. */
#ifndef KEEL_GUEST_LIB_PRINTF_H
#define KEEL_GUEST_LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/* Receives each output character in turn. */
typedef void (*fmt_put_fn)(void *ctx, char c);

/* Format to @put; returns the number of characters produced. */
int vformat(fmt_put_fn put, void *ctx, const char *fmt, va_list ap);

/* Like C's: @buf always ends with a NUL when @size > 0; returns the untruncated length. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
