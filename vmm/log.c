/* The one logger: leveled messages to stderr, or to the sink that replaces it, written with a single write(2) per line. */
#include "vmm/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Process-wide by design (documented in docs/ARCHITECTURE.md): it describes stderr, not a VM. */
static _Atomic int log_level = LOG_WARN;

/*
 * The sink (log.h says why it is process-wide). Readers are the logging threads; log_set_sink
 * takes it for writing, so it returns only once no thread still writes to the old sink.
 */
static struct {
	pthread_rwlock_t lock;
	const struct log_sink_ops *ops;
	void *opaque;
} log_sink = { .lock = PTHREAD_RWLOCK_INITIALIZER };

void log_set_level(enum log_level level)
{
	atomic_store(&log_level, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&log_level);
}

int log_set_sink(const struct log_sink_ops *ops, void *opaque)
{
	int ret = 0;

	pthread_rwlock_wrlock(&log_sink.lock);
	if (log_sink.ops) {
		ret = -EBUSY;
	} else {
		log_sink.ops = ops;
		log_sink.opaque = opaque;
	}
	pthread_rwlock_unlock(&log_sink.lock);
	return ret;
}

void log_clear_sink(void *opaque)
{
	pthread_rwlock_wrlock(&log_sink.lock);
	if (log_sink.ops && log_sink.opaque == opaque) {
		log_sink.ops = NULL;
		log_sink.opaque = NULL;
	}
	pthread_rwlock_unlock(&log_sink.lock);
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

/* The line to the sink when there is one; false when there is none. */
static bool log_to_sink(enum log_level level, const char *file, int line, const char *msg, size_t len)
{
	struct log_record rec = { .level = level, .file = file, .line = line, .msg = msg, .len = len };
	bool sunk = false;

	pthread_rwlock_rdlock(&log_sink.lock);
	if (log_sink.ops) {
		log_sink.ops->write(log_sink.opaque, &rec);
		sunk = true;
	}
	pthread_rwlock_unlock(&log_sink.lock);
	return sunk;
}

/*
 * Escape the control characters of @src (a newline or an escape sequence in an option's value, a
 * guest's string) into @dst, so that every message stays one line: \n, \r, \t, else \xNN.
 * Returns the length written; the result is cut (whole escapes only) to fit @cap - 1 bytes.
 */
static size_t log_escape(char *dst, size_t cap, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *src; src++) {
		unsigned char c = (unsigned char)*src;
		char esc[4];
		size_t k = 0;

		if (c >= 0x20 && c != 0x7f) {
			esc[k++] = (char)c;
		} else {
			esc[k++] = '\\';
			if (c == '\n') {
				esc[k++] = 'n';
			} else if (c == '\r') {
				esc[k++] = 'r';
			} else if (c == '\t') {
				esc[k++] = 't';
			} else {
				esc[k++] = 'x';
				esc[k++] = hex[c >> 4];
				esc[k++] = hex[c & 0xf];
			}
		}
		if (n + k >= cap)
			break;
		memcpy(dst + n, esc, k);
		n += k;
	}
	dst[n] = '\0';
	return n;
}

static void log_vmsg(enum log_level level, const char *file, int lineno, const char *fmt, va_list ap)
{
	static const char *const prefix[] = { "error: ", "warning: ", "", "debug: " };
	char msg[1024], line[1024];
	int n, start;

	if ((int)level > atomic_load(&log_level) && !(level == LOG_ERROR && capture_buf))
		return;
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	n = snprintf(line, sizeof(line), "keel: %s", prefix[level]);
	start = n;
	n += (int)log_escape(line + n, sizeof(line) - (size_t)n - 1, msg);
	if (level == LOG_ERROR && capture_buf)
		snprintf(capture_buf, capture_len, "%s", line + start);
	if ((int)level > atomic_load(&log_level))
		return;
	if (log_to_sink(level, file, lineno, line + start, (size_t)(n - start)))
		return;
	line[n++] = '\n';
	/* One write per line so lines from several threads do not interleave. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_msg_at(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, file, line, fmt, ap);
	va_end(ap);
}
