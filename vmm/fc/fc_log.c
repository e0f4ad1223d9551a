/* Firecracker's logger: a log.h sink writing Firecracker-format lines to a file or FIFO, and the non-blocking output both it and the metrics use. */
#include "vmm/fc/fc_log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vmm/fc/fc_config.h"
#include "vmm/fc/fc_out.h"

#define FC_LOG_LINE_MAX 2048u	/* a line longer than this is cut (log_msg's own lines are shorter) */
#define FC_OUT_PIPE_BYTES (1u << 20)	/* what a FIFO is asked to hold: a metrics line is larger than PIPE_BUF */
#define FC_OUT_DRAIN_MS 100	/* how long the rest of a line cut by a full pipe may wait */

struct fc_log {
	int fd;
	char *id;			/* the instance id */
	bool show_level, show_origin;
	_Atomic uint64_t missed;	/* lines not written */
};

int fc_out_open(const char *path, const char *what, int *fd, char *err, size_t errlen)
{
	struct stat st;
	int f, probe;

	if (stat(path, &st) == 0 && S_ISFIFO(st.st_mode)) {
		/*
		 * Read and write, as Firecracker does: opening a FIFO for writing only fails (ENXIO)
		 * without a reader, and a reader leaving would make writes fail; holding both ends
		 * keeps the pipe whatever the reader does, and O_NONBLOCK makes a full pipe EAGAIN.
		 */
		probe = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);	/* before keel is a reader itself */
		f = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (probe >= 0)
			close(probe);
		if (f < 0)
			goto fail;
		if (probe < 0)
			log_warn("%s FIFO %s has no reader yet: lines wait in the pipe until one opens it, and those that do not fit are dropped",
				 what, path);
		fcntl(f, F_SETPIPE_SZ, (int)FC_OUT_PIPE_BYTES);	/* best effort: the default is 64 KiB */
		*fd = f;
		return 0;
	}
	f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK | O_CLOEXEC, 0600);
	if (f < 0)
		goto fail;
	if (fstat(f, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
		close(f);
		errno = EINVAL;
		snprintf(err, errlen, "%s path %s: not a file or FIFO", what, path);
		return -EINVAL;
	}
	*fd = f;
	return 0;
fail:
	f = -errno;
	snprintf(err, errlen, "%s path %s: %s", what, path, strerror(-f));
	return f;
}

int fc_out_write(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n > 0) {
			done += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && done > 0) {
			/* Half a line is in the pipe: give the reader a moment for the rest rather than cut it. */
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, FC_OUT_DRAIN_MS) > 0)
				continue;
		}
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}

/* Firecracker's names for the levels (those of Rust's log crate). */
static const char *fc_level_name(enum log_level level)
{
	static const char *const names[] = { "ERROR", "WARN", "INFO", "DEBUG" };

	return level >= LOG_ERROR && level <= LOG_DEBUG ? names[level] : "?";
}

/* Append to @buf (@len bytes, @pos used) what fits of the formatted text; returns the new position. */
static size_t fc_append(char *buf, size_t len, size_t pos, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static size_t fc_append(char *buf, size_t len, size_t pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (pos >= len)
		return pos;
	va_start(ap, fmt);
	n = vsnprintf(buf + pos, len - pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return pos;
	return (size_t)n < len - pos ? pos + (size_t)n : len - 1;
}

size_t fc_log_format(char *buf, size_t len, const struct log_record *rec, const char *instance_id,
		     const char *thread, bool show_level, bool show_origin, long tv_sec, long tv_nsec)
{
	time_t t = (time_t)tv_sec;
	struct tm tm;
	size_t pos = 0;

	if (len < 2)
		return 0;
	if (!localtime_r(&t, &tm))
		memset(&tm, 0, sizeof(tm));
	pos = fc_append(buf, len, pos, "%d-%02d-%02dT%02d:%02d:%02d.%09ld [%s:%s", tm.tm_year + 1900, tm.tm_mon + 1,
			tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, tv_nsec, instance_id ? instance_id : FC_LOG_DEFAULT_ID,
			thread && *thread ? thread : "-");
	if (show_level)
		pos = fc_append(buf, len, pos, ":%s", fc_level_name(rec->level));
	if (show_origin)
		pos = fc_append(buf, len, pos, ":%s:%d", rec->file ? rec->file : "?", rec->line);
	pos = fc_append(buf, len, pos, "] %.*s", (int)(rec->len < INT32_MAX ? rec->len : INT32_MAX), rec->msg);
	if (pos > len - 2)
		pos = len - 2;
	buf[pos++] = '\n';
	buf[pos] = '\0';
	return pos;
}

static void fc_log_write(void *opaque, const struct log_record *rec)
{
	struct fc_log *l = opaque;
	char line[FC_LOG_LINE_MAX], thread[16] = "";
	struct timespec ts;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (pthread_getname_np(pthread_self(), thread, sizeof(thread)) != 0)
		thread[0] = '\0';
	n = fc_log_format(line, sizeof(line), rec, l->id, thread, l->show_level, l->show_origin, (long)ts.tv_sec,
			  ts.tv_nsec);
	/* A line is shorter than PIPE_BUF: one write puts all of it in a pipe or none. */
	if (fc_out_write(l->fd, line, n) < 0)
		atomic_fetch_add_explicit(&l->missed, 1, memory_order_relaxed);
}

static const struct log_sink_ops fc_log_sink = {
	.write = fc_log_write,
};

int fc_log_open(const struct fc_runtime *rt, const char *instance_id, struct fc_log **out, char *err, size_t errlen)
{
	struct fc_log *l;
	int ret;

	*out = NULL;
	if (!rt->log_path)
		return 0;
	l = calloc(1, sizeof(*l));
	if (!l || !(l->id = strdup(instance_id ? instance_id : FC_LOG_DEFAULT_ID))) {
		free(l);
		snprintf(err, errlen, "logger: out of memory");
		return -ENOMEM;
	}
	ret = fc_out_open(rt->log_path, "logger: log", &l->fd, err, errlen);
	if (ret < 0) {
		free(l->id);
		free(l);
		return ret;
	}
	l->show_level = rt->show_level;
	l->show_origin = rt->show_log_origin;
	/* The time zone is read now: a first localtime_r on a thread under seccomp could not open it. */
	tzset();
	ret = log_set_sink(&fc_log_sink, l);
	if (ret < 0) {
		snprintf(err, errlen, "logger: a logger is configured already (only once, as in Firecracker)");
		close(l->fd);
		free(l->id);
		free(l);
		return ret;
	}
	if (rt->level_given)
		log_set_level(rt->level);
	*out = l;
	return 0;
}

uint64_t fc_log_missed(const struct fc_log *l)
{
	return l ? atomic_load_explicit(&l->missed, memory_order_relaxed) : 0;
}

void fc_log_close(struct fc_log *l)
{
	if (!l)
		return;
	log_clear_sink(l);	/* returns once no thread writes to @l */
	close(l->fd);
	free(l->id);
	free(l);
}
