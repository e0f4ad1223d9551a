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

/* Per thread: where log_capture keeps this thread's last error line. */
static __thread char *capture_buf;
static __thread size_t capture_len;

void log_capture(char *buf, size_t len)
{
	capture_buf = len ? buf : NULL;
	capture_len = len;
	if (capture_buf)
		capture_buf[0] = '\0';
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char line[1024];
	va_list ap;
	int n, m;

	if ((int)level > atomic_load(&log_level) && !(level == LOG_ERROR && capture_buf))
		return;
	n = snprintf(line, sizeof(line), "keel: %s", prefix[level]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (level == LOG_ERROR && capture_buf && m >= 0)
		snprintf(capture_buf, capture_len, "%s", line + n);
	if ((int)level > atomic_load(&log_level))
		return;
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
