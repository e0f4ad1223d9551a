/* exit=durability: seed-derived batches of writes, each followed by a flush, until keel is killed. */
#include "guest/kernel/durability.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/mmu.h"
#include "guest/drivers/virtio_devices.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/lib/string.h"
#include "guest/mm/frame.h"

#define DUR_LANES 4u			/* a batch's writes: at most one per quarter of the disk */
#define DUR_MAX_SECTORS 8u		/* a write's sectors: one frame of data */
#define DUR_WAIT_MS 10000u		/* for each completion */
#define DUR_MAGIC 0x315255444c45454bull	/* "KEELDUR1" */
#define DUR_GOLDEN 0x9e3779b97f4a7c15ull
#define DUR_SEQ_MUL 0xc2b2ae3d27d4eb4full
#define DUR_WORDS (VIRTIO_BLK_SECTOR / 8u)

_Static_assert(DUR_LANES < VBLK_BATCH_MAX, "a batch's writes and its flush fit one batch");

struct dur {
	struct vblk blk;
	struct vblk_batch batch;
	uint64_t seed, rng;
	uint64_t lane;			/* sectors per lane */
	uint64_t data[DUR_LANES];	/* physical: one frame of data per write of a batch */
	uint64_t writes;		/* writes made so far */
};

static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t next(struct dur *d)
{
	d->rng += DUR_GOLDEN;
	return mix(d->rng);
}

/* Sector @s as write number @seq leaves it. */
static void pattern(const struct dur *d, uint64_t *w, uint64_t s, uint64_t seq)
{
	uint64_t h = mix(d->seed ^ s * DUR_GOLDEN ^ seq * DUR_SEQ_MUL);

	w[0] = DUR_MAGIC;
	w[1] = d->seed;
	w[2] = s;
	w[3] = seq;
	for (unsigned int i = 4; i < DUR_WORDS; i++)
		w[i] = h ^ (i * DUR_GOLDEN);
}

__attribute__((noreturn)) static void fail(const char *what, uint64_t batch)
{
	kprintf("durability: FAIL batch %lu: %s\n", (unsigned long)batch, what);
	cpu_halt_forever();
}

/* Fill and post batch @n: its writes and a flush behind them, made available at once. Returns how many writes. */
static unsigned int batch_post(struct dur *d, uint64_t n)
{
	unsigned int writes = 1 + (unsigned int)(next(d) % DUR_LANES);

	for (unsigned int j = 0; j < writes; j++) {
		unsigned int len = 1 + (unsigned int)(next(d) % DUR_MAX_SECTORS);
		uint64_t start = j * d->lane + next(d) % (d->lane - len + 1), seq = ++d->writes;
		uint64_t *w = phys_to_virt(d->data[j]);

		for (unsigned int k = 0; k < len; k++)
			pattern(d, w + k * DUR_WORDS, start + k, seq);
		if (vblk_batch_add(&d->blk, &d->batch, VIRTIO_BLK_T_OUT, start, d->data[j],
				   len * VIRTIO_BLK_SECTOR) < 0)
			fail("a write does not fit the queue", n);
	}
	if (vblk_batch_add(&d->blk, &d->batch, VIRTIO_BLK_T_FLUSH, 0, 0, 0) != (int)writes)
		fail("the flush does not fit the queue", n);
	vblk_batch_post(&d->blk, &d->batch);
	return writes;
}

/* Take batch @n's completions (its flush in slot @writes); anything off prints a FAIL line and halts. */
static void batch_wait(struct dur *d, uint64_t n, unsigned int writes)
{
	unsigned int done = 0;

	for (unsigned int i = 0; i <= writes; i++) {
		uint8_t st;
		int slot = vblk_batch_next(&d->blk, &d->batch, DUR_WAIT_MS, &st);

		if (slot < 0)
			fail("a request did not complete in time", n);
		if (st != VIRTIO_BLK_S_OK)
			fail(slot == (int)writes ? "the flush failed" : "a write failed", n);
		if (slot != (int)writes)
			done++;
		else if (done < writes)
			fail("the flush completed before the writes posted ahead of it", n);
	}
}

void durability_run(const char *cmdline)
{
	static struct dur d;
	char v[24] = "1";
	unsigned int writes;

	cmdline_get(cmdline, "durability.seed", v, sizeof(v));
	d.seed = d.rng = strtoul(v, 0, 0);
	if (!vblk_open(&d.blk, 0) || d.blk.readonly)
		fail("no writable virtio-blk disk", 0);
	d.lane = d.blk.capacity / DUR_LANES;
	if (d.lane < DUR_MAX_SECTORS)
		fail("the disk is too small", 0);
	if (!vblk_batch_init(&d.batch))
		fail("out of memory", 0);
	for (unsigned int j = 0; j < DUR_LANES; j++)
		if (!(d.data[j] = frame_alloc()))
			fail("out of memory", 0);
	kprintf("durability: seed %lu, %lu sectors in %u lanes\n", (unsigned long)d.seed,
		(unsigned long)d.blk.capacity, DUR_LANES);
	writes = batch_post(&d, 1);
	for (uint64_t n = 1;; n++) {
		uint64_t through;

		batch_wait(&d, n, writes);
		through = d.writes;
		writes = batch_post(&d, n + 1);	/* in flight before the line: keel dies with I/O under way */
		kprintf("durability: flushed %lu through write %lu\n", (unsigned long)n, (unsigned long)through);
	}
}
