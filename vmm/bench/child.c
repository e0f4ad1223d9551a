/* The bench's child processes: fork, capture output through a pipe, watch for progress, kill the silent, always reap. */
#include "vmm/bench/child.h"
#include "vmm/signals.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHILD_LINE_MAX 4096	/* longer lines are handed over in pieces */
#define CHILD_REAP_MS 5000	/* after SIGKILL: how long to wait for the child to go */

struct child_buf {
	char data[CHILD_LINE_MAX];
	size_t n;
};

static uint64_t child_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

int bench_child_exec(char *const argv[])
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "keel: cannot run %s: %s\n", argv[0], strerror(errno));
	return 127;
}

static void child_start(int wfd, bench_child_fn fn, void *arg)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(wfd, STDOUT_FILENO) < 0 ||
	    dup2(wfd, STDERR_FILENO) < 0)
		_exit(127);
	_exit(fn(arg) & 0xff);
}

/* Hand every complete line in @b to the caller; returns true when one of them was progress. */
static bool child_lines(struct child_buf *b, const struct bench_child_ops *ops, void *opaque, bool flush)
{
	bool progress = false;
	size_t start = 0;

	for (size_t i = 0; i < b->n; i++) {
		if (b->data[i] != '\n')
			continue;
		progress |= ops->line(opaque, b->data + start, i - start);
		start = i + 1;
	}
	if (start == 0 && b->n == sizeof(b->data)) {
		progress |= ops->line(opaque, b->data, b->n);	/* an overlong line: in pieces */
		start = b->n;
	}
	if (flush && start < b->n) {
		progress |= ops->line(opaque, b->data + start, b->n - start);
		start = b->n;
	}
	memmove(b->data, b->data + start, b->n - start);
	b->n -= start;
	return progress;
}

/* Wait up to @ms for @pid; returns its wait status or -1. */
static int child_reap(pid_t pid, unsigned int ms)
{
	uint64_t end = child_now_ms() + ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		if (r < 0 && errno != EINTR)
			return -1;
		if (child_now_ms() >= end)
			return -1;
		usleep(5000);
	}
}

static int child_status(int st)
{
	if (st < 0)
		return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : -1;
}

int bench_child_run(bench_child_fn fn, void *arg, const struct bench_child_ops *ops, void *opaque,
		    unsigned int total_ms, int sigfd, struct bench_child_result *res)
{
	struct child_buf buf = { .n = 0 };
	uint64_t start, last;
	bool kill_it = false;
	int fds[2], st;
	pid_t pid;

	memset(res, 0, sizeof(*res));
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int err = errno;

		close(fds[0]);
		close(fds[1]);
		return -err;
	}
	if (pid == 0) {
		close(fds[0]);
		child_start(fds[1], fn, arg);
	}
	close(fds[1]);
	start = last = child_now_ms();
	for (;;) {
		struct pollfd p[2] = { { .fd = fds[0], .events = POLLIN }, { .fd = sigfd, .events = POLLIN } };
		unsigned int limit = ops->limit_ms(opaque);
		uint64_t now = child_now_ms(), until = last + limit;
		ssize_t n;
		int r;

		if (until > start + total_ms)
			until = start + total_ms;
		if (now >= until) {
			res->timed_out = until == last + limit;
			res->total_out = !res->timed_out;
			res->limit_ms = res->timed_out ? limit : total_ms;
			kill_it = true;
			break;
		}
		r = poll(p, sigfd >= 0 ? 2 : 1, (int)(until - now));
		if (r < 0 && errno != EINTR) {
			kill_it = true;
			break;
		}
		if (r <= 0)
			continue;
		if (sigfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				res->stop_signal = signals_number(&si);
				kill_it = true;
				break;
			}
		}
		if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(fds[0], buf.data + buf.n, sizeof(buf.data) - buf.n);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;	/* the child closed its end: it is gone or going */
		buf.n += (size_t)n;
		if (child_lines(&buf, ops, opaque, false))
			last = child_now_ms();
	}
	child_lines(&buf, ops, opaque, true);
	close(fds[0]);
	if (kill_it)
		kill(pid, SIGKILL);
	st = child_reap(pid, CHILD_REAP_MS);
	if (st < 0 && !kill_it) {
		kill(pid, SIGKILL);	/* closed its output and lingered */
		st = child_reap(pid, CHILD_REAP_MS);
	}
	res->status = child_status(st);
	return 0;
}
