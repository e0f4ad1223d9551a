/* Runs one bench VM (keel, the floor or QEMU) in a child process: its output read line by line, every wait bounded, a silent child killed. */
#ifndef KEEL_VMM_BENCH_CHILD_H
#define KEEL_VMM_BENCH_CHILD_H

#include <stdbool.h>
#include <stddef.h>

/* bench_child_fn - runs in the child with stdout and stderr on the parent's pipe and stdin on /dev/null; returns the exit status. */
typedef int (*bench_child_fn)(void *arg);

struct bench_child_ops {
	/* line - one line of the child's output (no newline); returns true when it was progress. */
	bool (*line)(void *opaque, const char *line, size_t len);
	/* limit_ms - how long the child may go without progress from now on. */
	unsigned int (*limit_ms)(void *opaque);
};

struct bench_child_result {
	int status;		/* exit status, 128 + N when killed by signal N, -1 when it could not be reaped */
	bool timed_out;		/* killed after no progress for limit_ms */
	bool total_out;		/* killed at @total_ms */
	unsigned int limit_ms;	/* the limit that ran out */
	int stop_signal;	/* non-zero: keel itself got this stop signal (SIGINT...) and killed the child */
};

/*
 * bench_child_run - fork; the child runs @fn(@arg) and _exits with its result. The parent reads
 * the child's output, hands each line to @ops->line, and kills the child (SIGKILL) when no
 * progress came within @ops->limit_ms, when @total_ms have passed, or when @sigfd (a signalfd,
 * -1 for none) reports a stop signal. The child is always reaped, waiting at most a few seconds
 * after SIGKILL. The caller must have no other threads. Returns 0 (see @res) or -errno (fork,
 * pipe).
 */
int bench_child_run(bench_child_fn fn, void *arg, const struct bench_child_ops *ops, void *opaque,
		    unsigned int total_ms, int sigfd, struct bench_child_result *res);

/* bench_child_exec - for a bench_child_fn: execvp(@argv[0], @argv) with every signal unblocked; 127 when it fails. */
int bench_child_exec(char *const argv[]);

#endif
