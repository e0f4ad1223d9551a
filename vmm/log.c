/* The one logger: leveled messages to stderr, written with a single write(2) per line. */
#include "vmm/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

/* Process-wide by design (documented in docs/ARCHITECTURE.md): it describes stderr, not a VM. */
static _Atomic int log_level = LOG_WARN;

void log_set_level(enum log_level level)
{
	atomic_store(&log_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&log_level);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char line[1024];
	va_list ap;
	int n, m;

	if ((int)level > atomic_load(&log_level))
		return;
	n = snprintf(line, sizeof(line), "keel: %s", prefix[level]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line so lines from several threads do not interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}
