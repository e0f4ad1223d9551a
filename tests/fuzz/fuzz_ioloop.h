/* A fake vmm/ioloop for the device fuzzers: submissions are kept for the harness to complete with the results it picks. */
#ifndef KEEL_TESTS_FUZZ_FUZZ_IOLOOP_H
#define KEEL_TESTS_FUZZ_FUZZ_IOLOOP_H

#include <liburing.h>
#include <stdbool.h>

#include "vmm/ioloop.h"

#define FZ_LOOP_SUBS 64u		/* submissions outstanding at most (then ioloop_sqe says full) */
#define FZ_LOOP_WATCHES 8u

/* One submission still waiting for its completion: the entry as the device filled it. */
struct fz_sub {
	struct ioloop_op *op;
	struct io_uring_sqe sqe;
};

/* fz_loop_new - a fake loop (calloc); fz_loop_free - free it (outstanding submissions are dropped). */
struct ioloop *fz_loop_new(void);
void fz_loop_free(struct ioloop *l);

/* fz_loop_pending - how many submissions wait; fz_loop_sub - the @i-th of them (oldest first). */
unsigned int fz_loop_pending(const struct ioloop *l);
const struct fz_sub *fz_loop_sub(const struct ioloop *l, unsigned int i);

/* fz_loop_complete - take the @i-th submission out and run its done callback with @res. */
void fz_loop_complete(struct ioloop *l, unsigned int i, int res);

/* fz_loop_pump - read the watched eventfds and run their callbacks and the deferred calls until quiet. */
void fz_loop_pump(struct ioloop *l);

/* fz_loop_set_full - make ioloop_sqe return NULL (a full ring, or a loop stopping) while @full. */
void fz_loop_set_full(struct ioloop *l, bool full);

/* fz_loop_set_stopping - what ioloop_stopping answers from now on. */
void fz_loop_set_stopping(struct ioloop *l, bool stopping);

#endif
