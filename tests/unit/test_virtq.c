/* Unit tests of the split virtqueue on a fake in-memory queue: valid chains, every malformed ring, EVENT_IDX, wrap-around, reset. */
#include "tests/unit/suites.h"

#include "devices/virtio/virtqueue.h"
#include "tests/virtio/fakeq.h"

#include <errno.h>
#include <string.h>

#define QSIZE 8u
#define RING_GPA 0x10000ull
#define DATA_GPA 0x20000ull
#define TABLE_GPA 0x30000ull
#define RAM (4ull << 20)

static struct guest_mem mem;
static struct fakeq fq;
static struct virtq vq;
static struct virtq_chain chain;

static void setup_queue(uint16_t size, bool event_idx, bool indirect)
{
	fakeq_init(&fq, &mem, RING_GPA, size);
	virtq_init(&vq, VIRTQ_MAX_SIZE);
	vq.size = size;
	vq.desc_gpa = fq.desc_gpa;
	vq.avail_gpa = fq.avail_gpa;
	vq.used_gpa = fq.used_gpa;
	ck_assert_int_eq(virtq_enable(&vq, &mem, event_idx, indirect), 0);
}

static void setup(void)
{
	ck_assert_int_eq(gmem_init(&mem, RAM), 0);
	setup_queue(QSIZE, false, true);
}

static void teardown(void)
{
	gmem_destroy(&mem);
}

/* Pop and expect fault @f; the entry must stay in the ring. */
static void expect_fault(enum virtq_fault f)
{
	uint16_t before = vq.last_avail;

	ck_assert_int_eq(virtq_pop(&vq, &chain), -EPROTO);
	ck_assert_msg(vq.fault == f, "fault %d (%s), expected %d (%s)", vq.fault, virtq_fault_name(vq.fault), f,
		      virtq_fault_name(f));
	ck_assert_uint_eq(vq.last_avail, before);
}

START_TEST(chain_to_iovecs)
{
	const struct fakeq_buf b[] = {
		{ DATA_GPA, 64, false }, { DATA_GPA + 0x100, 32, false }, { DATA_GPA + 0x200, 16, true },
	};
	uint32_t id, len;

	fakeq_offer(&fq, fakeq_chain(&fq, 3, b, 3));
	ck_assert_uint_eq(virtq_pending(&vq), 1);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(chain.head, 3);
	ck_assert_uint_eq(chain.nout, 2);
	ck_assert_uint_eq(chain.nin, 1);
	ck_assert_uint_eq(chain.out_len, 96);
	ck_assert_uint_eq(chain.in_len, 16);
	ck_assert_ptr_eq(chain.iov[0].iov_base, fakeq_hva(&fq, DATA_GPA, 64));
	ck_assert_ptr_eq(chain.iov[2].iov_base, fakeq_hva(&fq, DATA_GPA + 0x200, 16));
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
	virtq_push(&vq, 3, 16);
	ck_assert_int_eq(fakeq_used(&fq, &id, &len), 0);	/* not visible before publish */
	ck_assert(virtq_publish(&vq));
	ck_assert_int_eq(fakeq_used(&fq, &id, &len), 1);
	ck_assert_uint_eq(id, 3);
	ck_assert_uint_eq(len, 16);
	ck_assert(!virtq_publish(&vq));				/* nothing new */
}
END_TEST

START_TEST(zero_length_buffers_skipped)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 0, false }, { DATA_GPA, 8, false }, { 0xdeadbeef000ull, 0, true } };

	fakeq_offer(&fq, fakeq_chain(&fq, 0, b, 3));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(chain.nout, 1);
	ck_assert_uint_eq(chain.nin, 0);
}
END_TEST

START_TEST(indirect_table)
{
	const struct fakeq_buf t[] = { { DATA_GPA, 16, false }, { DATA_GPA + 16, 512, true }, { DATA_GPA + 528, 1, true } };
	const struct fakeq_buf d[] = { { DATA_GPA + 0x1000, 4, false } };

	fakeq_offer(&fq, fakeq_indirect(&fq, 5, TABLE_GPA, t, 3));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(chain.head, 5);
	ck_assert_uint_eq(chain.nout, 1);
	ck_assert_uint_eq(chain.nin, 2);
	ck_assert_uint_eq(chain.in_len, 513);
	/* Direct descriptors, then one naming an indirect table, is valid too. */
	fakeq_chain(&fq, 0, d, 1);
	fq.desc[0].flags |= VIRTQ_DESC_F_NEXT;
	fq.desc[0].next = 1;
	fakeq_indirect(&fq, 1, TABLE_GPA, t, 3);
	fakeq_offer(&fq, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(chain.nout, 2);
	ck_assert_uint_eq(chain.nin, 2);
	ck_assert_uint_eq(chain.out_len, 20);
}
END_TEST

START_TEST(indirect_faults)
{
	const struct fakeq_buf t[] = { { DATA_GPA, 16, false } };

	/* not negotiated */
	setup_queue(QSIZE, false, false);
	fakeq_offer(&fq, fakeq_indirect(&fq, 0, TABLE_GPA, t, 1));
	expect_fault(VQ_FAULT_INDIRECT);
	/* INDIRECT together with NEXT */
	setup_queue(QSIZE, false, true);
	fakeq_indirect(&fq, 0, TABLE_GPA, t, 1);
	fq.desc[0].flags |= VIRTQ_DESC_F_NEXT;
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_INDIRECT);
	/* a length that is not a whole number of descriptors, and zero */
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 0, TABLE_GPA, 20, VIRTQ_DESC_F_INDIRECT, 0);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_INDIRECT);
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 0, TABLE_GPA, 0, VIRTQ_DESC_F_INDIRECT, 0);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_INDIRECT);
	/* nested: an indirect descriptor inside the table */
	setup_queue(QSIZE, false, true);
	fakeq_indirect(&fq, 0, TABLE_GPA, t, 1);
	((struct vring_desc *)fakeq_hva(&fq, TABLE_GPA, 16))->flags = VIRTQ_DESC_F_INDIRECT;
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_INDIRECT);
	/* the table itself outside RAM */
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 0, RAM - 16, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_ADDR);
}
END_TEST

START_TEST(descriptor_loop)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 8, false }, { DATA_GPA, 8, false }, { DATA_GPA, 8, false } };

	fakeq_chain(&fq, 0, b, 3);
	fq.desc[2].flags |= VIRTQ_DESC_F_NEXT;
	fq.desc[2].next = 1;		/* 0 -> 1 -> 2 -> 1 */
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_LOOP);
	ck_assert_uint_eq(vq.fault_desc, 1);
	/* a descriptor naming itself */
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 4, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 4);
	fakeq_offer(&fq, 4);
	expect_fault(VQ_FAULT_LOOP);
	/* a loop inside an indirect table */
	setup_queue(QSIZE, false, true);
	fakeq_indirect(&fq, 0, TABLE_GPA, b, 3);
	((struct vring_desc *)fakeq_hva(&fq, TABLE_GPA, 48))[2].flags |= VIRTQ_DESC_F_NEXT;
	((struct vring_desc *)fakeq_hva(&fq, TABLE_GPA, 48))[2].next = 0;
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_LOOP);
}
END_TEST

START_TEST(chain_longer_than_queue)
{
	struct fakeq_buf t[QSIZE + 1];

	for (unsigned int i = 0; i < QSIZE + 1; i++)
		t[i] = (struct fakeq_buf){ DATA_GPA + 64 * i, 64, false };
	/* an indirect table with more entries than the queue */
	fakeq_offer(&fq, fakeq_indirect(&fq, 0, TABLE_GPA, t, QSIZE + 1));
	expect_fault(VQ_FAULT_TOO_LONG);
	/* a table of exactly the queue size after a direct descriptor: one too many */
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, 1);
	fakeq_indirect(&fq, 1, TABLE_GPA, t, QSIZE);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_TOO_LONG);
	/* exactly the queue size is fine */
	setup_queue(QSIZE, false, true);
	fakeq_offer(&fq, fakeq_indirect(&fq, 0, TABLE_GPA, t, QSIZE));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(chain.nout, QSIZE);
}
END_TEST

START_TEST(indices_out_of_range)
{
	fakeq_set_desc(&fq, 0, DATA_GPA, 8, VIRTQ_DESC_F_NEXT, QSIZE);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_NEXT_RANGE);
	setup_queue(QSIZE, false, true);
	fakeq_offer(&fq, QSIZE);
	expect_fault(VQ_FAULT_HEAD_RANGE);
	setup_queue(QSIZE, false, true);
	fakeq_offer(&fq, 0xffff);
	expect_fault(VQ_FAULT_HEAD_RANGE);
}
END_TEST

START_TEST(addresses_outside_ram)
{
	static const uint64_t bad[] = {
		0xd0000000ull,		/* the device hole */
		RAM,			/* just past the end */
		RAM - 4,		/* straddles the end */
		0x100000000ull,		/* where RAM above 4 GiB would be */
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup_queue(QSIZE, false, true);
		fakeq_set_desc(&fq, 0, bad[i], 8, 0, 0);
		fakeq_offer(&fq, 0);
		expect_fault(VQ_FAULT_ADDR);
		ck_assert_uint_eq(vq.fault_addr, bad[i]);
	}
}
END_TEST

START_TEST(lengths_that_overflow)
{
	fakeq_set_desc(&fq, 0, 0xfffffffffffff000ull, 0x2000, 0, 0);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_LEN_OVERFLOW);
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 0, UINT64_MAX, 2, VIRTQ_DESC_F_WRITE, 0);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_LEN_OVERFLOW);
}
END_TEST

START_TEST(chain_of_4gib_or_more)
{
	struct guest_mem big;

	/* 3 GiB of sparse RAM: nothing is touched but the rings. */
	ck_assert_int_eq(gmem_init(&big, 3ull << 30), 0);
	fakeq_init(&fq, &big, RING_GPA, QSIZE);
	virtq_init(&vq, QSIZE);
	vq.desc_gpa = fq.desc_gpa;
	vq.avail_gpa = fq.avail_gpa;
	vq.used_gpa = fq.used_gpa;
	ck_assert_int_eq(virtq_enable(&vq, &big, false, false), 0);
	fakeq_set_desc(&fq, 0, 0x100000, 0x80000000u, VIRTQ_DESC_F_NEXT, 1);
	fakeq_set_desc(&fq, 1, 0x100000, 0x80000000u, 0, 0);
	fakeq_offer(&fq, 0);
	expect_fault(VQ_FAULT_LEN_OVERFLOW);
	gmem_destroy(&big);
}
END_TEST

START_TEST(readable_after_writable)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 8, true }, { DATA_GPA + 8, 8, false } };

	fakeq_offer(&fq, fakeq_chain(&fq, 0, b, 2));
	expect_fault(VQ_FAULT_ORDER);
}
END_TEST

START_TEST(avail_index_jumps_ahead)
{
	fakeq_set_avail_idx(&fq, QSIZE + 1);
	expect_fault(VQ_FAULT_AVAIL_JUMP);
	/* exactly a full ring is fine */
	setup_queue(QSIZE, false, true);
	fakeq_set_desc(&fq, 0, DATA_GPA, 8, 0, 0);
	fakeq_set_avail_idx(&fq, QSIZE);
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	/* and backwards (the index decremented by 1) is a jump of 65535 */
	setup_queue(QSIZE, false, true);
	fakeq_set_avail_idx(&fq, 0xffff);
	expect_fault(VQ_FAULT_AVAIL_JUMP);
}
END_TEST

/*
 * A driver that offers heads again before they came back: once the queue size of chains is out
 * (in flight, or pushed and not published), the next pop is refused and takes nothing; after the
 * device publishes, the ring has room again.
 */
START_TEST(heads_offered_again)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 8, true } };
	uint32_t id, len;

	for (uint16_t h = 0; h < QSIZE; h++)
		fakeq_offer(&fq, fakeq_chain(&fq, h, b, 1));
	for (uint16_t h = 0; h < QSIZE; h++)
		ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	fakeq_offer(&fq, 0);		/* head 0 is still in flight */
	expect_fault(VQ_FAULT_OUTSTANDING);
	/* completed but not yet published: still out */
	for (uint16_t h = 0; h < QSIZE; h++)
		virtq_push(&vq, h, 8);
	expect_fault(VQ_FAULT_OUTSTANDING);
	/* published: the driver has them back, and the offer that waited is a legitimate one now */
	ck_assert(virtq_publish(&vq));
	for (uint16_t h = 0; h < QSIZE; h++) {
		ck_assert_int_eq(fakeq_used(&fq, &id, &len), 1);
		ck_assert_uint_eq(id, h);
	}
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert_uint_eq(chain.head, 0);
	/* one short of the size out is fine */
	virtq_push(&vq, 0, 8);
	ck_assert(virtq_publish(&vq));
	for (uint16_t h = 1; h < QSIZE; h++)
		fakeq_offer(&fq, h);
	for (uint16_t h = 1; h < QSIZE; h++) {
		ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
		ck_assert_uint_eq(chain.head, h);
	}
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
}
END_TEST

START_TEST(ring_setup_checked)
{
	static const struct {
		uint16_t size;
		uint64_t desc, avail, used;
	} bad[] = {
		{ 0, RING_GPA, RING_GPA + 0x1000, RING_GPA + 0x2000 },		/* size 0 */
		{ 6, RING_GPA, RING_GPA + 0x1000, RING_GPA + 0x2000 },		/* not a power of 2 */
		{ 512, RING_GPA, RING_GPA + 0x2000, RING_GPA + 0x4000 },	/* above the maximum */
		{ 8, RING_GPA + 8, RING_GPA + 0x1000, RING_GPA + 0x2000 },	/* descriptors misaligned */
		{ 8, RING_GPA, RING_GPA + 0x1001, RING_GPA + 0x2000 },		/* available ring misaligned */
		{ 8, RING_GPA, RING_GPA + 0x1000, RING_GPA + 0x2002 },		/* used ring misaligned */
		{ 8, RAM - 64, RING_GPA + 0x1000, RING_GPA + 0x2000 },		/* descriptors past the end */
		{ 8, RING_GPA, 0xfec00000ull, RING_GPA + 0x2000 },		/* available ring in the hole */
		{ 8, RING_GPA, RING_GPA + 0x1000, UINT64_MAX - 3 },		/* used ring wraps */
	};

	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		virtq_init(&vq, VIRTQ_MAX_SIZE);
		vq.size = bad[i].size;
		vq.desc_gpa = bad[i].desc;
		vq.avail_gpa = bad[i].avail;
		vq.used_gpa = bad[i].used;
		ck_assert_msg(virtq_enable(&vq, &mem, false, false) == -EINVAL, "case %u accepted", i);
		ck_assert_int_eq(vq.fault, VQ_FAULT_RING);
		ck_assert(!vq.ready);
		ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
	}
}
END_TEST

START_TEST(used_event_suppresses_notifications)
{
	setup_queue(QSIZE, true, true);
	fakeq_set_used_event(&fq, 0);
	virtq_push(&vq, 0, 0);
	ck_assert(virtq_publish(&vq));		/* used idx 0 -> 1 crosses used_event 0 */
	virtq_push(&vq, 1, 0);
	ck_assert(!virtq_publish(&vq));		/* 1 -> 2: the driver did not ask */
	fakeq_set_used_event(&fq, 4);
	virtq_push(&vq, 2, 0);
	ck_assert(!virtq_publish(&vq));		/* 2 -> 3 */
	for (int i = 0; i < 3; i++)
		virtq_push(&vq, 3, 0);
	ck_assert(virtq_publish(&vq));		/* 3 -> 6 passes entry 4 */
	/* the flag is ignored with EVENT_IDX */
	fakeq_set_avail_flags(&fq, VIRTQ_AVAIL_F_NO_INTERRUPT);
	fakeq_set_used_event(&fq, 6);
	virtq_push(&vq, 4, 0);
	ck_assert(virtq_publish(&vq));
}
END_TEST

START_TEST(no_interrupt_flag)
{
	virtq_push(&vq, 0, 0);
	ck_assert(virtq_publish(&vq));
	fakeq_set_avail_flags(&fq, VIRTQ_AVAIL_F_NO_INTERRUPT);
	virtq_push(&vq, 1, 0);
	ck_assert(!virtq_publish(&vq));
}
END_TEST

START_TEST(kick_suppression)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 8, false } };

	/* without EVENT_IDX: the NO_NOTIFY flag */
	virtq_kick_disable(&vq);
	ck_assert_uint_eq(fakeq_used_flags(&fq), VIRTQ_USED_F_NO_NOTIFY);
	ck_assert(!virtq_kick_enable(&vq));
	ck_assert_uint_eq(fakeq_used_flags(&fq), 0);
	/* with EVENT_IDX: avail_event names the next entry; work that arrived is reported */
	setup_queue(QSIZE, true, true);
	fakeq_offer(&fq, fakeq_chain(&fq, 0, b, 1));
	ck_assert(virtq_kick_enable(&vq));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	ck_assert(!virtq_kick_enable(&vq));
	ck_assert_uint_eq(fakeq_avail_event(&fq), 1);
}
END_TEST

START_TEST(indices_wrap_around)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 8, false }, { DATA_GPA + 8, 8, true } };
	uint32_t id, len;

	setup_queue(4, true, true);
	for (unsigned int i = 0; i < 70000; i++) {
		uint16_t head = (uint16_t)((i * 2) % 4);

		fakeq_chain(&fq, head, b, 2);
		fakeq_set_used_event(&fq, (uint16_t)i);
		fakeq_offer(&fq, head);
		ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
		ck_assert_uint_eq(chain.head, head);
		virtq_push(&vq, head, 8);
		ck_assert(virtq_publish(&vq));
		ck_assert_int_eq(fakeq_used(&fq, &id, &len), 1);
		ck_assert_uint_eq(id, head);
	}
	ck_assert_uint_eq(vq.last_avail, (uint16_t)70000);
	ck_assert_uint_eq(vq.used_idx, (uint16_t)70000);
}
END_TEST

START_TEST(reset_forgets_everything)
{
	const struct fakeq_buf b[] = { { DATA_GPA, 8, false } };

	fakeq_offer(&fq, fakeq_chain(&fq, 0, b, 1));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
	virtq_reset(&vq);
	ck_assert(!vq.ready);
	ck_assert_uint_eq(vq.size, VIRTQ_MAX_SIZE);
	ck_assert_uint_eq(vq.desc_gpa, 0);
	ck_assert_uint_eq(vq.last_avail, 0);
	ck_assert_int_eq(virtq_pop(&vq, &chain), -EAGAIN);
	ck_assert_uint_eq(virtq_pending(&vq), 0);
	/* enabled again on fresh rings, it starts from index 0 */
	setup_queue(QSIZE, false, true);
	fakeq_offer(&fq, fakeq_chain(&fq, 0, b, 1));
	ck_assert_int_eq(virtq_pop(&vq, &chain), 0);
}
END_TEST

Suite *virtq_suite(void)
{
	Suite *s = suite_create("virtq");
	TCase *t = tcase_create("split ring");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, chain_to_iovecs);
	tcase_add_test(t, zero_length_buffers_skipped);
	tcase_add_test(t, indirect_table);
	tcase_add_test(t, indirect_faults);
	tcase_add_test(t, descriptor_loop);
	tcase_add_test(t, chain_longer_than_queue);
	tcase_add_test(t, indices_out_of_range);
	tcase_add_test(t, addresses_outside_ram);
	tcase_add_test(t, lengths_that_overflow);
	tcase_add_test(t, chain_of_4gib_or_more);
	tcase_add_test(t, readable_after_writable);
	tcase_add_test(t, avail_index_jumps_ahead);
	tcase_add_test(t, heads_offered_again);
	tcase_add_test(t, ring_setup_checked);
	tcase_add_test(t, used_event_suppresses_notifications);
	tcase_add_test(t, no_interrupt_flag);
	tcase_add_test(t, kick_suppression);
	tcase_add_test(t, indices_wrap_around);
	tcase_add_test(t, reset_forgets_everything);
	suite_add_tcase(s, t);
	return s;
}
