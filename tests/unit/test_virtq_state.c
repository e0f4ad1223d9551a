/* Unit tests of save and restore: a virtqueue with requests in flight, its flags, a disabled queue, hostile states; the device core on virtio-rng. */
#include "tests/unit/suites.h"

#include "devices/virtio/virtio.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/fakeq.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#include <errno.h>
#include <string.h>

#define MAXQ 16u			/* the queues' max_size */
#define QSIZE 8u			/* the size the driver chooses */
#define RING_GPA 0x10000ull
#define DATA_GPA 0x20000ull		/* buffer k at DATA_GPA + k * BUF_LEN */
#define TABLE_GPA 0x30000ull
#define BUF_LEN 0x100u
#define RAM (4ull << 20)

/* A driver-side queue in fake guest RAM and the device's queue on it. */
struct rig {
	struct guest_mem mem;
	struct fakeq fq;
	struct virtq vq;
	struct virtq_chain chain;
};

static void rig_start(struct rig *r, bool event_idx, bool indirect)
{
	memset(r, 0, sizeof(*r));
	ck_assert_int_eq(gmem_init(&r->mem, RAM), 0);
	fakeq_init(&r->fq, &r->mem, RING_GPA, QSIZE);
	virtq_init(&r->vq, MAXQ);
	r->vq.size = QSIZE;
	r->vq.desc_gpa = r->fq.desc_gpa;
	r->vq.avail_gpa = r->fq.avail_gpa;
	r->vq.used_gpa = r->fq.used_gpa;
	ck_assert_int_eq(virtq_enable(&r->vq, &r->mem, event_idx, indirect), 0);
}

/* The driver offers chain @k: descriptor @k alone, BUF_LEN device-writable bytes of its own. */
static uint16_t offer(struct fakeq *fq, uint16_t k)
{
	const struct fakeq_buf b = { DATA_GPA + k * BUF_LEN, BUF_LEN, true };

	fakeq_offer(fq, fakeq_chain(fq, k, &b, 1));
	return k;
}

/* Pop through @vq and expect chain @k of offer(). */
static void expect_pop(struct rig *r, struct virtq *vq, uint16_t k)
{
	ck_assert_int_eq(virtq_pop(vq, &r->chain), 0);
	ck_assert_uint_eq(r->chain.head, k);
	ck_assert_uint_eq(r->chain.nout, 0);
	ck_assert_uint_eq(r->chain.nin, 1);
	ck_assert_ptr_eq(r->chain.iov[0].iov_base, fakeq_hva(&r->fq, DATA_GPA + k * BUF_LEN, BUF_LEN));
}

/* The driver's next used entry is (@id, @len). */
static void expect_used(struct fakeq *fq, uint32_t id, uint32_t len)
{
	uint32_t got_id = ~0u, got_len = ~0u;

	ck_assert_int_eq(fakeq_used(fq, &got_id, &got_len), 1);
	ck_assert_uint_eq(got_id, id);
	ck_assert_uint_eq(got_len, len);
}

static void assert_vq_state_eq(const struct virtq_state *a, const struct virtq_state *b)
{
	ck_assert_uint_eq(a->max_size, b->max_size);
	ck_assert_uint_eq(a->size, b->size);
	ck_assert_uint_eq(a->desc_gpa, b->desc_gpa);
	ck_assert_uint_eq(a->avail_gpa, b->avail_gpa);
	ck_assert_uint_eq(a->used_gpa, b->used_gpa);
	ck_assert_int_eq(a->ready, b->ready);
	ck_assert_int_eq(a->event_idx, b->event_idx);
	ck_assert_int_eq(a->indirect, b->indirect);
	ck_assert_uint_eq(a->last_avail, b->last_avail);
	ck_assert_uint_eq(a->used_idx, b->used_idx);
	ck_assert_uint_eq(a->published, b->published);
}

static void assert_dev_state_eq(const struct virtio_dev_state *a, const struct virtio_dev_state *b)
{
	ck_assert_uint_eq(a->device_id, b->device_id);
	ck_assert_uint_eq(a->nqueues, b->nqueues);
	ck_assert_uint_eq(a->status, b->status);
	ck_assert_uint_eq(a->config_generation, b->config_generation);
	ck_assert_uint_eq(a->host_features, b->host_features);
	ck_assert_uint_eq(a->guest_features, b->guest_features);
	ck_assert_uint_eq(a->faults_logged, b->faults_logged);
	for (unsigned int q = 0; q < VIRTIO_MAX_QUEUES; q++)
		assert_vq_state_eq(&a->vq[q], &b->vq[q]);
}

/* A queue restored from @s into a fresh struct virtq (virtq_init with MAXQ) on @r's RAM. */
static void restore_fresh(struct rig *r, const struct virtq_state *s, struct virtq *fresh)
{
	struct virtq_state back;

	virtq_init(fresh, MAXQ);
	ck_assert_int_eq(virtq_restore(fresh, s, &r->mem), 0);
	ck_assert_int_eq(fresh->fault, VQ_FAULT_NONE);
	virtq_save(fresh, &back);
	assert_vq_state_eq(s, &back);
}

START_TEST(round_trip_with_requests_in_flight)
{
	const uint16_t start = 0xfffd;	/* the indices wrap around 2^16 in the middle */
	struct virtq_state s = { 0 }, want;
	struct virtq fresh;
	struct rig r;

	rig_start(&r, true, true);
	/* Both sides start at index 0xfffd: the device through a restore, the driver by hand. */
	virtq_save(&r.vq, &s);
	s.last_avail = s.used_idx = s.published = start;
	ck_assert_int_eq(virtq_restore(&r.vq, &s, &r.mem), 0);
	fakeq_set_avail_idx(&r.fq, start);
	r.fq.used->idx = start;
	r.fq.used_seen = start;

	/* The driver offers six chains; the device takes four and returns the second one. */
	for (uint16_t k = 0; k < 6; k++)
		offer(&r.fq, k);
	for (uint16_t k = 0; k < 4; k++)
		expect_pop(&r, &r.vq, k);
	virtq_push(&r.vq, 1, 11);
	virtq_publish(&r.vq);		/* (whether to notify is EVENT_IDX's business, tested elsewhere) */
	expect_used(&r.fq, 1, 11);
	/* In flight: chains 0, 2 and 3. Available, not taken: 4 and 5. */
	virtq_save(&r.vq, &s);
	want = (struct virtq_state){
		.max_size = MAXQ,
		.size = QSIZE,
		.desc_gpa = r.fq.desc_gpa,
		.avail_gpa = r.fq.avail_gpa,
		.used_gpa = r.fq.used_gpa,
		.ready = true,
		.event_idx = true,
		.indirect = true,
		.last_avail = (uint16_t)(start + 4),
		.used_idx = (uint16_t)(start + 1),
		.published = (uint16_t)(start + 1),
	};
	assert_vq_state_eq(&s, &want);

	restore_fresh(&r, &s, &fresh);
	ck_assert(fresh.ready);
	ck_assert_ptr_eq(fresh.mem, &r.mem);
	ck_assert_ptr_eq(fresh.desc, r.fq.desc);
	ck_assert_ptr_eq(fresh.avail, r.fq.avail);
	ck_assert_ptr_eq(fresh.used, r.fq.used);
	ck_assert_uint_eq(virtq_pending(&fresh), 2);

	/* The chains in flight complete through the restored queue, in another order. */
	virtq_push(&fresh, 3, 33);
	virtq_push(&fresh, 0, 1);
	virtq_push(&fresh, 2, 22);
	virtq_publish(&fresh);
	expect_used(&r.fq, 3, 33);
	expect_used(&r.fq, 0, 1);
	expect_used(&r.fq, 2, 22);
	ck_assert_int_eq(fakeq_used(&r.fq, NULL, NULL), 0);
	ck_assert_uint_eq(__atomic_load_n(&r.fq.used->idx, __ATOMIC_ACQUIRE), (uint16_t)(start + 4));

	/* The rest of the available chains, each once, then nothing. */
	expect_pop(&r, &fresh, 4);
	expect_pop(&r, &fresh, 5);
	ck_assert_int_eq(virtq_pop(&fresh, &r.chain), -EAGAIN);
	ck_assert_uint_eq(virtq_pending(&fresh), 0);
	virtq_push(&fresh, 5, 5);
	virtq_push(&fresh, 4, 4);
	virtq_publish(&fresh);
	expect_used(&r.fq, 5, 5);
	expect_used(&r.fq, 4, 4);
	ck_assert_int_eq(fakeq_used(&r.fq, NULL, NULL), 0);
	ck_assert_uint_eq(__atomic_load_n(&r.fq.used->idx, __ATOMIC_ACQUIRE), (uint16_t)(start + 6));
	gmem_destroy(&r.mem);
}
END_TEST

/* Returned but unpublished entries survive too, and the restored queue publishes them. */
START_TEST(round_trip_unpublished)
{
	struct virtq_state s;
	struct virtq fresh;
	struct rig r;

	rig_start(&r, false, false);
	offer(&r.fq, 0);
	offer(&r.fq, 1);
	expect_pop(&r, &r.vq, 0);
	expect_pop(&r, &r.vq, 1);
	virtq_push(&r.vq, 1, 7);
	virtq_save(&r.vq, &s);
	ck_assert_uint_eq(s.used_idx, 1);
	ck_assert_uint_eq(s.published, 0);
	restore_fresh(&r, &s, &fresh);
	ck_assert_int_eq(fakeq_used(&r.fq, NULL, NULL), 0);
	ck_assert(virtq_publish(&fresh));
	expect_used(&r.fq, 1, 7);
	ck_assert_int_eq(fakeq_used(&r.fq, NULL, NULL), 0);
	gmem_destroy(&r.mem);
}
END_TEST

START_TEST(flags_survive)
{
	const struct fakeq_buf t[] = { { DATA_GPA, 16, true } };

	for (unsigned int i = 0; i < 4; i++) {
		bool event_idx = i & 1, indirect = i & 2;
		struct virtq_state s;
		struct virtq fresh;
		struct rig r;

		rig_start(&r, event_idx, indirect);
		offer(&r.fq, 0);
		expect_pop(&r, &r.vq, 0);
		virtq_save(&r.vq, &s);
		restore_fresh(&r, &s, &fresh);
		ck_assert_int_eq(fresh.event_idx, event_idx);
		ck_assert_int_eq(fresh.indirect, indirect);
		/* ... and the restored queue acts on them: avail_event or NO_NOTIFY, indirect tables. */
		virtq_kick_disable(&fresh);
		ck_assert_uint_eq(fakeq_used_flags(&r.fq), event_idx ? 0 : VIRTQ_USED_F_NO_NOTIFY);
		ck_assert(!virtq_kick_enable(&fresh));
		if (event_idx)
			ck_assert_uint_eq(fakeq_avail_event(&r.fq), 1);
		fakeq_offer(&r.fq, fakeq_indirect(&r.fq, 1, TABLE_GPA, t, 1));
		if (indirect) {
			ck_assert_int_eq(virtq_pop(&fresh, &r.chain), 0);
			ck_assert_uint_eq(r.chain.nin, 1);
		} else {
			ck_assert_int_eq(virtq_pop(&fresh, &r.chain), -EPROTO);
			ck_assert_int_eq(fresh.fault, VQ_FAULT_INDIRECT);
		}
		gmem_destroy(&r.mem);
	}
}
END_TEST

START_TEST(not_ready_round_trip)
{
	struct virtq src, fresh;
	struct virtq_state s;
	struct rig r;

	rig_start(&r, false, false);
	/* The driver has written a configuration but not enabled the queue. */
	virtq_init(&src, MAXQ);
	src.size = QSIZE;
	src.desc_gpa = r.fq.desc_gpa;
	src.avail_gpa = r.fq.avail_gpa;
	src.used_gpa = r.fq.used_gpa;
	virtq_save(&src, &s);
	ck_assert(!s.ready);
	restore_fresh(&r, &s, &fresh);
	ck_assert(!fresh.ready);
	ck_assert_uint_eq(fresh.size, QSIZE);
	ck_assert_uint_eq(fresh.desc_gpa, r.fq.desc_gpa);
	ck_assert_uint_eq(fresh.avail_gpa, r.fq.avail_gpa);
	ck_assert_uint_eq(fresh.used_gpa, r.fq.used_gpa);
	offer(&r.fq, 0);
	ck_assert_int_eq(virtq_pop(&fresh, &r.chain), -EAGAIN);
	ck_assert_uint_eq(virtq_pending(&fresh), 0);
	/* Enabling it later uses the configuration set back. */
	ck_assert_int_eq(virtq_enable(&fresh, &r.mem, false, false), 0);
	expect_pop(&r, &fresh, 0);
	/* A configuration that is no good is still set back as it is while the queue is disabled. */
	s.size = 3;
	restore_fresh(&r, &s, &fresh);
	ck_assert_int_eq(virtq_enable(&fresh, &r.mem, false, false), -EINVAL);
	gmem_destroy(&r.mem);
}
END_TEST

START_TEST(hostile_states_rejected)
{
	static const char *const names[] = {
		"size 0", "size 3", "size above max_size", "max_size smaller", "max_size larger",
		"desc ring outside RAM", "desc ring wrapping the address space", "avail misaligned",
		"used misaligned", "used ring straddling the end of RAM", "used_idx ahead of last_avail",
		"published ahead of used_idx", "more in flight than the size",
		"more unpublished than the size",
	};
	const unsigned int nbad = sizeof(names) / sizeof(names[0]);
	struct virtq_state good, bad[sizeof(names) / sizeof(names[0])];
	struct rig r;

	rig_start(&r, true, false);
	for (uint16_t k = 0; k < 3; k++)
		offer(&r.fq, k);
	expect_pop(&r, &r.vq, 0);
	expect_pop(&r, &r.vq, 1);
	virtq_push(&r.vq, 0, 1);
	virtq_publish(&r.vq);
	virtq_save(&r.vq, &good);	/* last_avail 2, used_idx 1, published 1 */
	for (unsigned int i = 0; i < nbad; i++)
		bad[i] = good;
	bad[0].size = 0;
	bad[1].size = 3;
	bad[2].size = 2 * MAXQ;
	bad[3].max_size = MAXQ / 2;
	bad[4].max_size = 2 * MAXQ;
	bad[5].desc_gpa = RAM;
	bad[6].desc_gpa = ~0ull & ~15ull;
	bad[7].avail_gpa = good.avail_gpa + 1;
	bad[8].used_gpa = good.used_gpa + 2;
	bad[9].used_gpa = RAM - 4;
	bad[10].used_idx = (uint16_t)(good.last_avail + 1);
	bad[10].published = bad[10].used_idx;
	bad[11].published = (uint16_t)(good.used_idx + 1);
	bad[12].last_avail = (uint16_t)(good.used_idx + QSIZE + 1);
	bad[13].used_idx = bad[13].last_avail = (uint16_t)(good.published + QSIZE + 1);

	for (unsigned int i = 0; i < nbad; i++) {
		struct virtq target;

		/* The target is a working queue: a rejected state must stop it, not half-restore it. */
		virtq_init(&target, MAXQ);
		ck_assert_int_eq(virtq_restore(&target, &good, &r.mem), 0);
		ck_assert(target.ready);
		ck_assert_msg(virtq_restore(&target, &bad[i], &r.mem) == -EINVAL, "%s accepted", names[i]);
		ck_assert_msg(!target.ready, "%s: queue ready", names[i]);
		ck_assert_msg(target.fault == VQ_FAULT_RING, "%s: fault %d", names[i], target.fault);
		ck_assert_ptr_null(target.desc);
		ck_assert_ptr_null(target.avail);
		ck_assert_ptr_null(target.used);
		ck_assert_int_eq(virtq_pop(&target, &r.chain), -EAGAIN);
		ck_assert_uint_eq(virtq_pending(&target), 0);
		ck_assert(!virtq_publish(&target));
	}
	/* The state itself was fine: the same target takes it again. */
	{
		struct virtq target;

		restore_fresh(&r, &good, &target);
		expect_pop(&r, &target, 2);
	}
	gmem_destroy(&r.mem);
}
END_TEST

/* virtio-rng over MMIO in a test VM, driven to DRIVER_OK with one queue of QSIZE. */
struct rngvm {
	struct vm vm;
	struct fakedrv d;
	struct fakeq q;
	struct virtio_dev *dev;
	struct virtq_chain chain;
};

static void rng_start(struct rngvm *t)
{
	const struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO, .rng = true };

	memset(t, 0, sizeof(*t));
	ck_assert_int_eq(testvm_start(&t->vm, &c), 0);
	t->dev = t->vm.virtio->slots[0].dev;
	ck_assert_ptr_nonnull(t->dev);
	ck_assert_int_eq(fakedrv_open_mmio(&t->d, &t->vm, KEEL_VIRTIO_MMIO_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&t->d, ~0ull, NULL), 0);
	fakeq_init(&t->q, t->dev->mem, RING_GPA, QSIZE);
	fakedrv_queue(&t->d, 0, &t->q, 0);
}

static const char *const bad_dev_names[] = {
	"another device type", "another number of queues", "another feature offer", "an unknown status bit",
	"DRIVER_OK without FEATURES_OK", "FEATURES_OK without VERSION_1", "an unknown fault logged",
	"EVENT_IDX negotiated, not in the queue", "a bad queue",
};
#define NBAD_DEV (sizeof(bad_dev_names) / sizeof(bad_dev_names[0]))

/* Make @s bad in way @i of bad_dev_names. */
static void bad_dev_state(struct virtio_dev_state *s, unsigned int i)
{
	if (i == 0)
		s->device_id = VIRTIO_ID_BLOCK;
	else if (i == 1)
		s->nqueues = 2;
	else if (i == 2)
		s->host_features ^= VIRTIO_BIT(VIRTIO_F_EVENT_IDX);
	else if (i == 3)
		s->status |= 0x20;
	else if (i == 4)
		s->status &= (uint8_t)~VIRTIO_STATUS_FEATURES_OK;
	else if (i == 5)
		s->guest_features &= ~VIRTIO_BIT(VIRTIO_F_VERSION_1);
	else if (i == 6)
		s->faults_logged |= 1u << VQ_FAULT_COUNT;
	else if (i == 7)
		s->vq[0].event_idx = false;
	else
		s->vq[0].size = 3;
}

START_TEST(device_round_trip)
{
	struct virtio_dev_state s, back, bad;
	struct rngvm t;
	uint32_t id, len;

	rng_start(&t);
	/*
	 * Chain 0 is offered before DRIVER_OK, whose kick is the only one until the end: once its
	 * used entry shows, the I/O thread has nothing more to do and the queue is the test's.
	 */
	offer(&t.q, 0);
	fakedrv_driver_ok(&t.d);
	ck_assert_int_eq(fakeq_wait_used(&t.q, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, BUF_LEN);
	/* Chain 1 is taken by the device (in flight), chain 2 only offered. */
	offer(&t.q, 1);
	offer(&t.q, 2);
	pthread_mutex_lock(&t.dev->lock);
	ck_assert_int_eq(virtio_pop(t.dev, 0, &t.chain), 0);
	pthread_mutex_unlock(&t.dev->lock);
	ck_assert_uint_eq(t.chain.head, 1);

	ck_assert_int_eq(virtio_dev_save(t.dev, &s), 0);
	ck_assert_uint_eq(s.device_id, VIRTIO_ID_RNG);
	ck_assert_uint_eq(s.nqueues, 1);
	ck_assert_uint_eq(s.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
					    VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(s.guest_features, s.host_features);
	ck_assert(s.guest_features & VIRTIO_BIT(VIRTIO_F_EVENT_IDX));
	ck_assert_uint_eq(s.faults_logged, 0);
	ck_assert(s.vq[0].ready);
	ck_assert(s.vq[0].event_idx);
	ck_assert(s.vq[0].indirect);
	ck_assert_uint_eq(s.vq[0].size, QSIZE);
	ck_assert_uint_eq(s.vq[0].last_avail, 2);
	ck_assert_uint_eq(s.vq[0].used_idx, 1);
	ck_assert_uint_eq(s.vq[0].published, 1);

	/* Bad states are refused and change nothing. */
	for (unsigned int i = 0; i < NBAD_DEV; i++) {
		bad = s;
		bad_dev_state(&bad, i);
		ck_assert_msg(virtio_dev_restore(t.dev, &bad) == -EINVAL, "%s accepted", bad_dev_names[i]);
		ck_assert_int_eq(virtio_dev_save(t.dev, &back), 0);
		assert_dev_state_eq(&s, &back);
		ck_assert(t.dev->vq[0].ready);
	}
	/* A device with requests using guest memory neither saves nor restores. */
	pthread_mutex_lock(&t.dev->lock);
	virtio_request_start(t.dev);
	pthread_mutex_unlock(&t.dev->lock);
	ck_assert_int_eq(virtio_dev_save(t.dev, &back), -EBUSY);
	ck_assert_int_eq(virtio_dev_restore(t.dev, &s), -EBUSY);
	pthread_mutex_lock(&t.dev->lock);
	virtio_request_done(t.dev);
	pthread_mutex_unlock(&t.dev->lock);

	/* The driver resets the device: the session is gone. */
	ck_assert_int_eq(fakedrv_reset(&t.d), 0);
	ck_assert_int_eq(virtio_dev_save(t.dev, &back), 0);
	ck_assert_uint_eq(back.status, 0);
	ck_assert(!back.vq[0].ready);
	ck_assert_uint_eq(back.vq[0].last_avail, 0);

	/* Restored, it is the same device again, field by field. */
	ck_assert_int_eq(virtio_dev_restore(t.dev, &s), 0);
	ck_assert_int_eq(virtio_dev_save(t.dev, &back), 0);
	assert_dev_state_eq(&s, &back);
	ck_assert_uint_eq(fakedrv_status(&t.d), s.status);

	/* The chain in flight completes through the restored device... */
	pthread_mutex_lock(&t.dev->lock);
	virtio_done(t.dev, 0, 1, 9);
	pthread_mutex_unlock(&t.dev->lock);
	expect_used(&t.q, 1, 9);
	/* ... and a kick makes it take chain 2, and only chain 2. */
	fakedrv_kick(&t.d, 0);
	ck_assert_int_eq(fakeq_wait_used(&t.q, &id, &len, 5000), 1);
	ck_assert_uint_eq(id, 2);
	ck_assert_uint_eq(len, BUF_LEN);
	ck_assert_uint_eq(__atomic_load_n(&t.q.used->idx, __ATOMIC_ACQUIRE), 3);
	ck_assert_int_eq(virtio_dev_save(t.dev, &back), 0);
	ck_assert_uint_eq(back.vq[0].last_avail, 3);
	ck_assert_uint_eq(back.vq[0].used_idx, 3);
	ck_assert_uint_eq(back.vq[0].published, 3);
	ck_assert(!(back.status & VIRTIO_STATUS_NEEDS_RESET));
	testvm_stop(&t.vm);
}
END_TEST

static void quiet(void)
{
	log_set_level(LOG_ERROR);
}

Suite *virtq_state_suite(void)
{
	Suite *s = suite_create("virtq_state");
	TCase *q = tcase_create("virtqueue");
	TCase *d = tcase_create("device");

	tcase_add_test(q, round_trip_with_requests_in_flight);
	tcase_add_test(q, round_trip_unpublished);
	tcase_add_test(q, flags_survive);
	tcase_add_test(q, not_ready_round_trip);
	tcase_add_test(q, hostile_states_rejected);
	suite_add_tcase(s, q);
	tcase_add_checked_fixture(d, quiet, NULL);
	tcase_set_timeout(d, 30);
	tcase_add_test(d, device_round_trip);
	suite_add_tcase(s, d);
	return s;
}
