/* The virtio device fuzzers' shared driver: guarded guest RAM, a driver session set up from the input, chains offered, completions chosen by it. */
#ifndef KEEL_TESTS_FUZZ_FUZZ_VDEV_H
#define KEEL_TESTS_FUZZ_FUZZ_VDEV_H

#include <stddef.h>
#include <stdint.h>

#include "devices/virtio/virtio.h"
#include "tests/fuzz/fuzz_ioloop.h"

#define FZ_RAM (1ull << 20)		/* guest RAM, between two inaccessible guards */
#define FZ_QS 16u			/* every queue's size */
#define FZ_DATA 0x10000ull		/* buffers are placed from here up (the rings are below) */

/* The rest of the input, read from the front; reads past its end give zeros. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* fz_fail - a check failed: say which on stderr and abort (libFuzzer keeps the input). */
void fz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

uint8_t fz_u8(struct fz_in *in);
uint16_t fz_u16(struct fz_in *in);
uint32_t fz_u32(struct fz_in *in);
uint64_t fz_u64(struct fz_in *in);

/* fz_take - up to @max bytes of the input (its next byte says how many) into @dst; returns the count. */
size_t fz_take(struct fz_in *in, void *dst, size_t max);

struct fz_vdev;

/* What a device's fuzzer adds to the generic driver. */
struct fz_hooks {
	/*
	 * Complete submission @s, the loop's @i-th: pick a result from the input, fill what a read
	 * returns, and call fz_loop_complete(v->loop, @i, result).
	 */
	void (*complete)(struct fz_vdev *v, struct fz_in *in, unsigned int i, const struct fz_sub *s);
	/* A device-specific action (host-side input, a connection...); may be NULL. */
	void (*extra)(struct fz_vdev *v, struct fz_in *in);
	/* Checks of the device's own state after each action; may be NULL. */
	void (*check)(struct fz_vdev *v);
};

struct fz_vdev {
	struct guest_mem *mem;
	struct ioloop *loop;
	struct virtio_dev *dev;
	void *opaque;				/* the fuzzer's */
	uint16_t avail[VIRTIO_MAX_QUEUES];	/* the driver's available index */
	uint16_t used_seen[VIRTIO_MAX_QUEUES];	/* used entries checked */
	uint16_t next_desc[VIRTIO_MAX_QUEUES];
	int64_t wlen[VIRTIO_MAX_QUEUES][FZ_QS];	/* writable bytes of the chain out at each head; -1 none, -2 unknown */
	uint8_t owner[VIRTIO_MAX_QUEUES][FZ_QS];	/* the head of the chain each descriptor was last written for */
	uint64_t bump;				/* where the next buffer goes */
	uint64_t bump_top;			/* the highest byte the allocator gave out */
	bool unchecked;				/* buffers may overlap rings or tables: used entries are not checked */
};

/* fz_ram - the guarded guest RAM (made once), zeroed. */
struct guest_mem *fz_ram(void);

/* fz_vdev_begin - the driver's side for @v->dev, made on @v->loop: start a session (features from the input). */
void fz_vdev_begin(struct fz_vdev *v, struct fz_in *in);

/* fz_vdev_run - act on the rest of the input, then cancel what is outstanding as the loop's shutdown does. */
void fz_vdev_run(struct fz_vdev *v, struct fz_in *in, const struct fz_hooks *h);

/* fz_vdev_session - begin, run, and check that no request was left in flight. */
void fz_vdev_session(struct fz_vdev *v, struct fz_in *in, const struct fz_hooks *h);

/* fz_iov_total - the bytes of @iov[0, @n); every byte is read (a bad one is a crash). */
uint64_t fz_iov_total(const struct iovec *iov, unsigned int n);

/* fz_iov_fill - write input bytes (or a pattern) over @iov[0, @n), at most @max; returns the bytes written. */
uint64_t fz_iov_fill(const struct iovec *iov, unsigned int n, struct fz_in *in, uint64_t max);

/* fz_pick_res - a completion result for a transfer of @full bytes: full, short, 0, or an error. */
int fz_pick_res(struct fz_in *in, uint64_t full);

#endif
