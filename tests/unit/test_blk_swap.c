/* Unit tests of a virtio-blk drive swap (vm_drive_swap) through the fake guest driver, on PCI with and without MSI-X and on MMIO. */
#include "tests/unit/suites.h"

#include "devices/virtio/blk.h"
#include "devices/virtio/pci.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OLD_SIZE (1ull << 20)
#define NEW_SIZE (3ull << 20)
#define RING_GPA 0x100000ull
#define REQ_GPA 0x400000ull		/* request k: header, data, status at REQ_GPA + k * REQ_STRIDE */
#define REQ_STRIDE 0x4000ull
#define REQ_DATA 0x200ull
#define REQ_STATUS 0x3ff0ull
#define NREQ 32u
#define QSIZE 128u
#define ID "swap-disk"

enum { T_MSIX, T_INTX, T_MMIO, T_COUNT };

static struct vm vm;
static struct fakedrv d;
static struct fakeq q;
static char img_old[64], img_new[64], img_bad[80];
static int kind;

static void quiet(void)
{
	log_set_level(LOG_ERROR);
	img_old[0] = img_new[0] = img_bad[0] = '\0';
}

static void teardown(void)
{
	testvm_stop(&vm);
	unlink(img_old);
	unlink(img_new);
	if (img_bad[0])
		unlink(img_bad);
}

static uint8_t *area(uint64_t gpa, uint64_t len)
{
	uint8_t *p = testvm_hva(&vm, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* The VM with one disk (@readonly or not) on the transport of the loop's @k, its driver up. */
static void start(int k, bool readonly)
{
	struct virtio_config c = { .transport = k == T_MMIO ? VIRTIO_TRANSPORT_MMIO : VIRTIO_TRANSPORT_PCI };
	uint16_t max;

	kind = k;
	ck_assert_int_eq(testvm_image(img_old, sizeof(img_old), OLD_SIZE, 0x11), 0);
	ck_assert_int_eq(testvm_image(img_new, sizeof(img_new), NEW_SIZE, 0x22), 0);
	c.disks[0] = testvm_disk(img_old, readonly, ID);
	if (k == T_INTX)
		c.disks[0].place = (struct virtio_place){ .msix_given = true, .no_msix = true };
	c.ndisks = 1;
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	if (k == T_MMIO)
		ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, KEEL_VIRTIO_MMIO_BASE), 0);
	else
		ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull & ~VIRTIO_BIT(VIRTIO_F_EVENT_IDX), NULL), 0);
	if (k == T_MSIX) {
		fakedrv_msix_enable(&d);
		fakedrv_msix_vector(&d, 0, 0xfee00000, 0x40, false);
		fakedrv_msix_vector(&d, 1, 0xfee00000, 0x41, false);
		fakedrv_mmio_write(&vm, d.bar0 + d.common + VIRTIO_PCI_COMMON_MSIX, 2, 0);	/* configuration: vector 0 */
	}
	max = fakedrv_queue_max(&d, 0);
	fakeq_init(&q, &vm.plat.mem, RING_GPA, max < QSIZE ? max : QSIZE);
	fakedrv_queue(&d, 0, &q, 1);
	fakedrv_driver_ok(&d);
}

/* The eventfd the configuration-change interrupt lands in. */
static int config_fd(void)
{
	const struct virtio_slot *s = &vm.virtio->slots[0];

	if (kind == T_MSIX)
		return virtio_pci_vector_fd(s->pci, 0);
	if (kind == T_INTX)
		return virtio_pci_intx_fd(s->pci);
	return virtio_mmio_irq_fd(s->mmio);
}

static uint8_t generation(void)
{
	if (kind == T_MMIO)
		return (uint8_t)fakedrv_mmio_read(&vm, d.base + VIRTIO_MMIO_CONFIG_GENERATION, 4);
	return (uint8_t)fakedrv_mmio_read(&vm, d.bar0 + d.common + VIRTIO_PCI_COMMON_CFGGENERATION, 1);
}

static uint64_t capacity(void)
{
	return fakedrv_config(&d, VIRTIO_BLK_CFG_CAPACITY, 8);
}

/* Offer request @k: a read of @len bytes at @sector (its data zeroed first). */
static void read_req(unsigned int k, uint64_t sector, uint32_t len)
{
	uint64_t base = REQ_GPA + k * REQ_STRIDE;
	struct virtio_blk_req_hdr *h = (struct virtio_blk_req_hdr *)area(base, sizeof(*h));
	struct fakeq_buf b[3] = {
		{ base, 16, false }, { base + REQ_DATA, len, true }, { base + REQ_STATUS, 1, true },
	};

	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = sector };
	memset(area(base + REQ_DATA, len), 0, len);
	*area(base + REQ_STATUS, 1) = 0xaa;
	fakeq_offer(&q, fakeq_chain(&q, (uint16_t)(3 * k), b, 3));
}

static uint8_t status_of(unsigned int k)
{
	return *area(REQ_GPA + k * REQ_STRIDE + REQ_STATUS, 1);
}

/* Read 512 bytes at @sector: the status, and in *@fill the byte they all hold (0xff when mixed). */
static uint8_t read_sector(uint64_t sector, uint8_t *fill)
{
	const uint8_t *p;

	read_req(0, sector, 512);
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&q, NULL, NULL, 5000), 1);
	p = area(REQ_GPA + REQ_DATA, 512);
	*fill = p[0];
	for (unsigned int i = 1; i < 512; i++)
		if (p[i] != p[0])
			*fill = 0xff;
	return status_of(0);
}

static void expect_reads(uint64_t sector, uint8_t status, uint8_t want)
{
	uint8_t fill = 0;

	ck_assert_uint_eq(read_sector(sector, &fill), status);
	if (status == VIRTIO_BLK_S_OK)
		ck_assert_uint_eq(fill, want);
}

/* No configuration interrupt arrived (and, where there is one, no ISR bit 1). */
static void expect_no_config_irq(void)
{
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(config_fd()), 0);
	if (kind != T_MSIX)
		ck_assert_uint_eq(fakedrv_isr(&d) & 2u, 0);
}

static void expect_config_irq(void)
{
	uint64_t n = 0;

	for (int t = 0; t < 200 && n == 0; t++) {
		n = fakedrv_irqs(config_fd());
		if (!n)
			usleep(5000);
	}
	ck_assert_uint_ge(n, 1);
	if (kind != T_MSIX)
		ck_assert_uint_ne(fakedrv_isr(&d) & 2u, 0);	/* ISR / InterruptStatus bit 1: configuration */
}

/* Drain the interrupts the reads so far raised. */
static void settle(void)
{
	usleep(20000);
	(void)fakedrv_irqs(config_fd());
	if (kind != T_MSIX)
		(void)fakedrv_isr(&d);
}

/* The guest reads the old image, the swap, the configuration interrupt, the new capacity, reads from the new image. */
START_TEST(swap_grows_the_disk)
{
	char err[256] = "";
	uint8_t gen;

	start(_i, false);
	ck_assert_uint_eq(capacity(), OLD_SIZE / 512);
	expect_reads(0, VIRTIO_BLK_S_OK, 0x11);
	expect_reads(OLD_SIZE / 512, VIRTIO_BLK_S_IOERR, 0);	/* beyond the old disk */
	settle();
	gen = generation();
	ck_assert_int_eq(vm_drive_swap(&vm, ID, img_new, err, sizeof(err)), 0);
	expect_config_irq();
	ck_assert_uint_ne(generation(), gen);
	ck_assert_uint_eq(capacity(), NEW_SIZE / 512);
	expect_reads(0, VIRTIO_BLK_S_OK, 0x22);
	expect_reads(NEW_SIZE / 512 - 1, VIRTIO_BLK_S_OK, 0x22);
	expect_reads(NEW_SIZE / 512, VIRTIO_BLK_S_IOERR, 0);
	ck_assert_str_eq(((struct disk *)vm.virtio->slots[0].backend)->path, img_new);	/* what the host closes at the end */
}
END_TEST

/* Failed swaps (missing file, size not a multiple of 512, a directory, unknown id) leave the old image and tell the guest nothing. */
START_TEST(failed_swaps_keep_the_old_image)
{
	char err[256];
	FILE *f;

	start(_i, false);
	settle();
	snprintf(img_bad, sizeof(img_bad), "%s.odd", img_old);
	f = fopen(img_bad, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs("not a sector multiple", f) >= 0, 1);
	fclose(f);

	ck_assert_int_eq(vm_drive_swap(&vm, ID, "/nonexistent/keel-swap.img", err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/keel-swap.img: No such file or directory"));
	ck_assert_int_eq(vm_drive_swap(&vm, ID, img_bad, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a multiple of 512"));
	ck_assert_int_eq(vm_drive_swap(&vm, ID, "/tmp", err, sizeof(err)), -EISDIR);
	ck_assert_int_eq(vm_drive_swap(&vm, "no-such-drive", img_new, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "no drive with id \"no-such-drive\""));
	ck_assert_int_eq(vm_drive_swap(&vm, ID, "", err, sizeof(err)), -EINVAL);

	expect_no_config_irq();
	ck_assert_uint_eq(capacity(), OLD_SIZE / 512);
	expect_reads(0, VIRTIO_BLK_S_OK, 0x11);
	/* and a good swap still works after them */
	ck_assert_int_eq(vm_drive_swap(&vm, ID, img_new, err, sizeof(err)), 0);
	expect_config_irq();
	expect_reads(0, VIRTIO_BLK_S_OK, 0x22);
}
END_TEST

/* A swap while many reads are in flight: none is lost, each reads one image whole, later reads the new one. */
START_TEST(swap_with_requests_in_flight)
{
	char err[256];

	start(_i, false);
	for (unsigned int k = 0; k < NREQ; k++)
		read_req(k, 8ull * k, 4096);
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(vm_drive_swap(&vm, ID, img_new, err, sizeof(err)), 0);
	for (unsigned int k = 0; k < NREQ; k++)
		ck_assert_msg(fakeq_wait_used(&q, NULL, NULL, 5000) == 1, "request %u of %u not completed", k, NREQ);
	for (unsigned int k = 0; k < NREQ; k++) {
		const uint8_t *p = area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 4096);

		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
		ck_assert(p[0] == 0x11 || p[0] == 0x22);
		for (unsigned int i = 1; i < 4096; i++)
			ck_assert_uint_eq(p[i], p[0]);
	}
	expect_config_irq();
	ck_assert_uint_eq(capacity(), NEW_SIZE / 512);
	expect_reads(NEW_SIZE / 512 - 8, VIRTIO_BLK_S_OK, 0x22);
}
END_TEST

/* The same file after it grew (a rescan), then a read-only disk swapped to another image read-only. */
START_TEST(swap_same_file_and_readonly)
{
	char err[256];

	start(_i, _i == T_MMIO);
	ck_assert_int_eq(truncate(img_old, 2 * OLD_SIZE), 0);
	ck_assert_uint_eq(capacity(), OLD_SIZE / 512);
	ck_assert_int_eq(vm_drive_swap(&vm, ID, img_old, err, sizeof(err)), 0);
	expect_config_irq();
	ck_assert_uint_eq(capacity(), 2 * OLD_SIZE / 512);
	expect_reads(0, VIRTIO_BLK_S_OK, 0x11);
	expect_reads(2 * OLD_SIZE / 512 - 1, VIRTIO_BLK_S_OK, 0);	/* the part that grew reads zeroes */
	ck_assert_int_eq(vm_drive_swap(&vm, ID, img_new, err, sizeof(err)), 0);
	expect_config_irq();
	ck_assert(((struct disk *)vm.virtio->slots[0].backend)->readonly == (_i == T_MMIO));
	expect_reads(0, VIRTIO_BLK_S_OK, 0x22);
}
END_TEST

Suite *blk_swap_suite(void)
{
	Suite *s = suite_create("blk_swap");
	TCase *t = tcase_create("swap");

	tcase_add_checked_fixture(t, quiet, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_loop_test(t, swap_grows_the_disk, 0, T_COUNT);
	tcase_add_loop_test(t, failed_swaps_keep_the_old_image, 0, T_COUNT);
	tcase_add_loop_test(t, swap_with_requests_in_flight, 0, T_COUNT);
	tcase_add_loop_test(t, swap_same_file_and_readonly, 0, T_COUNT);
	suite_add_tcase(s, t);
	return s;
}
