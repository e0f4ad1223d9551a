/* The I/O thread: one io_uring, one io_uring_enter per batch (submit and wait), callbacks, then deferred flushes. */
#include "vmm/ioloop.h"

#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vmm/log.h"
#include "vmm/sandbox.h"

#define IOLOOP_CQ_FACTOR 4u		/* completion entries per submission entry */
#define IOLOOP_FIXED_FILES 64u		/* slots of the fixed-file table */
#define IOLOOP_BATCH 64u		/* completions taken off the ring at a time */
#define IOLOOP_DRAIN_WAIT_NS 100000000ll /* while draining: re-cancel every 100 ms */

struct ioloop {
	struct io_uring ring;
	bool ring_ok;
	bool disabled;			/* created with IORING_SETUP_R_DISABLED: enable on the thread */
	pthread_t thread;
	bool started;
	_Atomic pthread_t self;		/* the I/O thread, once running is set */
	atomic_bool running;
	atomic_bool stop;		/* ioloop_destroy asked the thread to end */
	bool stopping;			/* the thread saw it (thread-only) */
	int wake_fd;
	struct ioloop_efd wake;
	unsigned long inflight;		/* entries handed out whose completion is not yet seen */
	struct ioloop_defer *deferred;	/* run after the current batch */
	struct ioloop_op nop;		/* for signals and cancellations: nothing to do when done */
	bool fixed_ok;
	unsigned int nfixed;
	unsigned int seccomp;		/* 0, or the status of the I/O thread's filter (vmm/sandbox.h) */
};

static const uint64_t ioloop_one = 1;	/* what ioloop_signal writes */

static void ioloop_nop_done(struct ioloop_op *op, int res)
{
	(void)op;
	(void)res;
}

bool ioloop_on_thread(const struct ioloop *l)
{
	return l && atomic_load(&l->running) && pthread_equal(pthread_self(), atomic_load(&l->self));
}

bool ioloop_stopping(const struct ioloop *l)
{
	return atomic_load(&l->stop);
}

static void ioloop_wake_fn(struct ioloop_efd *w)
{
	(void)w;	/* the loop looks at its stop flag after every batch */
}

int ioloop_create(unsigned int depth, struct ioloop **out)
{
	struct io_uring_params p;
	struct ioloop *l;
	int ret;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->wake_fd = -1;
	l->nop.done = ioloop_nop_done;
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN |
		  IORING_SETUP_R_DISABLED;
	p.cq_entries = depth * IOLOOP_CQ_FACTOR;
	ret = io_uring_queue_init_params(depth, &l->ring, &p);
	if (ret == -EINVAL) {
		/* An older kernel: no single-issuer mode. */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = depth * IOLOOP_CQ_FACTOR;
		ret = io_uring_queue_init_params(depth, &l->ring, &p);
	}
	if (ret < 0)
		goto fail;
	l->ring_ok = true;
	l->disabled = p.flags & IORING_SETUP_R_DISABLED;
	l->fixed_ok = io_uring_register_files_sparse(&l->ring, IOLOOP_FIXED_FILES) == 0;
	l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (l->wake_fd < 0) {
		ret = -errno;
		goto fail;
	}
	ret = ioloop_watch(l, &l->wake, l->wake_fd, ioloop_wake_fn, l);
	if (ret < 0)
		goto fail;
	*out = l;
	return 0;
fail:
	ioloop_destroy(l);
	return ret;
}

struct io_uring_sqe *ioloop_sqe(struct ioloop *l, struct ioloop_op *op)
{
	struct io_uring_sqe *sqe;

	if (l->stopping)
		return NULL;
	sqe = io_uring_get_sqe(&l->ring);
	if (!sqe && ioloop_on_thread(l)) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (!sqe)
		return NULL;
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data(sqe, op);
	l->inflight++;
	return sqe;
}

static int ioloop_arm(struct ioloop_efd *w)
{
	struct io_uring_sqe *sqe = ioloop_sqe(w->loop, &w->op);

	if (!sqe)
		return w->loop->stopping ? -ECANCELED : -EBUSY;
	io_uring_prep_read(sqe, w->fd, &w->value, sizeof(w->value), 0);
	io_uring_sqe_set_data(sqe, &w->op);
	return 0;
}

static void ioloop_efd_done(struct ioloop_op *op, int res)
{
	struct ioloop_efd *w = (struct ioloop_efd *)op;

	if (res == (int)sizeof(w->value))
		w->fn(w);
	else if (res != -EAGAIN && res != -EINTR && res != -ECANCELED) {
		log_error("I/O thread: reading eventfd %d failed: %s; no longer watched", w->fd,
			  strerror(res < 0 ? -res : EIO));
		return;
	}
	if (!w->loop->stopping && ioloop_arm(w) < 0)
		log_error("I/O thread: cannot watch eventfd %d any more", w->fd);
}

int ioloop_watch(struct ioloop *l, struct ioloop_efd *w, int fd, void (*fn)(struct ioloop_efd *w),
		 void *opaque)
{
	if (fd < 0 || !fn)
		return -EINVAL;
	w->op.done = ioloop_efd_done;
	w->loop = l;
	w->fd = fd;
	w->fn = fn;
	w->opaque = opaque;
	w->value = 0;
	return ioloop_arm(w);
}

void ioloop_defer(struct ioloop *l, struct ioloop_defer *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = l->deferred;
	l->deferred = d;
}

void ioloop_signal(struct ioloop *l, int fd)
{
	if (ioloop_on_thread(l)) {
		struct io_uring_sqe *sqe = ioloop_sqe(l, &l->nop);

		if (sqe) {
			io_uring_prep_write(sqe, fd, &ioloop_one, sizeof(ioloop_one), 0);
			return;
		}
	}
	if (write(fd, &ioloop_one, sizeof(ioloop_one)) < 0 && errno != EAGAIN)
		log_debug("signalling eventfd %d: %s", fd, strerror(errno));
}

int ioloop_register_fd(struct ioloop *l, int fd)
{
	int ret;

	if (!l->fixed_ok || l->started)
		return -ENOTSUP;
	if (l->nfixed == IOLOOP_FIXED_FILES)
		return -ENOSPC;
	ret = io_uring_register_files_update(&l->ring, l->nfixed, &fd, 1);
	if (ret < 0)
		return ret;
	return (int)l->nfixed++;
}

/* Take every completion off the ring, then run the callbacks (which may queue new entries). */
static void ioloop_reap(struct ioloop *l)
{
	struct io_uring_cqe *cqes[IOLOOP_BATCH];
	struct {
		struct ioloop_op *op;
		int res;
	} batch[IOLOOP_BATCH];
	unsigned int n;

	while ((n = io_uring_peek_batch_cqe(&l->ring, cqes, IOLOOP_BATCH)) > 0) {
		for (unsigned int i = 0; i < n; i++) {
			batch[i].op = io_uring_cqe_get_data(cqes[i]);
			batch[i].res = cqes[i]->res;
		}
		io_uring_cq_advance(&l->ring, n);
		l->inflight -= n;
		for (unsigned int i = 0; i < n; i++)
			if (batch[i].op && batch[i].op->done)
				batch[i].op->done(batch[i].op, batch[i].res);
	}
}

/* The batch is handled: run the deferred calls (they may defer again; those run next time round). */
static void ioloop_run_deferred(struct ioloop *l)
{
	struct ioloop_defer *d = l->deferred;

	l->deferred = NULL;
	while (d) {
		struct ioloop_defer *next = d->next;

		d->queued = false;
		d->fn(d);
		d = next;
	}
}

static void ioloop_cancel_all(struct ioloop *l)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&l->ring);

	if (!sqe) {
		io_uring_submit(&l->ring);
		sqe = io_uring_get_sqe(&l->ring);
	}
	if (!sqe)
		return;
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
	io_uring_sqe_set_data(sqe, &l->nop);
	l->inflight++;
}

static void *ioloop_thread(void *arg)
{
	struct ioloop *l = arg;
	int ret;

	if (sandbox_enter(SANDBOX_IO, l->seccomp, 0) < 0)
		return NULL;
	atomic_store(&l->self, pthread_self());
	atomic_store(&l->running, true);
	pthread_setname_np(pthread_self(), "keel-io");
	/* Enabled here, so that this thread becomes the ring's single submitter. */
	if (l->disabled && syscall(__NR_io_uring_register, l->ring.ring_fd, IORING_REGISTER_ENABLE_RINGS, NULL, 0) < 0) {
		log_error("I/O thread: cannot enable the io_uring: %s", strerror(errno));
		return NULL;
	}
	while (!l->stopping) {
		ret = io_uring_submit_and_wait(&l->ring, 1);
		if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			log_error("I/O thread: io_uring_enter: %s", strerror(-ret));
			break;
		}
		ioloop_reap(l);
		ioloop_run_deferred(l);
		if (atomic_load(&l->stop)) {
			l->stopping = true;
			ioloop_cancel_all(l);
		}
	}
	/* Drain: nothing may complete into freed memory after we return. */
	while (l->inflight > 0) {
		struct __kernel_timespec ts = { .tv_nsec = IOLOOP_DRAIN_WAIT_NS };
		struct io_uring_cqe *cqe;

		ret = io_uring_submit_and_wait_timeout(&l->ring, &cqe, 1, &ts, NULL);
		if (ret == -ETIME)
			ioloop_cancel_all(l);
		else if (ret < 0 && ret != -EINTR && ret != -EAGAIN && ret != -EBUSY) {
			log_error("I/O thread: draining: %s", strerror(-ret));
			break;
		}
		ioloop_reap(l);
		ioloop_run_deferred(l);
	}
	return NULL;
}

void ioloop_set_seccomp(struct ioloop *l, unsigned int status)
{
	l->seccomp = status;
}

unsigned int ioloop_seccomp(const struct ioloop *l)
{
	return l->seccomp;
}

int ioloop_start(struct ioloop *l)
{
	int ret = pthread_create(&l->thread, NULL, ioloop_thread, l);

	if (ret)
		return -ret;
	l->started = true;
	return 0;
}

void ioloop_destroy(struct ioloop *l)
{
	if (!l)
		return;
	if (l->started) {
		atomic_store(&l->stop, true);
		if (write(l->wake_fd, &ioloop_one, sizeof(ioloop_one)) < 0)
			log_debug("I/O thread wake-up: %s", strerror(errno));
		pthread_join(l->thread, NULL);
	}
	if (l->ring_ok)
		io_uring_queue_exit(&l->ring);
	if (l->wake_fd >= 0)
		close(l->wake_fd);
	free(l);
}
