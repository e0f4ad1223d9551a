/* The one logger: leveled messages to stderr, each prefixed "keel: ", or to a sink that replaces stderr. */
#ifndef KEEL_VMM_LOG_H
#define KEEL_VMM_LOG_H

#include <stddef.h>

enum log_level {
	LOG_OFF = -1,	/* nothing at all (tests that provoke errors on purpose) */
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

/*
 * log_set_level - messages above @level are dropped (default LOG_WARN).
 * The level is process-wide, like stderr itself; set it once before threads start.
 */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* log_msg - print one line "keel: [level: ]message" to stderr; a trailing newline is added. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* log_msg_at - log_msg from source file @file, line @line (what the log_* macros call). */
void log_msg_at(enum log_level level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * log_capture - from now on, this thread's error lines are also kept in @buf (@len bytes, the
 * last one wins, without the "keel: error: " prefix); NULL stops. The control API uses it to
 * answer a failed InstanceStart with the line vm_create printed.
 */
void log_capture(char *buf, size_t len);

/* One line as a sink receives it. */
struct log_record {
	enum log_level level;
	const char *file;	/* the source file (__FILE__), NULL when unknown */
	int line;		/* its line, 0 when unknown */
	const char *msg;	/* the message: no prefix, no newline, NUL-terminated */
	size_t len;		/* strlen(msg) */
};

/* Where lines go instead of stderr. write runs on the logging thread, concurrently with others. */
struct log_sink_ops {
	void (*write)(void *opaque, const struct log_record *rec);
};

/*
 * log_set_sink - from now on, lines at or above the level go to @ops->write(@opaque, ...)
 * instead of stderr (Firecracker's logger: the file its "logger" section names); -EBUSY when a
 * sink is set already. log_clear_sink - back to stderr if @opaque's sink is the one set; it
 * returns once no thread is inside that sink, so the caller may free its state. Process-wide,
 * like the level, because the lines are: every thread of every part of keel logs through
 * log_msg without knowing a VM, and one process has one log destination (Firecracker's logger
 * is one per process too, configured once).
 */
int log_set_sink(const struct log_sink_ops *ops, void *opaque);
void log_clear_sink(void *opaque);

#define log_error(...) log_msg_at(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_msg_at(LOG_WARN, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_msg_at(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_msg_at(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)

#endif
