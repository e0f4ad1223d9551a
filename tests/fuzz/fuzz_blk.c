/* libFuzzer target: a hostile virtio-blk driver (headers, data and status buffers, every request type) against blk.c, the disk an in-memory image behind a fake I/O loop. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio/blk.h"
#include "tests/fuzz/fuzz_vdev.h"

#define DISK_MAX (1u << 20)	/* a backed image has at most this many bytes */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The image: its bytes when small; a huge one has none and only its ranges are checked. */
struct fz_blk {
	struct disk disk;
	uint8_t *bytes;
};

/* [off, off + len) must lie inside the image: blk.c checked it before submitting. */
static void in_image(const struct fz_blk *b, uint64_t off, uint64_t len)
{
	if (off > b->disk.size || len > b->disk.size - off)
		fz_fail("virtio-blk: I/O of %llu bytes at %llu, past the %llu-byte image", (unsigned long long)len,
			(unsigned long long)off, (unsigned long long)b->disk.size);
}

/* Copy between the image and @iov[0, @n) as a read or write of @res bytes at @off would. */
static void transfer(struct fz_blk *b, const struct iovec *iov, unsigned int n, uint64_t off, int res, bool write)
{
	for (unsigned int i = 0; i < n && res > 0; i++) {
		size_t c = iov[i].iov_len < (size_t)res ? iov[i].iov_len : (size_t)res;

		if (b->bytes && write)
			memcpy(b->bytes + off, iov[i].iov_base, c);
		else if (b->bytes)
			memcpy(iov[i].iov_base, b->bytes + off, c);
		off += c;
		res -= (int)c;
	}
}

static void blk_complete(struct fz_vdev *v, struct fz_in *in, unsigned int i, const struct fz_sub *s)
{
	struct fz_blk *b = v->opaque;
	const struct io_uring_sqe *e = &s->sqe;
	struct iovec one = { (void *)(uintptr_t)e->addr, e->len };
	const struct iovec *iov = &one;
	unsigned int n = 1;
	uint64_t total;
	int res;

	switch (e->opcode) {
	case IORING_OP_READV:
	case IORING_OP_WRITEV:
		iov = (const struct iovec *)(uintptr_t)e->addr;
		n = e->len;
		/* fall through */
	case IORING_OP_READ:
	case IORING_OP_WRITE:
		if (n == 0 || n > VIRTQ_MAX_SIZE)
			fz_fail("virtio-blk: a transfer of %u buffers", n);
		total = fz_iov_total(iov, n);
		in_image(b, e->off, total);
		res = fz_pick_res(in, total);
		transfer(b, iov, n, e->off, res,
			 e->opcode == IORING_OP_WRITEV || e->opcode == IORING_OP_WRITE);
		break;
	case IORING_OP_FALLOCATE:
		in_image(b, e->off, e->addr);
		if (b->bytes && e->addr)
			memset(b->bytes + e->off, 0, e->addr);
		res = fz_pick_res(in, 0);
		break;
	case IORING_OP_FSYNC:
		res = fz_pick_res(in, 0);
		break;
	default:
		fz_fail("virtio-blk: submission opcode %u", e->opcode);	/* blk.c submits nothing else */
	}
	fz_loop_complete(v->loop, i, res);
}

static const struct fz_hooks blk_hooks = { .complete = blk_complete };

/*
 * The input: a flags byte (1 read-only, 2 a huge image, 4 O_DIRECT possible, 8 4 KiB blocks),
 * the image's size, its id, the features the driver accepts, then the driver's actions
 * (tests/fuzz/fuzz_vdev.c).
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_blk b = { 0 };
	struct fz_vdev v = { 0 };
	uint8_t f = fz_u8(&in);
	uint64_t sz = fz_u64(&in);

	v.mem = fz_ram();
	v.loop = fz_loop_new();
	if (!v.loop)
		abort();
	b.disk = (struct disk){ .path = "fuzz.img", .fd = -1, .dfd = (f & 4) ? 1000 : -1, .fixed = -1, .dfixed = -1,
				.readonly = f & 1, .align = (f & 8) ? 4096 : 512 };
	b.disk.size = (f & 2) ? sz & ~511ull : (sz % (DISK_MAX / 512 + 1)) * 512;
	fz_take(&in, b.disk.id, sizeof(b.disk.id) - 1);
	if (!(f & 2) && b.disk.size && !(b.bytes = malloc(b.disk.size)))
		abort();
	v.opaque = &b;
	if (virtio_blk_create(&b.disk, 0, v.mem, v.loop, &v.dev) != 0)
		abort();
	fz_vdev_session(&v, &in, &blk_hooks);
	virtio_blk_destroy(v.dev);
	fz_loop_free(v.loop);
	free(b.bytes);
	return 0;
}
