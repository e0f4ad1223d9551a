/* Device tests through the transports with real I/O: virtio-blk on temporary images, virtio-rng, virtio-console on files and sockets. */
#include "tests/unit/suites.h"

#include "devices/virtio/blk.h"
#include "devices/virtio/pci.h"
#include "firmware/machine.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DISK_SIZE (4ull << 20)
#define SECTORS (DISK_SIZE / 512)
#define RING_GPA 0x100000ull
#define REQ_GPA 0x400000ull		/* request k: header, data, status in REQ_GPA + k * REQ_STRIDE */
#define SEG_GPA 0x3f0000ull		/* discard / write-zeroes segments */
#define REQ_STRIDE 0x8000ull
#define REQ_DATA 0x200ull		/* data offset inside a request's area */
#define REQ_STATUS 0x7ff0ull
#define QSIZE 256u

struct blkdrv {
	struct vm *vm;
	struct fakedrv d;
	struct fakeq q;
};

static struct vm vm;
static char img[64], img2[64];

static void teardown(void)
{
	testvm_stop(&vm);
	unlink(img);
	unlink(img2);
}

/* A VM with the given disks (img, optionally img2 read-only) and the rng. */
static void start(bool pci, bool second_readonly)
{
	struct virtio_config c = { .transport = pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO, .rng = true };

	img2[0] = '\0';
	ck_assert_int_eq(testvm_image(img, sizeof(img), DISK_SIZE, 0xee), 0);
	c.disks[c.ndisks++] = testvm_disk(img, false, "keel-test-disk");
	if (second_readonly) {
		ck_assert_int_eq(testvm_image(img2, sizeof(img2), DISK_SIZE, 0x77), 0);
		c.disks[c.ndisks++] = testvm_disk(img2, true, NULL);
	}
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
}

static void driver(struct blkdrv *b, unsigned int dev, uint64_t features)
{
	uint16_t max;

	b->vm = &vm;
	if (vm.virtio->any_pci)
		ck_assert_int_eq(fakedrv_open_pci(&b->d, &vm, dev + 1), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&b->d, &vm, KEEL_VIRTIO_MMIO_BASE + dev * KEEL_VIRTIO_MMIO_STRIDE), 0);
	ck_assert_int_eq(fakedrv_init(&b->d, features, NULL), 0);
	if (b->d.pci) {
		fakedrv_msix_enable(&b->d);
		fakedrv_msix_vector(&b->d, 0, 0xfee00000, 0x40, false);
		fakedrv_msix_vector(&b->d, 1, 0xfee00000, 0x41, false);
	}
	max = fakedrv_queue_max(&b->d, 0);
	fakeq_init(&b->q, &vm.plat.mem, RING_GPA + dev * 0x10000ull, max < QSIZE ? max : QSIZE);
	fakedrv_queue(&b->d, 0, &b->q, 1);
	fakedrv_driver_ok(&b->d);
}

static uint8_t *area(uint64_t gpa, uint64_t len)
{
	uint8_t *p = testvm_hva(&vm, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Request @k: header (type, sector), @len data bytes (device-writable for reads), status byte. */
static void blk_req(struct blkdrv *b, unsigned int k, uint32_t type, uint64_t sector, uint32_t len, bool data_in)
{
	uint64_t base = REQ_GPA + k * REQ_STRIDE;
	struct virtio_blk_req_hdr *h = (struct virtio_blk_req_hdr *)area(base, sizeof(*h));
	struct fakeq_buf bufs[3];
	unsigned int n = 0;

	h->type = type;
	h->reserved = 0;
	h->sector = sector;
	*area(base + REQ_STATUS, 1) = 0xaa;
	bufs[n++] = (struct fakeq_buf){ base, 16, false };
	if (len)
		bufs[n++] = (struct fakeq_buf){ base + REQ_DATA, len, data_in };
	bufs[n++] = (struct fakeq_buf){ base + REQ_STATUS, 1, true };
	fakeq_offer(&b->q, fakeq_chain(&b->q, (uint16_t)(3 * k % QSIZE), bufs, n));
}

/* Wait for @n completions; return the status of request @k. */
static void wait_done(struct blkdrv *b, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		ck_assert_msg(fakeq_wait_used(&b->q, NULL, NULL, 5000) == 1, "request %u of %u not completed", i, n);
}

static uint8_t status_of(unsigned int k)
{
	return *area(REQ_GPA + k * REQ_STRIDE + REQ_STATUS, 1);
}

/* One request, synchronously. Returns its status. */
static uint8_t blk_do(struct blkdrv *b, uint32_t type, uint64_t sector, uint32_t len, bool data_in)
{
	blk_req(b, 0, type, sector, len, data_in);
	fakedrv_kick(&b->d, 0);
	wait_done(b, 1);
	return status_of(0);
}

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

static void pattern_flush_readback(bool pci)
{
	static const uint64_t sectors[] = { 0, 9, 1000, 4096, SECTORS - 8 };
	const unsigned int n = sizeof(sectors) / sizeof(sectors[0]);
	struct blkdrv b;
	uint8_t want[4096], got[4096];
	int fd;

	start(pci, false);
	driver(&b, 0, ~0ull);
	/* writes of 4 KiB at several offsets, all in flight at once */
	for (unsigned int k = 0; k < n; k++) {
		fill(area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 4096), 4096, k);
		blk_req(&b, k, VIRTIO_BLK_T_OUT, sectors[k], 4096, false);
	}
	fakedrv_kick(&b.d, 0);
	wait_done(&b, n);
	for (unsigned int k = 0; k < n; k++)
		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	/* read back through the device into fresh buffers */
	for (unsigned int k = 0; k < n; k++) {
		memset(area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 4096), 0, 4096);
		blk_req(&b, k, VIRTIO_BLK_T_IN, sectors[k], 4096, true);
	}
	fakedrv_kick(&b.d, 0);
	wait_done(&b, n);
	for (unsigned int k = 0; k < n; k++) {
		fill(want, sizeof(want), k);
		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
		{ uint8_t *g = area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 4096); unsigned int i; for (i = 0; i < 4096 && g[i] == want[i]; i++); ck_assert_msg(i == 4096, "k %u: byte %u got %x want %x (g0 %x %x %x)", k, i, g[i], want[i], g[0], g[1], g[512]); }
	}
	testvm_stop(&vm);
	vm.virtio = NULL;
	/* the image's bytes on the host */
	fd = open(img, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	for (unsigned int k = 0; k < n; k++) {
		fill(want, sizeof(want), k);
		ck_assert_int_eq(pread(fd, got, sizeof(got), (off_t)(sectors[k] * 512)), (ssize_t)sizeof(got));
		ck_assert_int_eq(memcmp(got, want, sizeof(got)), 0);
	}
	ck_assert_int_eq(pread(fd, got, 512, 8 * 512), 512);	/* untouched sector 8 */
	for (unsigned int i = 0; i < 512; i++)
		ck_assert_uint_eq(got[i], 0xee);
	close(fd);
	ck_assert_int_eq(vm_init(&vm, &vm.cfg), 0);	/* for teardown */
}

START_TEST(blk_pattern_pci)
{
	pattern_flush_readback(true);
}
END_TEST

START_TEST(blk_pattern_mmio)
{
	pattern_flush_readback(false);
}
END_TEST

START_TEST(blk_many_in_flight)
{
	const unsigned int n = 80;	/* 240 of 256 descriptors */
	struct blkdrv b;
	uint32_t id, len;

	start(true, false);
	driver(&b, 0, ~0ull);
	for (unsigned int k = 0; k < n; k++) {
		fill(area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 8192), 8192, k + 100);
		blk_req(&b, k, VIRTIO_BLK_T_OUT, 16ull * k, 8192, false);
	}
	fakedrv_kick(&b.d, 0);
	wait_done(&b, n);
	for (unsigned int k = 0; k < n; k++) {
		memset(area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 8192), 0, 8192);
		blk_req(&b, k, VIRTIO_BLK_T_IN, 16ull * k, 8192, true);
	}
	fakedrv_kick(&b.d, 0);
	for (unsigned int i = 0; i < n; i++) {
		ck_assert_int_eq(fakeq_wait_used(&b.q, &id, &len, 5000), 1);
		ck_assert_uint_eq(len, 8193);	/* data and status */
	}
	for (unsigned int k = 0; k < n; k++) {
		uint8_t want[8192];

		fill(want, sizeof(want), k + 100);
		ck_assert_uint_eq(status_of(k), VIRTIO_BLK_S_OK);
		ck_assert_int_eq(memcmp(area(REQ_GPA + k * REQ_STRIDE + REQ_DATA, 8192), want, 8192), 0);
	}
	ck_assert_uint_ge(fakedrv_irqs(virtio_pci_vector_fd(vm.virtio->slots[0].pci, 1)), 1);
}
END_TEST

START_TEST(blk_unaligned_buffers_and_split_data)
{
	struct blkdrv b;
	struct fakeq_buf bufs[4];
	uint64_t base = REQ_GPA;
	struct virtio_blk_req_hdr *h;
	uint8_t want[1024];

	start(false, false);
	driver(&b, 0, ~0ull);
	h = (struct virtio_blk_req_hdr *)area(base, 16);
	/* header and data in one descriptor, data split over two more at odd addresses */
	fill(want, sizeof(want), 9);
	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_OUT, .sector = 3 };
	memcpy(area(base + 16, 100), want, 100);
	memcpy(area(base + 0x1003, 924), want + 100, 924);
	bufs[0] = (struct fakeq_buf){ base, 116, false };
	bufs[1] = (struct fakeq_buf){ base + 0x1003, 924, false };
	bufs[2] = (struct fakeq_buf){ base + REQ_STATUS, 1, true };
	fakeq_offer(&b.q, fakeq_chain(&b.q, 0, bufs, 3));
	fakedrv_kick(&b.d, 0);
	wait_done(&b, 1);
	ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
	/* read it back with the data and status in one writable descriptor */
	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = 3 };
	bufs[0] = (struct fakeq_buf){ base, 16, false };
	bufs[1] = (struct fakeq_buf){ base + 0x2001, 1025, true };
	fakeq_offer(&b.q, fakeq_chain(&b.q, 3, bufs, 2));
	fakedrv_kick(&b.d, 0);
	wait_done(&b, 1);
	ck_assert_uint_eq(*area(base + 0x2001 + 1024, 1), VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(area(base + 0x2001, 1024), want, 1024), 0);
}
END_TEST

START_TEST(blk_bad_requests_get_error_status)
{
	struct blkdrv b;

	start(false, false);
	driver(&b, 0, ~0ull);
	/* past the end, straddling the end, a sector number that would overflow */
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, SECTORS, 512, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_OUT, SECTORS - 1, 1024, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, UINT64_MAX / 256, 512, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, UINT64_MAX, 512, true), VIRTIO_BLK_S_IOERR);
	/* sizes that are not whole sectors */
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, 0, 100, true), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_OUT, 0, 513, false), VIRTIO_BLK_S_IOERR);
	/* an unknown request type, and a discard with the unmap flag */
	ck_assert_uint_eq(blk_do(&b, 99, 0, 0, false), VIRTIO_BLK_S_UNSUPP);
	*(struct virtio_blk_range *)area(REQ_GPA + REQ_DATA, 16) = (struct virtio_blk_range){ 0, 8, 1 };
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_UNSUPP);
	/* a discard range past the end, and two segments (one allowed) */
	*(struct virtio_blk_range *)area(REQ_GPA + REQ_DATA, 16) = (struct virtio_blk_range){ SECTORS - 4, 8, 0 };
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_DISCARD, 0, 32, false), VIRTIO_BLK_S_IOERR);
	/* the last sector exactly is fine, and a zero-length read too */
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, SECTORS - 1, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, 5, 0, true), VIRTIO_BLK_S_OK);
	/* the device is still healthy */
	ck_assert_uint_eq(fakedrv_status(&b.d) & VIRTIO_STATUS_NEEDS_RESET, 0);
}
END_TEST

START_TEST(blk_readonly_refuses_writes)
{
	struct blkdrv b;
	uint64_t f;
	uint8_t got[512];
	int fd;

	start(true, true);
	driver(&b, 1, ~0ull);
	f = fakedrv_device_features(&b.d);
	ck_assert(f & VIRTIO_BIT(VIRTIO_BLK_F_RO));
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_OUT, 0, 512, false), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_UNSUPP);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(*area(REQ_GPA + REQ_DATA, 1), 0x77);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_FLUSH, 0, 0, false), VIRTIO_BLK_S_OK);
	fd = open(img2, O_RDONLY);
	ck_assert_int_eq(pread(fd, got, sizeof(got), 0), (ssize_t)sizeof(got));
	close(fd);
	for (unsigned int i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], 0x77);
}
END_TEST

START_TEST(blk_device_id)
{
	struct blkdrv b;
	uint32_t len;

	start(false, true);
	driver(&b, 0, ~0ull);
	memset(area(REQ_GPA + REQ_DATA, 20), 0xff, 20);
	blk_req(&b, 0, VIRTIO_BLK_T_GET_ID, 0, 20, true);
	fakedrv_kick(&b.d, 0);
	ck_assert_int_eq(fakeq_wait_used(&b.q, NULL, &len, 5000), 1);
	ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(len, 21);
	ck_assert_str_eq((char *)area(REQ_GPA + REQ_DATA, 20), "keel-test-disk");
	ck_assert_uint_eq(*area(REQ_GPA + REQ_DATA + 19, 1), 0);
	/* without id=: "keel-disk<N>" */
	driver(&b, 1, ~0ull);
	blk_req(&b, 0, VIRTIO_BLK_T_GET_ID, 0, 20, true);
	fakedrv_kick(&b.d, 0);
	wait_done(&b, 1);
	ck_assert_str_eq((char *)area(REQ_GPA + REQ_DATA, 20), "keel-disk1");
}
END_TEST

START_TEST(blk_discard_and_write_zeroes)
{
	struct blkdrv b;
	uint8_t got[4096];
	int fd;

	start(false, false);
	driver(&b, 0, ~0ull);
	memset(area(REQ_GPA + REQ_DATA, 16384), 0x5a, 16384);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_OUT, 64, 16384, false), VIRTIO_BLK_S_OK);
	/* zero the middle 4 KiB (plain), then the next 4 KiB (unmap allowed), discard a third */
	*(struct virtio_blk_range *)area(REQ_GPA + REQ_DATA, 16) = (struct virtio_blk_range){ 72, 8, 0 };
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_OK);
	*(struct virtio_blk_range *)area(REQ_GPA + REQ_DATA, 16) = (struct virtio_blk_range){ 80, 8, 1 };
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false), VIRTIO_BLK_S_OK);
	*(struct virtio_blk_range *)area(REQ_GPA + REQ_DATA, 16) = (struct virtio_blk_range){ 1000, 8, 0 };
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_DISCARD, 0, 16, false), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, 64, 16384, true), VIRTIO_BLK_S_OK);
	for (unsigned int i = 0; i < 16384; i++)
		ck_assert_msg(*area(REQ_GPA + REQ_DATA + i, 1) == (i >= 4096 && i < 12288 ? 0 : 0x5a), "byte %u is %x", i, *area(REQ_GPA + REQ_DATA + i, 1));
	fd = open(img, O_RDONLY);
	ck_assert_int_eq(pread(fd, got, sizeof(got), 72 * 512), (ssize_t)sizeof(got));
	close(fd);
	for (unsigned int i = 0; i < sizeof(got); i++)
		ck_assert_uint_eq(got[i], 0);
}
END_TEST

START_TEST(blk_indirect_and_event_idx)
{
	const uint64_t base = REQ_GPA, table = REQ_GPA + 0x3000;
	struct virtio_blk_req_hdr *h;
	struct fakeq_buf t[3] = { { base, 16, false }, { base + REQ_DATA, 512, true }, { base + REQ_STATUS, 1, true } };
	struct blkdrv b;
	int fd;

	start(true, false);
	driver(&b, 0, ~0ull);
	h = (struct virtio_blk_req_hdr *)area(base, 16);
	fd = virtio_pci_vector_fd(vm.virtio->slots[0].pci, 1);
	*h = (struct virtio_blk_req_hdr){ .type = VIRTIO_BLK_T_IN, .sector = 2 };
	/* used_event far away: no interrupt for this completion */
	fakeq_set_used_event(&b.q, 100);
	fakeq_offer(&b.q, fakeq_indirect(&b.q, 0, table, t, 3));
	fakedrv_kick(&b.d, 0);
	wait_done(&b, 1);
	ck_assert_uint_eq(status_of(0), VIRTIO_BLK_S_OK);
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(fd), 0);
	/* used_event at the next entry: one interrupt */
	fakeq_set_used_event(&b.q, 1);
	fakeq_offer(&b.q, fakeq_indirect(&b.q, 1, table, t, 3));
	fakedrv_kick(&b.d, 0);
	wait_done(&b, 1);
	usleep(20000);
	ck_assert_uint_eq(fakedrv_irqs(fd), 1);
	/* the device asks to be kicked for the next entry */
	ck_assert_uint_eq(fakeq_avail_event(&b.q), 2);
}
END_TEST

START_TEST(blk_reset_with_requests_in_flight)
{
	struct blkdrv b;

	start(false, false);
	driver(&b, 0, ~0ull);
	for (unsigned int k = 0; k < 40; k++)
		blk_req(&b, k, VIRTIO_BLK_T_OUT, 8ull * k, 4096, false);
	fakedrv_kick(&b.d, 0);
	/* reset at once: the status reads 0 only after the requests are gone */
	ck_assert_int_eq(fakedrv_reset(&b.d), 0);
	ck_assert_uint_eq(vm.virtio->slots[0].dev->inflight, 0);
	/* and the device works again */
	driver(&b, 0, ~0ull);
	ck_assert_uint_eq(blk_do(&b, VIRTIO_BLK_T_IN, 0, 512, true), VIRTIO_BLK_S_OK);
}
END_TEST

START_TEST(rng_gives_bytes)
{
	struct blkdrv r;
	uint32_t len;
	uint8_t *p;
	unsigned int zeros = 0;

	start(false, false);
	driver(&r, 1, ~0ull);
	p = area(REQ_GPA, 256);
	memset(p, 0, 256);
	fakeq_offer(&r.q, fakeq_chain(&r.q, 0, &(struct fakeq_buf){ REQ_GPA, 256, true }, 1));
	fakedrv_kick(&r.d, 0);
	ck_assert_int_eq(fakeq_wait_used(&r.q, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 256);
	for (unsigned int i = 0; i < 256; i++)
		zeros += p[i] == 0;
	ck_assert_uint_lt(zeros, 16);
}
END_TEST

/* The console over a Unix socket keel connects to: both directions. */
static void console_socket(bool pci)
{
	struct virtio_config c = { .transport = pci ? VIRTIO_TRANSPORT_PCI : VIRTIO_TRANSPORT_MMIO };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fakedrv d;
	struct fakeq rx, tx;
	char path[64], buf[64] = { 0 };
	uint32_t len;
	int ls, s;

	snprintf(path, sizeof(path), "/tmp/keel-test-con.%d", getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ls = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 1), 0);
	c.console = (struct virtio_console_opts){ .kind = VIRTIO_CONSOLE_SOCKET, .spec = strdup(path),
						 .path = strdup(path) };
	img[0] = img2[0] = '\0';
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	s = accept(ls, NULL, NULL);
	ck_assert_int_ge(s, 0);
	if (pci)
		ck_assert_int_eq(fakedrv_open_pci(&d, &vm, 1), 0);
	else
		ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, KEEL_VIRTIO_MMIO_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	fakeq_init(&rx, &vm.plat.mem, RING_GPA, 16);
	fakeq_init(&tx, &vm.plat.mem, RING_GPA + 0x10000, 16);
	fakedrv_queue(&d, 0, &rx, 0);
	fakedrv_queue(&d, 1, &tx, 0);
	/* input sent before the driver is ready waits for it */
	ck_assert_int_eq(write(s, "ping", 4), 4);
	usleep(20000);
	fakedrv_driver_ok(&d);
	fakeq_offer(&rx, fakeq_chain(&rx, 0, &(struct fakeq_buf){ REQ_GPA, 64, true }, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&rx, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 4);
	ck_assert_int_eq(memcmp(area(REQ_GPA, 4), "ping", 4), 0);
	/* output, in two buffers */
	memcpy(area(REQ_GPA + 0x1000, 3), "pon", 3);
	memcpy(area(REQ_GPA + 0x2000, 2), "g\n", 2);
	fakeq_offer(&tx, fakeq_chain(&tx, 0, (struct fakeq_buf[]){ { REQ_GPA + 0x1000, 3, false },
								  { REQ_GPA + 0x2000, 2, false } }, 2));
	fakedrv_kick(&d, 1);
	ck_assert_int_eq(fakeq_wait_used(&tx, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 0);
	ck_assert_int_eq(read(s, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "pong\n");
	close(s);
	close(ls);
	unlink(path);
}

START_TEST(console_socket_pci)
{
	console_socket(true);
}
END_TEST

START_TEST(console_socket_mmio)
{
	console_socket(false);
}
END_TEST

START_TEST(console_file_output_and_input)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO };
	char out[64], in[64], spec[160], text[64] = { 0 };
	struct fakedrv d;
	struct fakeq rx, tx;
	uint32_t len;
	int fd;

	snprintf(out, sizeof(out), "/tmp/keel-test-out.%d", getpid());
	snprintf(in, sizeof(in), "/tmp/keel-test-in.%d", getpid());
	fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_eq(write(fd, "from a file", 11), 11);
	close(fd);
	snprintf(spec, sizeof(spec), "file:%s,in=%s", out, in);
	c.console = (struct virtio_console_opts){ .kind = VIRTIO_CONSOLE_FILE, .spec = strdup(spec),
						 .path = strdup(out), .in_path = strdup(in) };
	img[0] = img2[0] = '\0';
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, KEEL_VIRTIO_MMIO_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	fakeq_init(&rx, &vm.plat.mem, RING_GPA, 16);
	fakeq_init(&tx, &vm.plat.mem, RING_GPA + 0x10000, 16);
	fakedrv_queue(&d, 0, &rx, 0);
	fakedrv_queue(&d, 1, &tx, 0);
	fakedrv_driver_ok(&d);
	fakeq_offer(&rx, fakeq_chain(&rx, 0, &(struct fakeq_buf){ REQ_GPA, 8, true }, 1));
	fakeq_offer(&rx, fakeq_chain(&rx, 1, &(struct fakeq_buf){ REQ_GPA + 8, 8, true }, 1));
	fakedrv_kick(&d, 0);
	ck_assert_int_eq(fakeq_wait_used(&rx, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(fakeq_wait_used(&rx, NULL, &len, 5000), 1);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(area(REQ_GPA, 11), "from a file", 11), 0);
	memcpy(area(REQ_GPA + 0x1000, 6), "hello\n", 6);
	fakeq_offer(&tx, fakeq_chain(&tx, 0, &(struct fakeq_buf){ REQ_GPA + 0x1000, 6, false }, 1));
	fakedrv_kick(&d, 1);
	ck_assert_int_eq(fakeq_wait_used(&tx, NULL, &len, 5000), 1);
	testvm_stop(&vm);
	ck_assert_int_eq(vm_init(&vm, &vm.cfg), 0);
	fd = open(out, O_RDONLY);
	ck_assert_int_eq(read(fd, text, sizeof(text)), 6);
	close(fd);
	ck_assert_str_eq(text, "hello\n");
	unlink(out);
	unlink(in);
}
END_TEST

static void quiet(void)
{
	log_set_level(LOG_ERROR);
}

Suite *virtio_dev_suite(void)
{
	Suite *s = suite_create("virtio_dev");
	TCase *t = tcase_create("devices");

	tcase_add_checked_fixture(t, quiet, teardown);
	tcase_set_timeout(t, 30);
	tcase_add_test(t, blk_pattern_pci);
	tcase_add_test(t, blk_pattern_mmio);
	tcase_add_test(t, blk_many_in_flight);
	tcase_add_test(t, blk_unaligned_buffers_and_split_data);
	tcase_add_test(t, blk_bad_requests_get_error_status);
	tcase_add_test(t, blk_readonly_refuses_writes);
	tcase_add_test(t, blk_device_id);
	tcase_add_test(t, blk_discard_and_write_zeroes);
	tcase_add_test(t, blk_indirect_and_event_idx);
	tcase_add_test(t, blk_reset_with_requests_in_flight);
	tcase_add_test(t, rng_gives_bytes);
	tcase_add_test(t, console_socket_pci);
	tcase_add_test(t, console_socket_mmio);
	tcase_add_test(t, console_file_output_and_input);
	suite_add_tcase(s, t);
	return s;
}
