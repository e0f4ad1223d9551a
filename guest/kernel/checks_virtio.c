/* virtio checks (area virtio/): blk, console and rng through the guest's drivers on either transport; hostile rings. */
#include "guest/kernel/checks.h"

#include "guest/drivers/virtio_devices.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/lib/printf.h"
#include "guest/lib/string.h"

#define INPUT_WAIT_MS 5000
#define INPUT_MAX 64
#define NEEDS_RESET_WAIT_MS 1000
#define HOSTILE_FAR_ADDR 0x4000000000ull	/* 256 GiB: outside any RAM the tests give */

static const char hello[] = "virtio: console says hello\n";

static bool cmdline_flag(const char *key)
{
	char v[8];

	return cmdline_get(boot_info.cmdline, key, v, sizeof(v)) && strcmp(v, "0");
}

/* SKIP unless some virtio device of @id (0: any) is there; NULL reason when there is. */
static const char *absent(uint32_t id, const char *what)
{
	if (!virtio_probe(0))
		return "no virtio devices";
	if (id && !virtio_count(id))
		return what;
	return 0;
}

/*
 * The documented pattern of sector S (the host test rebuilds it): the 32-byte line
 * "keel-virtio-blk sector %08x\n" (S in hex) repeated 16 times.
 */
static void sector_pattern(uint8_t *buf, uint64_t s)
{
	char line[40];

	snprintf(line, sizeof(line), "keel-virtio-blk sector %08llx\n", (unsigned long long)s);
	for (unsigned int i = 0; i < VIRTIO_BLK_SECTOR; i += 32)
		memcpy(buf + i, line, 32);
}

static bool open_blk(struct check_ctx *ctx, struct vblk *b, unsigned int n)
{
	if (vblk_open(b, n))
		return true;
	check_note(ctx, "virtio-blk %u: %s", n, b->io.d && b->io.d->error ? b->io.d->error : "no buffer frame");
	return false;
}

/* Sectors 0, the middle and the last of every disk read back with S_OK. */
enum check_status check_virtio_blk_read(struct check_ctx *ctx)
{
	const char *why = absent(VIRTIO_ID_BLOCK, "no virtio-blk device");

	if (why)
		return check_skip(ctx, "%s", why);
	for (unsigned int n = 0; n < virtio_count(VIRTIO_ID_BLOCK); n++) {
		static struct vblk b;
		uint64_t sectors[3];

		b.io.d = 0;
		if (!open_blk(ctx, &b, n))
			return check_fail(ctx, "virtio-blk %u did not come up", n);
		sectors[0] = 0, sectors[1] = b.capacity / 2, sectors[2] = b.capacity ? b.capacity - 1 : 0;
		check_note(ctx, "virtio-blk %u (%s): %llu sectors%s", n, virtio_transport_name(b.io.d),
			   (unsigned long long)b.capacity, b.readonly ? ", read-only" : "");
		for (unsigned int i = 0; b.capacity && i < 3; i++) {
			int r = vblk_read(&b, sectors[i]);

			if (r != VIRTIO_BLK_S_OK)
				return check_fail(ctx, "disk %u: reading sector %llu gave %d", n,
						  (unsigned long long)sectors[i], r);
		}
	}
	return CHECK_PASS;
}

/* With virtio-write=1: the pattern written to sectors 0, middle, last of the first writable disk, flushed, read back. */
enum check_status check_virtio_blk_write(struct check_ctx *ctx)
{
	static struct vblk b;
	const char *why = absent(VIRTIO_ID_BLOCK, "no virtio-blk device");
	uint64_t sectors[3];
	unsigned int n;
	uint8_t want[VIRTIO_BLK_SECTOR];
	int r;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!cmdline_flag("virtio-write"))
		return check_skip(ctx, "no virtio-write=1 on the command line: the disks are not written");
	for (n = 0; n < virtio_count(VIRTIO_ID_BLOCK); n++) {
		b.io.d = 0;
		if (!open_blk(ctx, &b, n))
			return check_fail(ctx, "virtio-blk %u did not come up", n);
		if (!b.readonly && b.capacity)
			break;
	}
	if (n == virtio_count(VIRTIO_ID_BLOCK))
		return check_skip(ctx, "no writable, non-empty virtio-blk device");
	sectors[0] = 0, sectors[1] = b.capacity / 2, sectors[2] = b.capacity - 1;
	check_note(ctx, "virtio-blk %u: pattern written to sectors %llu, %llu, %llu", n,
		   (unsigned long long)sectors[0], (unsigned long long)sectors[1], (unsigned long long)sectors[2]);
	for (unsigned int i = 0; i < 3; i++) {
		sector_pattern(vblk_data(&b), sectors[i]);
		if ((r = vblk_write(&b, sectors[i])) != VIRTIO_BLK_S_OK)
			return check_fail(ctx, "writing sector %llu gave %d", (unsigned long long)sectors[i], r);
	}
	if ((b.io.d->features & VIRTIO_BIT(VIRTIO_BLK_F_FLUSH)) && (r = vblk_flush(&b)) != VIRTIO_BLK_S_OK)
		return check_fail(ctx, "flush gave %d", r);
	for (unsigned int i = 0; i < 3; i++) {
		memset(vblk_data(&b), 0, VIRTIO_BLK_SECTOR);
		if ((r = vblk_read(&b, sectors[i])) != VIRTIO_BLK_S_OK)
			return check_fail(ctx, "reading sector %llu back gave %d", (unsigned long long)sectors[i], r);
		sector_pattern(want, sectors[i]);
		if (memcmp(want, vblk_data(&b), VIRTIO_BLK_SECTOR))
			return check_fail(ctx, "sector %llu read back differs", (unsigned long long)sectors[i]);
	}
	return CHECK_PASS;
}

/* Every read-only disk (VIRTIO_BLK_F_RO) answers a write with VIRTIO_BLK_S_IOERR. */
enum check_status check_virtio_blk_readonly(struct check_ctx *ctx)
{
	static struct vblk b;
	const char *why = absent(VIRTIO_ID_BLOCK, "no virtio-blk device");
	unsigned int seen = 0;

	if (why)
		return check_skip(ctx, "%s", why);
	for (unsigned int n = 0; n < virtio_count(VIRTIO_ID_BLOCK); n++) {
		int r;

		b.io.d = 0;
		if (!open_blk(ctx, &b, n))
			return check_fail(ctx, "virtio-blk %u did not come up", n);
		if (!b.readonly || !b.capacity)
			continue;
		seen++;
		sector_pattern(vblk_data(&b), 0);
		if ((r = vblk_write(&b, 0)) != VIRTIO_BLK_S_IOERR)
			return check_fail(ctx, "disk %u: a write gave %d, want VIRTIO_BLK_S_IOERR (1)", n, r);
		check_note(ctx, "virtio-blk %u: write refused with VIRTIO_BLK_S_IOERR", n);
	}
	if (!seen)
		return check_skip(ctx, "no read-only virtio-blk device");
	return CHECK_PASS;
}

/* GET_ID answers S_OK on every disk; the ids are noted (and compared with vblk-id= for the first). */
enum check_status check_virtio_blk_get_id(struct check_ctx *ctx)
{
	static struct vblk b;
	const char *why = absent(VIRTIO_ID_BLOCK, "no virtio-blk device");
	char want[VIRTIO_BLK_ID_BYTES + 1];
	bool have_want = cmdline_get(boot_info.cmdline, "vblk-id", want, sizeof(want));

	if (why)
		return check_skip(ctx, "%s", why);
	for (unsigned int n = 0; n < virtio_count(VIRTIO_ID_BLOCK); n++) {
		char id[VIRTIO_BLK_ID_BYTES + 1];
		int r;

		b.io.d = 0;
		if (!open_blk(ctx, &b, n))
			return check_fail(ctx, "virtio-blk %u did not come up", n);
		if ((r = vblk_get_id(&b, id)) != VIRTIO_BLK_S_OK)
			return check_fail(ctx, "disk %u: GET_ID gave %d", n, r);
		check_note(ctx, "virtio-blk %u id \"%s\"", n, id);
		if (n == 0 && have_want && strcmp(id, want))
			return check_fail(ctx, "want id \"%s\"", want);
	}
	return CHECK_PASS;
}

/* The line "virtio: console says hello" through the transmit queue. */
enum check_status check_virtio_console_write(struct check_ctx *ctx)
{
	static struct vio c;
	const char *why = absent(VIRTIO_ID_CONSOLE, "no virtio-console device");

	if (why)
		return check_skip(ctx, "%s", why);
	if (!vcons_open(&c))
		return check_fail(ctx, "virtio-console did not come up: %s", c.d && c.d->error ? c.d->error : "?");
	if (!vcons_write(&c, hello, sizeof(hello) - 1))
		return check_fail(ctx, "the transmit buffer did not come back within %u ms", VIRTIO_WAIT_MS);
	return CHECK_PASS;
}

/* With vcons-input=WORD: a line reading WORD arrives on the receive queue within 5 s. */
enum check_status check_virtio_console_input(struct check_ctx *ctx)
{
	static struct vio c;
	const char *why = absent(VIRTIO_ID_CONSOLE, "no virtio-console device");
	char want[INPUT_MAX], got[INPUT_MAX];
	unsigned int len = 0;
	uint64_t tries = 0;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!cmdline_get(boot_info.cmdline, "vcons-input", want, sizeof(want)))
		return check_skip(ctx, "no vcons-input= on the command line: no input expected");
	if (!vcons_open(&c))
		return check_fail(ctx, "virtio-console did not come up: %s", c.d && c.d->error ? c.d->error : "?");
	while (len < sizeof(got) - 1 && !memchr(got, '\n', len) && tries++ < 8) {
		int r = vcons_read(&c, got + len, (uint32_t)(sizeof(got) - 1 - len), INPUT_WAIT_MS);

		if (r == VIO_TIMEOUT)
			break;
		len += (unsigned int)r;
	}
	got[len] = 0;
	while (len && (got[len - 1] == '\n' || got[len - 1] == '\r'))
		got[--len] = 0;
	check_note(ctx, "virtio-console: got \"%s\"", got);
	if (strcmp(got, want))
		return check_fail(ctx, "want \"%s\" within %u ms", want, INPUT_WAIT_MS);
	return CHECK_PASS;
}

/* Two 64-byte reads: each not one repeated byte, and different from each other. */
enum check_status check_virtio_rng(struct check_ctx *ctx)
{
	static struct vio r;
	const char *why = absent(VIRTIO_ID_RNG, "no virtio-rng device");
	uint8_t first[64];
	bool varied = false;
	int got;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!vrng_open(&r))
		return check_fail(ctx, "virtio-rng did not come up: %s", r.d && r.d->error ? r.d->error : "?");
	for (int round = 0; round < 2; round++) {
		memset(r.va + VIO_DATA, 0, sizeof(first));
		if ((got = vrng_read(&r, sizeof(first))) != (int)sizeof(first))
			return check_fail(ctx, "read %d gave %d bytes, want %u", round, got, (unsigned int)sizeof(first));
		for (unsigned int i = 1; i < sizeof(first); i++)
			varied |= r.va[VIO_DATA + i] != r.va[VIO_DATA];
		if (!varied)
			return check_fail(ctx, "64 bytes of one value");
		if (round == 0)
			memcpy(first, r.va + VIO_DATA, sizeof(first));
		else if (!memcmp(first, r.va + VIO_DATA, sizeof(first)))
			return check_fail(ctx, "two reads gave the same 64 bytes");
	}
	return CHECK_PASS;
}

/* ---- hostile mode (virtio-hostile=1): malformed rings; the device must flag NEEDS_RESET and work after a reset */

enum hostile_case {
	H_LOOP,			/* 0 -> 1 -> 0 */
	H_TOO_LONG,		/* every descriptor chained, the last back to the first */
	H_ADDR,			/* a header outside RAM */
	H_LEN_OVERFLOW,		/* addr + len wraps around */
	H_WRITABLE_HDR,		/* the request header device-writable */
	H_READABLE_STATUS,	/* a header alone, no writable status byte */
	H_AVAIL_JUMP,		/* avail->idx moved queue size + 5 ahead */
	H_RNG_READABLE,		/* an entropy buffer device-readable */
	H_RNG_AVAIL_JUMP,
};

static void desc(volatile struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

static enum check_status hostile(struct check_ctx *ctx, enum hostile_case hc)
{
	static struct vio io;
	bool rng = hc >= H_RNG_READABLE;
	uint32_t id = rng ? VIRTIO_ID_RNG : VIRTIO_ID_BLOCK;
	const char *why = absent(id, rng ? "no virtio-rng device" : "no virtio-blk device");
	struct virtio_queue *vq;
	uint64_t pa;
	uint16_t step = 1;
	uint8_t st;
	int r;

	if (why)
		return check_skip(ctx, "%s", why);
	if (!cmdline_flag("virtio-hostile"))
		return check_skip(ctx, "no virtio-hostile=1 on the command line");
	if (!vio_open(&io, id, 0, 0, 1))
		return check_fail(ctx, "the device did not come up: %s", io.d && io.d->error ? io.d->error : "?");
	vq = &io.d->vq[0];
	pa = io.pa;
	*(struct virtio_blk_req_hdr *)(io.va + VIO_HDR) = (struct virtio_blk_req_hdr){ VIRTIO_BLK_T_IN, 0, 0 };
	switch (hc) {
	case H_LOOP:
		desc(&vq->desc[0], pa + VIO_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
		desc(&vq->desc[1], pa + VIO_DATA, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
		break;
	case H_TOO_LONG:
		desc(&vq->desc[0], pa + VIO_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
		for (uint16_t i = 1; i < vq->size; i++)
			desc(&vq->desc[i], pa + VIO_DATA + i, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE,
			     (uint16_t)((i + 1) % vq->size));
		break;
	case H_ADDR:
		desc(&vq->desc[0], HOSTILE_FAR_ADDR, 16, VIRTQ_DESC_F_NEXT, 1);
		desc(&vq->desc[1], pa + VIO_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
		break;
	case H_LEN_OVERFLOW:
		desc(&vq->desc[0], pa + VIO_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
		desc(&vq->desc[1], 0xfffffffffffff000ull, 0x2000, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
		desc(&vq->desc[2], pa + VIO_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
		break;
	case H_WRITABLE_HDR:
		desc(&vq->desc[0], pa + VIO_HDR, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
		desc(&vq->desc[1], pa + VIO_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
		break;
	case H_READABLE_STATUS:
		desc(&vq->desc[0], pa + VIO_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
		desc(&vq->desc[1], pa + VIO_STATUS, 1, 0, 0);
		break;
	case H_AVAIL_JUMP:
	case H_RNG_AVAIL_JUMP:
		if (rng)
			desc(&vq->desc[0], pa + VIO_DATA, 16, VIRTQ_DESC_F_WRITE, 0);
		else {
			desc(&vq->desc[0], pa + VIO_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
			desc(&vq->desc[1], pa + VIO_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
		}
		step = (uint16_t)(vq->size + 5);
		break;
	case H_RNG_READABLE:
		desc(&vq->desc[0], pa + VIO_DATA, 16, 0, 0);
		break;
	}
	virtio_publish_raw(io.d, 0, 0, step);
	st = virtio_wait_status(io.d, VIRTIO_STATUS_NEEDS_RESET, NEEDS_RESET_WAIT_MS);
	check_note(ctx, "%s (%s): status 0x%02x after the bad ring%s", rng ? "virtio-rng" : "virtio-blk",
		   virtio_transport_name(io.d), st, st & VIRTIO_STATUS_NEEDS_RESET ? ", NEEDS_RESET" : "");
	if (!vio_open(&io, id, 0, 0, 1))
		return check_fail(ctx, "no recovery after a reset: %s", io.d->error ? io.d->error : "?");
	if (rng)
		r = vrng_read(&io, 16) == 16 ? 0 : -1;
	else {
		static struct vblk b;

		b.io = io;
		r = vblk_read(&b, 0);
	}
	if (r != 0)
		return check_fail(ctx, "after the reset a good request gave %d", r);
	if (!(st & VIRTIO_STATUS_NEEDS_RESET))
		return check_fail(ctx, "the device did not set DEVICE_NEEDS_RESET (0x40) within %u ms",
				  NEEDS_RESET_WAIT_MS);
	return CHECK_PASS;
}

enum check_status check_virtio_hostile_loop(struct check_ctx *ctx) { return hostile(ctx, H_LOOP); }
enum check_status check_virtio_hostile_too_long(struct check_ctx *ctx) { return hostile(ctx, H_TOO_LONG); }
enum check_status check_virtio_hostile_addr(struct check_ctx *ctx) { return hostile(ctx, H_ADDR); }
enum check_status check_virtio_hostile_len_overflow(struct check_ctx *ctx) { return hostile(ctx, H_LEN_OVERFLOW); }
enum check_status check_virtio_hostile_writable_hdr(struct check_ctx *ctx) { return hostile(ctx, H_WRITABLE_HDR); }
enum check_status check_virtio_hostile_readable_status(struct check_ctx *ctx)
{
	return hostile(ctx, H_READABLE_STATUS);
}
enum check_status check_virtio_hostile_avail_jump(struct check_ctx *ctx) { return hostile(ctx, H_AVAIL_JUMP); }
enum check_status check_virtio_hostile_rng_readable(struct check_ctx *ctx) { return hostile(ctx, H_RNG_READABLE); }
enum check_status check_virtio_hostile_rng_avail_jump(struct check_ctx *ctx)
{
	return hostile(ctx, H_RNG_AVAIL_JUMP);
}
