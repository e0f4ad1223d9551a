/* The one logger: leveled messages to stderr, each prefixed "keel: ". */
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

/*
 * log_capture - from now on, this thread's error lines are also kept in @buf (@len bytes, the
 * last one wins, without the "keel: error: " prefix); NULL stops. The control API uses it to
 * answer a failed InstanceStart with the line vm_create printed.
 */
void log_capture(char *buf, size_t len);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
