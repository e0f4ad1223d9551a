/* A hostile driver against the real devices: every malformed ring sets DEVICE_NEEDS_RESET, is logged once, and the rest goes on. */
#include "tests/unit/suites.h"

#include "devices/virtio/mmio.h"
#include "devices/virtio/pci.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RING_GPA 0x100000ull
#define REQ_GPA 0x400000ull
#define TABLE_GPA 0x600000ull
#define QS 16u
#define BLK 0u			/* device indices */
#define CON 1u
#define RNG 2u

static struct vm vm;
static char img[64], out[64];
static struct fakedrv d[3];
static struct fakeq q[3], tx;

static bool pci(void)
{
	return vm.virtio->any_pci;
}

static void open_dev(unsigned int i)
{
	if (pci())
		ck_assert_int_eq(fakedrv_open_pci(&d[i], &vm, i + 1), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&d[i], &vm, KEEL_VIRTIO_MMIO_BASE + i * KEEL_VIRTIO_MMIO_STRIDE), 0);
	ck_assert_int_eq(fakedrv_init(&d[i], ~0ull, NULL), 0);
	if (d[i].pci) {
		fakedrv_msix_enable(&d[i]);
		fakedrv_msix_vector(&d[i], 0, 0xfee00000, 0x50, false);
		fakedrv_msix_vector(&d[i], 1, 0xfee00000, 0x51, false);
		fakedrv_mmio_write(&vm, d[i].bar0 + VIRTIO_PCI_COMMON_MSIX, 2, 0);
	}
	fakeq_init(&q[i], &vm.plat.mem, RING_GPA + i * 0x10000ull, QS);
	fakedrv_queue(&d[i], 0, &q[i], 1);
	if (i == CON) {
		fakeq_init(&tx, &vm.plat.mem, RING_GPA + 0x8000, QS);
		fakedrv_queue(&d[i], 1, &tx, 1);
	}
	fakedrv_driver_ok(&d[i]);
}

/* blk, a console writing to a file, rng. */
static void start(bool use_pci)
{
	struct virtio_config c = { .transport = use_pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO, .rng = true,
				   .ndisks = 1 };
	char spec[80];

	ck_assert_int_eq(testvm_image(img, sizeof(img), 1 << 20, 0), 0);
	snprintf(out, sizeof(out), "/tmp/keel-test-hostile.%d", getpid());
	snprintf(spec, sizeof(spec), "file:%s", out);
	c.disks[0] = testvm_disk(img, false, NULL);
	c.console = (struct virtio_console_opts){ .kind = VIRTIO_CONSOLE_FILE, .spec = strdup(spec), .path = strdup(out) };
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	for (unsigned int i = 0; i < 3; i++)
		open_dev(i);
}

static void teardown(void)
{
	testvm_stop(&vm);
	unlink(img);
	unlink(out);
}

/* The config-change notification that must follow DEVICE_NEEDS_RESET. */
static int config_irq_fd(unsigned int i)
{
	if (pci())
		return virtio_pci_vector_fd(vm.virtio->slots[i].pci, 0);
	return virtio_mmio_irq_fd(vm.virtio->slots[i].mmio);
}

/* Device @i must reach DEVICE_NEEDS_RESET (within 2 s) and say so with a configuration interrupt. */
static void expect_needs_reset(unsigned int i)
{
	for (int t = 0; t < 2000 && !(fakedrv_status(&d[i]) & VIRTIO_STATUS_NEEDS_RESET); t++)
		usleep(1000);
	ck_assert_msg(fakedrv_status(&d[i]) & VIRTIO_STATUS_NEEDS_RESET, "device %u: no DEVICE_NEEDS_RESET", i);
	usleep(20000);
	ck_assert_uint_ge(fakedrv_irqs(config_irq_fd(i)), 1);
	if (!pci())
		ck_assert_uint_eq(fakedrv_isr(&d[i]) & VIRTIO_MMIO_INT_CONFIG, VIRTIO_MMIO_INT_CONFIG);
}

/* The rng still serves: the fault stayed in its device. */
static void rng_still_works(void)
{
	uint32_t len;

	fakeq_offer(&q[RNG], fakeq_chain(&q[RNG], (uint16_t)(q[RNG].avail_idx % QS), &(struct fakeq_buf){ REQ_GPA + 0x8000, 32, true }, 1));
	fakedrv_kick(&d[RNG], 0);
	ck_assert_int_eq(fakeq_wait_used(&q[RNG], NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 32);
}

/* After a reset and a fresh start the blk device reads again. */
static void blk_recovers(void)
{
	struct virtio_blk_req_hdr *h = testvm_hva(&vm, REQ_GPA, 16);
	const struct fakeq_buf b[] = { { REQ_GPA, 16, false }, { REQ_GPA + 0x200, 512, true }, { REQ_GPA + 0x1000, 1, true } };

	open_dev(BLK);
	ck_assert_uint_eq(fakedrv_status(&d[BLK]) & VIRTIO_STATUS_NEEDS_RESET, 0);
	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = 1 };
	fakeq_offer(&q[BLK], fakeq_chain(&q[BLK], 0, b, 3));
	fakedrv_kick(&d[BLK], 0);
	ck_assert_int_eq(fakeq_wait_used(&q[BLK], NULL, NULL, 5000), 1);
	ck_assert_uint_eq(*(uint8_t *)testvm_hva(&vm, REQ_GPA + 0x1000, 1), VIRTIO_BLK_S_OK);
}

/* A request-shaped chain header(R) data(W) status(W) at descriptors 0..2, then whatever @mutate does. */
static void blk_chain(void)
{
	const struct fakeq_buf b[] = { { REQ_GPA, 16, false }, { REQ_GPA + 0x200, 512, true }, { REQ_GPA + 0x1000, 1, true } };
	struct virtio_blk_req_hdr *h = testvm_hva(&vm, REQ_GPA, 16);

	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = 0 };
	fakeq_chain(&q[BLK], 0, b, 3);
}

static void offer_and_kick(void)
{
	fakeq_offer(&q[BLK], 0);
	fakedrv_kick(&d[BLK], 0);
}

static void hostile_cases(bool use_pci)
{
	struct fakeq_buf big[QS + 1];
	int saved;
	char *log;

	start(use_pci);
	saved = testvm_capture_stderr();

	/* 1. a descriptor loop */
	blk_chain();
	q[BLK].desc[2].flags |= VIRTQ_DESC_F_NEXT;
	q[BLK].desc[2].next = 0;
	offer_and_kick();
	expect_needs_reset(BLK);
	rng_still_works();
	blk_recovers();

	/* the same fault again: handled, not logged again */
	blk_chain();
	q[BLK].desc[2].flags |= VIRTQ_DESC_F_NEXT;
	q[BLK].desc[2].next = 1;
	offer_and_kick();
	expect_needs_reset(BLK);
	blk_recovers();

	/* 2. a chain longer than the queue (an indirect table of QS + 1 entries) */
	for (unsigned int i = 0; i < QS + 1; i++)
		big[i] = (struct fakeq_buf){ REQ_GPA + 0x200, 16, i == QS };
	fakeq_indirect(&q[BLK], 0, TABLE_GPA, big, QS + 1);
	offer_and_kick();
	expect_needs_reset(BLK);
	blk_recovers();

	/* 3. an address outside guest RAM */
	blk_chain();
	q[BLK].desc[1].addr = KEEL_VIRTIO_MMIO_BASE;
	offer_and_kick();
	expect_needs_reset(BLK);
	blk_recovers();

	/* 4. a length that overflows */
	blk_chain();
	q[BLK].desc[1].addr = 0xfffffffffffff000ull;
	q[BLK].desc[1].len = 0x2000;
	offer_and_kick();
	expect_needs_reset(BLK);
	blk_recovers();

	/* 5. a device-writable buffer where a readable one is needed: the request header */
	blk_chain();
	q[BLK].desc[0].flags |= VIRTQ_DESC_F_WRITE;
	offer_and_kick();
	expect_needs_reset(BLK);
	blk_recovers();

	/* 6. and the reverse: the status byte device-readable */
	blk_chain();
	q[BLK].desc[1].flags &= (uint16_t)~VIRTQ_DESC_F_WRITE;
	q[BLK].desc[2].flags &= (uint16_t)~VIRTQ_DESC_F_WRITE;
	offer_and_kick();
	expect_needs_reset(BLK);
	blk_recovers();

	/* 7. an available index that jumps ahead */
	blk_chain();
	fakeq_set_avail_idx(&q[BLK], QS + 5);
	fakedrv_kick(&d[BLK], 0);
	expect_needs_reset(BLK);
	blk_recovers();

	/* the other devices: a readable buffer for the rng, a writable one in the console's transmit queue */
	fakeq_offer(&q[RNG], fakeq_chain(&q[RNG], 0, &(struct fakeq_buf){ REQ_GPA + 0x8000, 32, false }, 1));
	fakedrv_kick(&d[RNG], 0);
	expect_needs_reset(RNG);
	fakeq_offer(&tx, fakeq_chain(&tx, 0, &(struct fakeq_buf){ REQ_GPA + 0x9000, 8, true }, 1));
	fakedrv_kick(&d[CON], 1);
	expect_needs_reset(CON);
	/* a faulty device does not serve until reset */
	blk_chain();
	fakeq_set_avail_idx(&q[BLK], QS + 5);
	fakedrv_kick(&d[BLK], 0);
	expect_needs_reset(BLK);
	ck_assert_int_eq(fakeq_wait_used(&q[BLK], NULL, NULL, 50), 0);
	open_dev(RNG);
	rng_still_works();

	log = testvm_release_stderr(saved);
	ck_assert_ptr_nonnull(log);
	ck_assert_msg(testvm_count(log, "descriptor loop") == 1, "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "chain longer than the queue") == 1, "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "buffer outside guest RAM") == 1, "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "buffer length overflows") == 1, "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "virtio-blk0: guest driver error on queue 0: buffer of the wrong direction") == 1,
		      "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "available index jumped ahead") == 1, "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "virtio-rng0: guest driver error") == 1, "log:\n%s", log);
	ck_assert_msg(testvm_count(log, "virtio-console0: guest driver error") == 1, "log:\n%s", log);
	ck_assert_uint_eq(testvm_count(log, "\n"), 8);
	free(log);
}

START_TEST(hostile_rings_mmio)
{
	hostile_cases(false);
}
END_TEST

START_TEST(hostile_rings_pci)
{
	hostile_cases(true);
}
END_TEST

/* A queue set up with rings outside RAM: refused at enable, the device needs a reset. */
START_TEST(hostile_queue_setup)
{
	struct fakeq bad;
	int saved;
	char *log;

	start(false);
	saved = testvm_capture_stderr();
	fakedrv_reset(&d[RNG]);
	ck_assert_int_eq(fakedrv_init(&d[RNG], ~0ull, NULL), 0);
	fakeq_init(&bad, &vm.plat.mem, RING_GPA + 0x20000, QS);
	bad.used_gpa = TESTVM_RAM - 8;
	fakedrv_queue(&d[RNG], 0, &bad, 0);
	ck_assert_uint_eq(fakedrv_status(&d[RNG]) & VIRTIO_STATUS_NEEDS_RESET, VIRTIO_STATUS_NEEDS_RESET);
	fakedrv_driver_ok(&d[RNG]);
	open_dev(RNG);
	rng_still_works();
	log = testvm_release_stderr(saved);
	ck_assert_msg(testvm_count(log, "virtio-rng0: guest driver error on queue 0: bad virtqueue configuration") == 1,
		      "log:\n%s", log);
	free(log);
}
END_TEST

static void quiet(void)
{
}

Suite *virtio_hostile_suite(void)
{
	Suite *s = suite_create("virtio_hostile");
	TCase *t = tcase_create("hostile driver");

	tcase_add_checked_fixture(t, quiet, teardown);
	tcase_set_timeout(t, 60);
	tcase_add_test(t, hostile_rings_mmio);
	tcase_add_test(t, hostile_rings_pci);
	tcase_add_test(t, hostile_queue_setup);
	suite_add_tcase(s, t);
	return s;
}
