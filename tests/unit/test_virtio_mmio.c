/* Unit tests of virtio-mmio register semantics: identification, feature negotiation, status, queue set-up, config space, interrupts, FDT nodes. */
#include "tests/unit/suites.h"

#include "devices/virtio/mmio.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/boot/fdt.h"
#include "vmm/log.h"

#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLK_BASE KEEL_VIRTIO_MMIO_BASE
#define RNG_BASE (KEEL_VIRTIO_MMIO_BASE + KEEL_VIRTIO_MMIO_STRIDE)

static struct vm vm;
static char img[64];

/* A read-only 3 MiB + 512 byte blk device (slot 0) and an rng (slot 1), over MMIO. */
static void setup(void)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO, .rng = true, .ndisks = 1 };

	log_set_level(LOG_OFF);		/* some tests provoke driver errors on purpose */
	ck_assert_int_eq(testvm_image(img, sizeof(img), (3 << 20) + 512, 0), 0);
	c.disks[0] = testvm_disk(img, true, NULL);
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
}

static void teardown(void)
{
	testvm_stop(&vm);
	unlink(img);
}

static uint32_t rd(uint64_t base, uint32_t off)
{
	return (uint32_t)fakedrv_mmio_read(&vm, base + off, 4);
}

static void wr(uint64_t base, uint32_t off, uint32_t v)
{
	fakedrv_mmio_write(&vm, base + off, 4, v);
}

START_TEST(identification)
{
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_MAGIC_VALUE), VIRTIO_MMIO_MAGIC);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_VERSION_REG), 2);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	/* nothing in the next slot */
	ck_assert_uint_eq(rd(RNG_BASE + KEEL_VIRTIO_MMIO_STRIDE, VIRTIO_MMIO_MAGIC_VALUE), 0xffffffffu);
	/* no shared memory regions */
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffffu);
	/* control registers take 32-bit accesses only */
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_MAGIC_VALUE, 2), 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_MAGIC_VALUE + 1, 4), 0);
}
END_TEST

START_TEST(feature_negotiation)
{
	uint32_t lo, hi;

	wr(BLK_BASE, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	lo = rd(BLK_BASE, VIRTIO_MMIO_DEVICE_FEATURES);
	wr(BLK_BASE, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = rd(BLK_BASE, VIRTIO_MMIO_DEVICE_FEATURES);
	ck_assert_uint_eq(hi, 1);					/* VERSION_1 */
	ck_assert(lo & (1u << VIRTIO_F_EVENT_IDX));
	ck_assert(lo & (1u << VIRTIO_F_INDIRECT_DESC));
	ck_assert(lo & (1u << VIRTIO_BLK_F_RO));
	ck_assert(!(lo & (1u << VIRTIO_BLK_F_DISCARD)));		/* not for a read-only disk */
	wr(BLK_BASE, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_DEVICE_FEATURES), 0);

	/* without VERSION_1: refused */
	wr(BLK_BASE, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(BLK_BASE, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(BLK_BASE, VIRTIO_MMIO_DRIVER_FEATURES, lo);
	wr(BLK_BASE, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* a feature the device never offered: refused */
	wr(BLK_BASE, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(BLK_BASE, VIRTIO_MMIO_DRIVER_FEATURES, 1 | 2);
	wr(BLK_BASE, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, 0);
	/* a valid subset: accepted, and frozen once FEATURES_OK is set */
	wr(BLK_BASE, VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(BLK_BASE, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	ck_assert_uint_eq(rd(BLK_BASE, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK, VIRTIO_STATUS_FEATURES_OK);
	wr(BLK_BASE, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	ck_assert(vm.virtio->slots[0].dev->guest_features & VIRTIO_BIT(VIRTIO_F_VERSION_1));
}
END_TEST

START_TEST(status_machine)
{
	struct fakedrv d;

	ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, RNG_BASE), 0);
	ck_assert_uint_eq(fakedrv_status(&d), 0);
	/* the driver cannot set DEVICE_NEEDS_RESET, nor clear bits without a reset */
	fakedrv_set_status(&d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_NEEDS_RESET);
	ck_assert_uint_eq(fakedrv_status(&d), VIRTIO_STATUS_ACKNOWLEDGE);
	fakedrv_set_status(&d, VIRTIO_STATUS_DRIVER);
	ck_assert_uint_eq(fakedrv_status(&d), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	/* DRIVER_OK before FEATURES_OK is a driver error: DEVICE_NEEDS_RESET */
	fakedrv_set_status(&d, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_DRIVER_OK);
	ck_assert_uint_eq(fakedrv_status(&d) & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET),
			  VIRTIO_STATUS_NEEDS_RESET);
	/* a reset clears everything; the proper sequence then works */
	ck_assert_int_eq(fakedrv_reset(&d), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	fakedrv_driver_ok(&d);
	ck_assert_uint_eq(fakedrv_status(&d), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
						 VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	fakedrv_set_status(&d, (uint8_t)(fakedrv_status(&d) | VIRTIO_STATUS_FAILED));
	ck_assert_uint_eq(fakedrv_status(&d) & VIRTIO_STATUS_FAILED, VIRTIO_STATUS_FAILED);
	ck_assert_int_eq(fakedrv_reset(&d), 0);
}
END_TEST

START_TEST(queue_setup)
{
	struct fakedrv d;
	struct fakeq q;

	ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, RNG_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	ck_assert_uint_eq(fakedrv_queue_max(&d, 0), 64);
	ck_assert_uint_eq(fakedrv_queue_max(&d, 1), 0);
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_SEL, 0);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_QUEUE_READY), 0);
	fakeq_init(&q, &vm.plat.mem, 0x100000, 32);
	fakedrv_queue(&d, 0, &q, 0);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_QUEUE_READY), 1);
	/* while ready, its registers are frozen */
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_NUM, 8);
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x5000);
	ck_assert_uint_eq(vm.virtio->slots[1].dev->vq[0].size, 32);
	ck_assert_uint_eq(vm.virtio->slots[1].dev->vq[0].desc_gpa, 0x100000);
	/* the driver stops it (writes 0, reads 0 back), then may change it */
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_READY, 0);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_NUM, 16);
	ck_assert_uint_eq(vm.virtio->slots[1].dev->vq[0].size, 16);
	/* a size that is not a power of 2 is a driver error when the queue is enabled */
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_NUM, 24);
	wr(RNG_BASE, VIRTIO_MMIO_QUEUE_READY, 1);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(fakedrv_status(&d) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	/* reset: queues disabled, sizes back to the maximum */
	ck_assert_int_eq(fakedrv_reset(&d), 0);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_QUEUE_READY), 0);
	ck_assert_uint_eq(vm.virtio->slots[1].dev->vq[0].size, 64);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_CONFIG_GENERATION), 0);
}
END_TEST

START_TEST(config_space)
{
	/* capacity of 3 MiB + 512 bytes: 6145 sectors, whatever the access width */
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG, 8), 6145);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG, 4), 6145);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG + 1, 1), 6145 >> 8);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG + 4, 4), 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SEG_MAX, 4), 254);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_BLK_SIZE, 4), 512);
	/* past the end of the configuration: zeros; writes change nothing */
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG + 0x80, 4), 0);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG + VIRTIO_BLK_CFG_SIZE - 2, 4), 0);
	fakedrv_mmio_write(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG, 4, 1);
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, BLK_BASE + VIRTIO_MMIO_CONFIG, 4), 6145);
	/* the rng has none */
	ck_assert_uint_eq(fakedrv_mmio_read(&vm, RNG_BASE + VIRTIO_MMIO_CONFIG, 4), 0);
}
END_TEST

START_TEST(interrupt_status_and_ack)
{
	struct virtio_mmio *t = vm.virtio->slots[1].mmio;
	const struct fakeq_buf b[] = { { 0x200000, 32, true } };
	struct fakedrv d;
	struct fakeq q;
	uint32_t id, len;

	ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, RNG_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	fakeq_init(&q, &vm.plat.mem, 0x100000, 8);
	fakedrv_queue(&d, 0, &q, 0);
	fakedrv_driver_ok(&d);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	fakeq_offer(&q, fakeq_chain(&q, 0, b, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	ck_assert_uint_eq(len, 32);
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(virtio_mmio_irq_fd(t)), 1);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	wr(RNG_BASE, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* a reset clears it too */
	fakeq_offer(&q, fakeq_chain(&q, 1, b, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, &id, &len, 2000), 1);
	ck_assert_int_eq(fakedrv_reset(&d), 0);
	ck_assert_uint_eq(rd(RNG_BASE, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}
END_TEST

START_TEST(fdt_nodes)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_PCI, .rng = true };
	struct dev_descs devs = { 0 };
	size_t cap = keel_fdt_size_hint(1, 0, DESC_MAX);
	void *fdt = calloc(1, cap);
	struct vm pci_vm;
	char path[64];
	const fdt32_t *p;
	int node, len;

	/* The devices describe where virtio_create put them; the tree shows exactly that. */
	ck_assert_int_eq(virtio_describe(vm.virtio, &devs), 0);
	ck_assert_uint_eq(devs.n, 2);
	ck_assert_int_eq(keel_fdt_build(fdt, cap, &vm.plat.mem, 1, "", &devs), 0);
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/virtio_mmio@%llx",
			 (unsigned long long)(KEEL_VIRTIO_MMIO_BASE + i * KEEL_VIRTIO_MMIO_STRIDE));
		node = fdt_path_offset(fdt, path);
		ck_assert_msg(node >= 0, "%s missing", path);
		ck_assert_int_eq(fdt_node_check_compatible(fdt, node, "virtio,mmio"), 0);
		p = fdt_getprop(fdt, node, "reg", &len);
		ck_assert_int_eq(len, 16);
		ck_assert_uint_eq(fdt32_to_cpu(p[1]), KEEL_VIRTIO_MMIO_BASE + i * KEEL_VIRTIO_MMIO_STRIDE);
		ck_assert_uint_eq(fdt32_to_cpu(p[3]), VIRTIO_MMIO_WINDOW);
		p = fdt_getprop(fdt, node, "interrupts", &len);
		ck_assert_int_eq(len, 4);
		ck_assert_uint_eq(fdt32_to_cpu(p[0]), KEEL_VIRTIO_GSI_BASE + i);
	}
	ck_assert_int_lt(fdt_path_offset(fdt, "/virtio_mmio@d0002000"), 0);
	/* PCI: the host bridge and the function, for ACPI's routing; the tree shows neither. */
	ck_assert_int_eq(testvm_start(&pci_vm, &c), 0);
	devs.n = 0;
	ck_assert_int_eq(virtio_describe(pci_vm.virtio, &devs), 0);
	ck_assert_uint_eq(devs.n, 2);
	ck_assert_int_eq(devs.d[0].space, DESC_PCI_HOST);
	ck_assert_int_eq(devs.d[1].space, DESC_PCI);
	testvm_stop(&pci_vm);
	free(fdt);
}
END_TEST

Suite *virtio_mmio_suite(void)
{
	Suite *s = suite_create("virtio_mmio");
	TCase *t = tcase_create("mmio");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, identification);
	tcase_add_test(t, feature_negotiation);
	tcase_add_test(t, status_machine);
	tcase_add_test(t, queue_setup);
	tcase_add_test(t, config_space);
	tcase_add_test(t, interrupt_status_and_ack);
	tcase_add_test(t, fdt_nodes);
	suite_add_tcase(s, t);
	return s;
}
