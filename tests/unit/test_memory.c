/* Unit tests of guest RAM layout and the checked guest-physical translation at every boundary. */
#include "tests/unit/suites.h"

#include "firmware/machine.h"
#include "vmm/memory.h"

#include <errno.h>

START_TEST(sizes_refused)
{
	struct guest_mem m;

	ck_assert_int_eq(gmem_init(&m, 0), -EINVAL);
	ck_assert_int_eq(gmem_init(&m, GMEM_MIN_SIZE - 4096), -EINVAL);
	ck_assert_int_eq(gmem_init(&m, GMEM_MIN_SIZE + 1), -EINVAL);
	ck_assert_int_eq(gmem_init(&m, GMEM_MAX_SIZE + 4096), -EINVAL);
	gmem_destroy(&m);
}
END_TEST

START_TEST(low_only)
{
	struct guest_mem m;
	void *p;
	const uint64_t size = 64ull << 20;

	ck_assert_int_eq(gmem_init(&m, size), 0);
	ck_assert_uint_eq(m.nregions, 1);
	ck_assert_int_eq(gmem_translate(&m, 0, 1, &p), 0);
	ck_assert_ptr_eq(p, m.base);
	ck_assert_int_eq(gmem_translate(&m, 0, size, &p), 0);
	ck_assert_int_eq(gmem_translate(&m, size - 1, 1, &p), 0);
	ck_assert_ptr_eq(p, m.base + size - 1);
	ck_assert_int_eq(gmem_translate(&m, size - 8, 8, &p), 0);
	/* one past the end, straddling the end, zero length, wrapping */
	ck_assert_int_eq(gmem_translate(&m, size, 1, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, size - 4, 8, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, 0, size + 1, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, 0, 0, &p), -EINVAL);
	ck_assert_int_eq(gmem_translate(&m, UINT64_MAX, 1, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, UINT64_MAX - 4, 16, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, 16, UINT64_MAX, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, 1, UINT64_MAX, &p), -EFAULT);
	gmem_destroy(&m);
}
END_TEST

START_TEST(split_around_hole)
{
	struct guest_mem m;
	void *p;
	const uint64_t size = 5ull << 30;	/* 3 GiB low + 2 GiB above 4 GiB */
	const uint64_t high_end = KEEL_RAM_ABOVE_4G + (2ull << 30);

	ck_assert_int_eq(gmem_init(&m, size), 0);
	ck_assert_uint_eq(m.nregions, 2);
	ck_assert_uint_eq(m.regions[0].size, KEEL_LOW_RAM_MAX);
	ck_assert_int_eq(gmem_translate(&m, KEEL_LOW_RAM_MAX - 1, 1, &p), 0);
	ck_assert_int_eq(gmem_translate(&m, KEEL_LOW_RAM_MAX, 1, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, KEEL_LOW_RAM_MAX - 2, 4, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, KEEL_LAPIC_GPA, 4, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, KEEL_RAM_ABOVE_4G - 1, 2, &p), -EFAULT);
	ck_assert_int_eq(gmem_translate(&m, KEEL_RAM_ABOVE_4G, 1, &p), 0);
	ck_assert_ptr_eq(p, m.base + KEEL_LOW_RAM_MAX);
	ck_assert_int_eq(gmem_translate(&m, high_end - 1, 1, &p), 0);
	ck_assert_ptr_eq(p, m.base + size - 1);
	ck_assert_int_eq(gmem_translate(&m, high_end, 1, &p), -EFAULT);
	/* a range spanning both regions is refused even though both ends are RAM */
	ck_assert_int_eq(gmem_translate(&m, 0, high_end, &p), -EFAULT);
	gmem_destroy(&m);
}
END_TEST

START_TEST(read_write)
{
	struct guest_mem m;
	uint32_t v = 0xdeadbeef, r = 0;

	ck_assert_int_eq(gmem_init(&m, 4ull << 20), 0);
	ck_assert_int_eq(gmem_write(&m, 0x1000, &v, sizeof(v)), 0);
	ck_assert_int_eq(gmem_read(&m, 0x1000, &r, sizeof(r)), 0);
	ck_assert_uint_eq(r, v);
	ck_assert_int_eq(gmem_write(&m, (4ull << 20) - 2, &v, sizeof(v)), -EFAULT);
	ck_assert_int_eq(gmem_read(&m, (4ull << 20) - 2, &r, sizeof(r)), -EFAULT);
	gmem_destroy(&m);
	gmem_destroy(&m);	/* twice is harmless */
}
END_TEST

Suite *memory_suite(void)
{
	Suite *s = suite_create("memory");
	TCase *tc = tcase_create("gpa");

	tcase_add_test(tc, sizes_refused);
	tcase_add_test(tc, low_only);
	tcase_add_test(tc, split_around_hole);
	tcase_add_test(tc, read_write);
	suite_add_tcase(s, tc);
	return s;
}
