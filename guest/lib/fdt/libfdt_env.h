/* The environment <libfdt.h> expects, for the freestanding guest: fixed-width types, byte order, string.h. */
#ifndef LIBFDT_ENV_H
#define LIBFDT_ENV_H

/*
 * guest.mk puts guest/lib/fdt first on the include path so that <libfdt.h> picks up this file instead
 * of the one in /usr/include, which pulls in the host C library's headers. The types match the ones
 * the library was built with: plain unsigned integers holding big-endian values.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest/lib/string.h"

typedef uint16_t fdt16_t;
typedef uint32_t fdt32_t;
typedef uint64_t fdt64_t;

static inline uint16_t fdt16_to_cpu(fdt16_t x)
{
	return __builtin_bswap16(x);
}

static inline fdt16_t cpu_to_fdt16(uint16_t x)
{
	return __builtin_bswap16(x);
}

static inline uint32_t fdt32_to_cpu(fdt32_t x)
{
	return __builtin_bswap32(x);
}

static inline fdt32_t cpu_to_fdt32(uint32_t x)
{
	return __builtin_bswap32(x);
}

static inline uint64_t fdt64_to_cpu(fdt64_t x)
{
	return __builtin_bswap64(x);
}

static inline fdt64_t cpu_to_fdt64(uint64_t x)
{
	return __builtin_bswap64(x);
}

#endif
