/* Firecracker's logger: keel's log lines in Firecracker's format, to the logger section's file or FIFO. */
#ifndef KEEL_VMM_FC_FC_LOG_H
#define KEEL_VMM_FC_FC_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/log.h"

struct fc_log;
struct fc_runtime;

#define FC_LOG_DEFAULT_ID "anonymous-instance"	/* Firecracker's instance id without --id */

/*
 * fc_log_open - from now on every line keel logs (at or above the level, which the logger's
 * "level" sets process-wide when given) goes to @rt->log_path instead of stderr, as Firecracker
 * writes its log to the logger's file only:
 *   2026-12-03T16:44:19.123456789 [ID:THREAD:LEVEL:FILE:LINE] message
 * (local time with nanoseconds; @instance_id, NULL for FC_LOG_DEFAULT_ID; the thread's name;
 * ":LEVEL" (ERROR, WARN, INFO, DEBUG) only with show_level, ":FILE:LINE" only with
 * show_log_origin), one write(2) per line. The path is a regular file (created mode 0600 when
 * absent, appended to) or a FIFO (opened so that keel never blocks on it: without a reader yet,
 * lines wait in the pipe until one comes and those that do not fit are dropped and counted;
 * keel says so on stderr once). @rt->log_path NULL: nothing changes, *@out is NULL, 0.
 * 0, or -errno with one line in @err naming the path (-EBUSY: a logger is open already; as in
 * Firecracker, it is configured once).
 */
int fc_log_open(const struct fc_runtime *rt, const char *instance_id, struct fc_log **out, char *err, size_t errlen);

/* fc_log_missed - lines that could not be written (a FIFO full, a write error) since it opened. */
uint64_t fc_log_missed(const struct fc_log *l);

/* fc_log_close - lines go to stderr again; close the file. NULL is fine. */
void fc_log_close(struct fc_log *l);

/*
 * fc_log_format - the line Firecracker would write for @rec (at @tv_sec/@tv_nsec local time,
 * from thread @thread) into @buf (@len bytes, newline included, truncated to fit). Returns the
 * line's length. Exposed for the unit tests.
 */
size_t fc_log_format(char *buf, size_t len, const struct log_record *rec, const char *instance_id,
		     const char *thread, bool show_level, bool show_origin, long tv_sec, long tv_nsec);

#endif
