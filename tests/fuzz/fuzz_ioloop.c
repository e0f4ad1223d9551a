/* A fake vmm/ioloop for the device fuzzers: one thread, submissions held until the harness completes them. */
#include "tests/fuzz/fuzz_ioloop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ioloop {
	struct fz_sub sub[FZ_LOOP_SUBS];
	unsigned int nsub;
	struct ioloop_efd *watch[FZ_LOOP_WATCHES];
	unsigned int nwatch;
	struct ioloop_defer *defers;
	bool full, stopping;
};

struct ioloop *fz_loop_new(void)
{
	return calloc(1, sizeof(struct ioloop));
}

void fz_loop_free(struct ioloop *l)
{
	free(l);
}

unsigned int fz_loop_pending(const struct ioloop *l)
{
	return l->nsub;
}

const struct fz_sub *fz_loop_sub(const struct ioloop *l, unsigned int i)
{
	return i < l->nsub ? &l->sub[i] : NULL;
}

void fz_loop_complete(struct ioloop *l, unsigned int i, int res)
{
	struct ioloop_op *op;

	if (i >= l->nsub)
		return;
	op = l->sub[i].op;
	memmove(&l->sub[i], &l->sub[i + 1], (l->nsub - i - 1) * sizeof(l->sub[0]));
	l->nsub--;
	op->done(op, res);
}

void fz_loop_pump(struct ioloop *l)
{
	bool again = true;

	for (unsigned int round = 0; again && round < 64; round++) {
		again = false;
		for (unsigned int i = 0; i < l->nwatch; i++) {
			struct ioloop_efd *w = l->watch[i];
			uint64_t v;

			if (read(w->fd, &v, sizeof(v)) == (ssize_t)sizeof(v)) {
				w->value = v;
				w->fn(w);
				again = true;
			}
		}
		while (l->defers) {
			struct ioloop_defer *d = l->defers;

			l->defers = d->next;
			d->next = NULL;
			d->queued = false;
			d->fn(d);
			again = true;
		}
	}
}

void fz_loop_set_full(struct ioloop *l, bool full)
{
	l->full = full;
}

void fz_loop_set_stopping(struct ioloop *l, bool stopping)
{
	l->stopping = stopping;
}

/* --- vmm/ioloop.h, as the devices see it --------------------------------------------------- */

int ioloop_create(unsigned int depth, struct ioloop **out)
{
	(void)depth;
	*out = fz_loop_new();
	return *out ? 0 : -ENOMEM;
}

void ioloop_set_seccomp(struct ioloop *l, unsigned int status)
{
	(void)l, (void)status;
}

unsigned int ioloop_seccomp(const struct ioloop *l)
{
	(void)l;
	return 0;
}

int ioloop_start(struct ioloop *l)
{
	(void)l;
	return 0;
}

void ioloop_destroy(struct ioloop *l)
{
	fz_loop_free(l);
}

struct io_uring_sqe *ioloop_sqe(struct ioloop *l, struct ioloop_op *op)
{
	struct fz_sub *s;

	if (l->full || l->stopping || l->nsub == FZ_LOOP_SUBS)
		return NULL;
	s = &l->sub[l->nsub++];
	memset(s, 0, sizeof(*s));
	s->op = op;
	s->sqe.user_data = (uint64_t)(uintptr_t)op;
	return &s->sqe;
}

int ioloop_watch(struct ioloop *l, struct ioloop_efd *w, int fd, void (*fn)(struct ioloop_efd *w), void *opaque)
{
	if (l->nwatch == FZ_LOOP_WATCHES)
		return -ENOSPC;
	w->loop = l;
	w->fd = fd;
	w->fn = fn;
	w->opaque = opaque;
	l->watch[l->nwatch++] = w;
	return 0;
}

void ioloop_defer(struct ioloop *l, struct ioloop_defer *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = l->defers;
	l->defers = d;
}

void ioloop_signal(struct ioloop *l, int fd)
{
	(void)l, (void)fd;
}

int ioloop_register_fd(struct ioloop *l, int fd)
{
	(void)l, (void)fd;
	return -ENOSYS;
}

bool ioloop_on_thread(const struct ioloop *l)
{
	(void)l;
	return true;
}

bool ioloop_stopping(const struct ioloop *l)
{
	return l->stopping;
}
