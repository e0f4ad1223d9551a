/* Unit tests of the bus: registration and overlaps, dispatch, access sizes, unaligned and straddling accesses. */
#include "tests/unit/suites.h"

#include "vmm/bus.h"

#include <errno.h>
#include <string.h>

struct probe {
	int calls;
	uint64_t offset;
	uint32_t len;
	bool is_write;
	uint8_t last[8];
};

static int probe_handler(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
			 bool is_write)
{
	struct probe *p = opaque;

	(void)vcpu;
	p->calls++;
	p->offset = offset;
	p->len = len;
	p->is_write = is_write;
	if (is_write)
		memcpy(p->last, data, len);
	else
		for (uint32_t i = 0; i < len; i++)
			data[i] = (uint8_t)(0xa0 + offset + i);
	return 0;
}

static struct bus bus;
static struct probe pa, pb;

static void setup(void)
{
	memset(&pa, 0, sizeof(pa));
	memset(&pb, 0, sizeof(pb));
	ck_assert_int_eq(bus_init(&bus, "test"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x100, 0x10, probe_handler, &pa, "a"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x200, 0x8, probe_handler, &pb, "b"), 0);
}

static void teardown(void)
{
	bus_destroy(&bus);
}

START_TEST(overlap_refused)
{
	ck_assert_int_eq(bus_register(&bus, 0x100, 1, probe_handler, &pa, "x"), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0x10f, 1, probe_handler, &pa, "x"), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0xf0, 0x11, probe_handler, &pa, "x"), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0x0, 0x1000, probe_handler, &pa, "x"), -EEXIST);
	ck_assert_int_eq(bus_register(&bus, 0x1f8, 0x9, probe_handler, &pa, "x"), -EEXIST);
	/* touching ranges are fine */
	ck_assert_int_eq(bus_register(&bus, 0xf0, 0x10, probe_handler, &pa, "x"), 0);
	ck_assert_int_eq(bus_register(&bus, 0x110, 0xf0, probe_handler, &pa, "x"), 0);
	ck_assert_uint_eq(bus.nranges, 4);
}
END_TEST

START_TEST(bad_ranges_refused)
{
	ck_assert_int_eq(bus_register(&bus, 0x300, 0, probe_handler, &pa, "x"), -EINVAL);
	ck_assert_int_eq(bus_register(&bus, 0x300, 4, NULL, &pa, "x"), -EINVAL);
	ck_assert_int_eq(bus_register(&bus, UINT64_MAX - 1, 3, probe_handler, &pa, "x"), -EINVAL);
	ck_assert_int_eq(bus_register(&bus, UINT64_MAX, 1, probe_handler, &pa, "x"), 0);
	uint8_t d[1];
	ck_assert_int_eq(bus_access(&bus, NULL, UINT64_MAX, d, 1, false), 0);
	ck_assert_int_eq(bus_access(&bus, NULL, UINT64_MAX, d, 2, false), -ENOENT);
}
END_TEST

START_TEST(dispatch_to_right_device)
{
	uint8_t d[8] = { 1, 2, 3, 4 };

	ck_assert_int_eq(bus_access(&bus, NULL, 0x204, d, 4, true), 0);
	ck_assert_int_eq(pb.calls, 1);
	ck_assert_int_eq(pa.calls, 0);
	ck_assert_uint_eq(pb.offset, 4);
	ck_assert(pb.is_write);
	ck_assert_mem_eq(pb.last, d, 4);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x10f, d, 1, false), 0);
	ck_assert_int_eq(pa.calls, 1);
	ck_assert_uint_eq(pa.offset, 0xf);
	ck_assert_uint_eq(d[0], 0xa0 + 0xf);
}
END_TEST

START_TEST(sizes)
{
	static const uint32_t ok[] = { 1, 2, 4, 8 };
	static const uint32_t bad[] = { 0, 3, 5, 6, 7, 16 };
	uint8_t d[16];

	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(bus_access(&bus, NULL, 0x100, d, ok[i], false), 0);
		ck_assert_uint_eq(pa.len, ok[i]);
	}
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(bus_access(&bus, NULL, 0x100, d, bad[i], false), -EINVAL);
	ck_assert_int_eq(pa.calls, 4);
}
END_TEST

START_TEST(unaligned_and_straddling)
{
	uint8_t d[8];

	/* unaligned but inside: passed on with its offset */
	ck_assert_int_eq(bus_access(&bus, NULL, 0x103, d, 4, false), 0);
	ck_assert_uint_eq(pa.offset, 3);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x107, d, 8, true), 0);
	ck_assert_uint_eq(pa.offset, 7);
	/* crossing the end of a range, or starting before it: nobody gets it */
	ck_assert_int_eq(bus_access(&bus, NULL, 0x10e, d, 4, false), -ENOENT);
	ck_assert_int_eq(bus_access(&bus, NULL, 0xff, d, 2, false), -ENOENT);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x207, d, 2, false), -ENOENT);
	ck_assert_int_eq(pa.calls, 2);
	ck_assert_int_eq(pb.calls, 0);
}
END_TEST

START_TEST(unmapped_and_unregister)
{
	uint8_t d[4];

	ck_assert_int_eq(bus_access(&bus, NULL, 0x0, d, 1, false), -ENOENT);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x150, d, 1, true), -ENOENT);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x1000, d, 1, true), -ENOENT);
	ck_assert_int_eq(bus_unregister(&bus, 0x101), -ENOENT);
	ck_assert_int_eq(bus_unregister(&bus, 0x100), 0);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x100, d, 1, false), -ENOENT);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x200, d, 1, false), 0);
	ck_assert_int_eq(bus_register(&bus, 0x100, 0x10, probe_handler, &pb, "a2"), 0);
	ck_assert_int_eq(bus_access(&bus, NULL, 0x100, d, 1, false), 0);
	ck_assert_int_eq(pb.calls, 2);
}
END_TEST

START_TEST(many_ranges_sorted)
{
	uint8_t d[1];

	/* register out of order; binary search must still find each one */
	for (uint64_t i = 0; i < 100; i++) {
		uint64_t base = 0x10000 + ((i * 37) % 100) * 0x10;

		ck_assert_int_eq(bus_register(&bus, base, 0x10, probe_handler, &pa, "m"), 0);
	}
	for (size_t i = 1; i < bus.nranges; i++)
		ck_assert(bus.ranges[i - 1].base + bus.ranges[i - 1].len <= bus.ranges[i].base);
	for (uint64_t i = 0; i < 100; i++)
		ck_assert_int_eq(bus_access(&bus, NULL, 0x10000 + i * 0x10 + 5, d, 1, false), 0);
	ck_assert_uint_eq(pa.offset, 5);
}
END_TEST

Suite *bus_suite(void)
{
	Suite *s = suite_create("bus");
	TCase *tc = tcase_create("bus");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, overlap_refused);
	tcase_add_test(tc, bad_ranges_refused);
	tcase_add_test(tc, dispatch_to_right_device);
	tcase_add_test(tc, sizes);
	tcase_add_test(tc, unaligned_and_straddling);
	tcase_add_test(tc, unmapped_and_unregister);
	tcase_add_test(tc, many_ranges_sorted);
	suite_add_tcase(s, tc);
	return s;
}
