/* Unit tests of the resource allocator: IOAPIC inputs shared beyond eight devices, PCI slots then functions, virtio-mmio windows. */
#include "tests/unit/suites.h"

#include <errno.h>

#include "firmware/machine.h"
#include "vmm/resources.h"

/* 32 devices ask: the first 8 get inputs 16-23 of their own, then they are shared in the same order. */
START_TEST(gsis_shared_round_robin)
{
	struct resources r;
	unsigned int gsi[32];

	res_init(&r);
	for (unsigned int i = 0; i < 32; i++) {
		gsi[i] = 0;
		ck_assert_int_eq(res_alloc_gsi(&r, &gsi[i]), 0);
		ck_assert_uint_ge(gsi[i], KEEL_VIRTIO_GSI_BASE);
		ck_assert_uint_lt(gsi[i], KEEL_MSI_GSI_BASE);
	}
	for (unsigned int i = 0; i < KEEL_VIRTIO_GSI_COUNT; i++) {
		ck_assert_uint_eq(gsi[i], KEEL_VIRTIO_GSI_BASE + i);
		for (unsigned int j = 0; j < i; j++)
			ck_assert_uint_ne(gsi[i], gsi[j]);
	}
	for (unsigned int i = KEEL_VIRTIO_GSI_COUNT; i < 32; i++)
		ck_assert_uint_eq(gsi[i], gsi[i - KEEL_VIRTIO_GSI_COUNT]);
	ck_assert_uint_eq(gsi[8], 16);
	ck_assert_uint_eq(gsi[31], 23);
}
END_TEST

/* Function 0 of slots 1-31 first, then functions 1-7 of slot 1, of slot 2, ... on their slot's input; 31 * 8 in all. */
START_TEST(pci_slots_then_functions)
{
	struct resources r;
	unsigned int slot, fn, gsi, slot_gsi[KEEL_PCI_SLOTS], n = 0;

	res_init(&r);
	for (unsigned int s = 1; s < KEEL_PCI_SLOTS; s++, n++) {
		ck_assert_int_eq(res_alloc_pci_fn(&r, &slot, &fn, &gsi), 0);
		ck_assert_uint_eq(slot, s);
		ck_assert_uint_eq(fn, 0);
		ck_assert_uint_eq(gsi, KEEL_VIRTIO_GSI_BASE + (s - 1) % KEEL_VIRTIO_GSI_COUNT);
		slot_gsi[s] = gsi;
	}
	/* Every other function shares its slot's INTA# input: that is what the _PRT says. */
	for (unsigned int s = 1; s < KEEL_PCI_SLOTS; s++)
		for (unsigned int f = 1; f < KEEL_PCI_FUNCS; f++, n++) {
			ck_assert_int_eq(res_alloc_pci_fn(&r, &slot, &fn, &gsi), 0);
			ck_assert_uint_eq(slot, s);
			ck_assert_uint_eq(fn, f);
			ck_assert_uint_eq(gsi, slot_gsi[s]);
		}
	ck_assert_uint_eq(n, 31 * 8);
	ck_assert_int_eq(res_alloc_pci_fn(&r, &slot, &fn, &gsi), -ENOSPC);
}
END_TEST

/* 32 windows, one page apart from KEEL_VIRTIO_MMIO_BASE, above the PCI window and below the IOAPIC. */
START_TEST(mmio_windows)
{
	struct resources r;
	uint64_t base;

	res_init(&r);
	for (unsigned int i = 0; i < KEEL_VIRTIO_MMIO_SLOTS; i++) {
		ck_assert_int_eq(res_alloc_mmio_window(&r, &base), 0);
		ck_assert_uint_eq(base, KEEL_VIRTIO_MMIO_BASE + i * KEEL_VIRTIO_MMIO_STRIDE);
		ck_assert_uint_ge(base, KEEL_PCI_MMIO_BASE + KEEL_PCI_MMIO_SIZE);
		ck_assert_uint_le(base + KEEL_VIRTIO_MMIO_STRIDE, KEEL_IOAPIC_GPA);
	}
	ck_assert_uint_eq(KEEL_VIRTIO_MMIO_SLOTS, 32);
	ck_assert_int_eq(res_alloc_mmio_window(&r, &base), -ENOSPC);
}
END_TEST

Suite *resources_suite(void)
{
	Suite *s = suite_create("resources");
	TCase *t = tcase_create("alloc");

	tcase_add_test(t, gsis_shared_round_robin);
	tcase_add_test(t, pci_slots_then_functions);
	tcase_add_test(t, mmio_windows);
	suite_add_tcase(s, t);
	return s;
}
