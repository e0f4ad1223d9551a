/* Boot error lines and human-readable sizes for them. */
#include "vmm/boot/msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

struct boot_size boot_size(uint64_t bytes)
{
	static const struct {
		uint64_t unit;
		const char *name;
	} units[] = {
		{ 1ull << 40, "TiB" },
		{ 1ull << 30, "GiB" },
		{ 1ull << 20, "MiB" },
		{ 1ull << 10, "KiB" },
	};
	struct boot_size out;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bytes < units[i].unit)
			continue;
		if (bytes % units[i].unit == 0)
			snprintf(out.s, sizeof(out.s), "%llu %s",
				 (unsigned long long)(bytes / units[i].unit), units[i].name);
		else
			snprintf(out.s, sizeof(out.s), "%.1f %s",
				 (double)bytes / (double)units[i].unit, units[i].name);
		return out;
	}
	snprintf(out.s, sizeof(out.s), "%llu bytes", (unsigned long long)bytes);
	return out;
}

int boot_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}
