/* The one I/O thread: an io_uring that serves every device backend, with batched submission and completion. */
#ifndef KEEL_VMM_IOLOOP_H
#define KEEL_VMM_IOLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct ioloop;
struct io_uring_sqe;

/*
 * One submission. Embed it in your request; @done runs on the I/O thread with the CQE's result
 * (bytes, 0, or -errno; -ECANCELED when the loop shuts down).
 */
struct ioloop_op {
	void (*done)(struct ioloop_op *op, int res);
};

/* An eventfd the loop keeps a read posted on (a queue's ioeventfd, for instance). */
struct ioloop_efd {
	struct ioloop_op op;
	struct ioloop *loop;
	int fd;
	uint64_t value;				/* the counter just read */
	void (*fn)(struct ioloop_efd *w);	/* on the I/O thread, once per read */
	void *opaque;
};

/* A call made on the I/O thread once the current batch of completions is handled. */
struct ioloop_defer {
	void (*fn)(struct ioloop_defer *d);
	struct ioloop_defer *next;
	bool queued;
};

/*
 * ioloop_create - an io_uring with @depth submission entries (and room for 16 times as many
 * completions) and its wake-up eventfd; the thread is not started. Returns 0 or -errno.
 */
int ioloop_create(unsigned int depth, struct ioloop **out);

/*
 * ioloop_set_seccomp - before ioloop_start: 0 (the default), or the thread installs its seccomp
 * filter and a forbidden call ends keel with exit status @status (vmm/sandbox.h).
 * ioloop_seccomp - that setting: threads made for the loop's devices (virtio-gpu's render
 * thread) follow it.
 */
void ioloop_set_seccomp(struct ioloop *l, unsigned int status);
unsigned int ioloop_seccomp(const struct ioloop *l);

/* ioloop_start - start the thread ("keel-io"). Returns 0 or -errno. */
int ioloop_start(struct ioloop *l);

/*
 * ioloop_destroy - stop the thread: cancel everything posted, wait for every submission to
 * complete (their done callbacks run, the last ones with -ECANCELED), then free. NULL is fine.
 */
void ioloop_destroy(struct ioloop *l);

/*
 * ioloop_sqe - a zeroed submission entry tagged with @op, submitted with the batch. On the I/O
 * thread, or before ioloop_start. When the ring is full it is submitted first (on the thread);
 * NULL means it stays full (before the start) or the loop is stopping.
 */
struct io_uring_sqe *ioloop_sqe(struct ioloop *l, struct ioloop_op *op);

/*
 * ioloop_watch - keep a read posted on eventfd @fd; @fn(@w) runs after each read. On the I/O
 * thread or before ioloop_start. Returns 0 or -errno.
 */
int ioloop_watch(struct ioloop *l, struct ioloop_efd *w, int fd, void (*fn)(struct ioloop_efd *w),
		 void *opaque);

/* ioloop_defer - run @d->fn after the current batch (once, however often it is deferred). I/O thread only. */
void ioloop_defer(struct ioloop *l, struct ioloop_defer *d);

/*
 * ioloop_signal - add 1 to eventfd @fd (an irqfd): through the ring, in the batch's one
 * io_uring_enter, when called on the I/O thread; with write(2) from any other thread.
 */
void ioloop_signal(struct ioloop *l, int fd);

/* ioloop_register_fd - register @fd as a fixed file before ioloop_start. Returns its index or -errno. */
int ioloop_register_fd(struct ioloop *l, int fd);

/* ioloop_on_thread - true on the I/O thread. */
bool ioloop_on_thread(const struct ioloop *l);

/* ioloop_stopping - true once ioloop_destroy has begun (on the I/O thread: do not post more work). */
bool ioloop_stopping(const struct ioloop *l);

#endif
