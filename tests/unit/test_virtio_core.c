/* Unit tests of the virtio core's device-ops contract: configuration writes reach the device, bounds are enforced, devices without writable fields drop them. */
#include "tests/unit/suites.h"

#include <string.h>

#include "devices/virtio/mmio.h"
#include "devices/virtio/virtio.h"
#include "vmm/bus.h"
#include "vmm/ioloop.h"
#include "vmm/log.h"

#define CFG_SIZE 8u

/* A device with an 8-byte configuration space it lets the driver write. */
struct cfgdev {
	uint8_t cfg[CFG_SIZE];
	unsigned int writes;
};

static void cfg_read(const struct virtio_dev *dev, uint32_t off, uint8_t *data, uint32_t len)
{
	const struct cfgdev *c = dev->priv;

	memcpy(data, c->cfg + off, len);
}

static void cfg_write(struct virtio_dev *dev, uint32_t off, const uint8_t *data, uint32_t len)
{
	struct cfgdev *c = dev->priv;

	memcpy(c->cfg + off, data, len);
	c->writes++;
}

static const struct virtio_dev_ops writable_ops = {
	.name = "test-writable", .device_id = 4, .nqueues = 1, .queue_max = 8, .config_size = CFG_SIZE,
	.config_read = cfg_read, .config_write = cfg_write,
};

#define SHM_ID 1u
#define SHM_BASE 0x123400000000ull
#define SHM_LEN 0x40000000ull

/* One shared memory region, id SHM_ID (virtio-gpu's host-visible memory is such a region). */
static bool shm_region(const struct virtio_dev *dev, uint8_t id, uint64_t *base, uint64_t *len)
{
	(void)dev;
	if (id != SHM_ID)
		return false;
	*base = SHM_BASE;
	*len = SHM_LEN;
	return true;
}

static const struct virtio_dev_ops shm_ops = {
	.name = "test-shm", .device_id = 4, .nqueues = 1, .queue_max = 8, .config_size = CFG_SIZE,
	.config_read = cfg_read, .shm_region = shm_region,
};

static const struct virtio_dev_ops readonly_ops = {
	.name = "test-readonly", .device_id = 4, .nqueues = 1, .queue_max = 8, .config_size = CFG_SIZE,
	.config_read = cfg_read,
};

START_TEST(config_writes)
{
	struct cfgdev c = { .cfg = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	struct virtio_dev dev;
	uint8_t v[4] = { 0xaa, 0xbb, 0xcc, 0xdd }, r[4];
	struct ioloop *loop;

	log_set_level(LOG_OFF);
	ck_assert_int_eq(ioloop_create(64, &loop), 0);
	ck_assert_int_eq(virtio_dev_init(&dev, &writable_ops, &c, "test0", NULL, loop), 0);
	virtio_config_access(&dev, 2, v, 2, true);
	ck_assert_uint_eq(c.writes, 1);
	virtio_config_access(&dev, 0, r, 4, false);
	ck_assert_uint_eq(r[0], 1);
	ck_assert_uint_eq(r[2], 0xaa);
	ck_assert_uint_eq(r[3], 0xbb);
	/* past the end, or straddling it: dropped, nothing written */
	virtio_config_access(&dev, CFG_SIZE, v, 1, true);
	virtio_config_access(&dev, CFG_SIZE - 2, v, 4, true);
	virtio_config_access(&dev, 0xffffffffu, v, 4, true);
	ck_assert_uint_eq(c.writes, 1);
	virtio_config_access(&dev, 4, r, 4, false);
	ck_assert_mem_eq(r, ((uint8_t[]){ 5, 6, 7, 8 }), 4);
	virtio_dev_destroy(&dev);
	/* a device without writable fields: the write goes nowhere */
	ck_assert_int_eq(virtio_dev_init(&dev, &readonly_ops, &c, "test1", NULL, loop), 0);
	virtio_config_access(&dev, 0, v, 4, true);
	ck_assert_uint_eq(c.writes, 1);
	virtio_config_access(&dev, 0, r, 4, false);
	ck_assert_mem_eq(r, ((uint8_t[]){ 1, 2, 0xaa, 0xbb }), 4);
	virtio_dev_destroy(&dev);
	ioloop_destroy(loop);
	log_set_level(LOG_WARN);
}
END_TEST

static uint32_t mmio_rd(struct bus *bus, uint32_t off)
{
	uint8_t d[4];

	ck_assert_int_eq(bus_access(bus, NULL, 0xd0000000ull + off, d, 4, false), 0);
	return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
}

static void mmio_wr(struct bus *bus, uint32_t off, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	ck_assert_int_eq(bus_access(bus, NULL, 0xd0000000ull + off, d, 4, true), 0);
}

/* virtio-mmio shows the device's shared memory regions through SHMSel/SHMLen/SHMBase. */
START_TEST(mmio_shm_regions)
{
	struct cfgdev c = { 0 };
	struct virtio_mmio *t;
	struct virtio_dev dev;
	struct ioloop *loop;
	struct bus bus;

	ck_assert_int_eq(bus_init(&bus, "mmio"), 0);
	ck_assert_int_eq(ioloop_create(64, &loop), 0);
	ck_assert_int_eq(virtio_dev_init(&dev, &shm_ops, &c, "shm0", NULL, loop), 0);
	ck_assert_int_eq(virtio_mmio_create(&dev, &bus, 0xd0000000ull, 16, -1, &t), 0);
	mmio_wr(&bus, VIRTIO_MMIO_SHM_SEL, SHM_ID);
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_LEN_LOW), (uint32_t)SHM_LEN);
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_LEN_HIGH), (uint32_t)(SHM_LEN >> 32));
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_BASE_LOW), (uint32_t)SHM_BASE);
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_BASE_HIGH), (uint32_t)(SHM_BASE >> 32));
	mmio_wr(&bus, VIRTIO_MMIO_SHM_SEL, 0);	/* no region 0: all ones */
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_BASE_HIGH), 0xffffffffu);
	mmio_wr(&bus, VIRTIO_MMIO_SHM_SEL, 0x101);	/* ids are 8 bits */
	ck_assert_uint_eq(mmio_rd(&bus, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	virtio_mmio_destroy(t);
	virtio_dev_destroy(&dev);
	ioloop_destroy(loop);
	bus_destroy(&bus);
}
END_TEST

Suite *virtio_core_suite(void)
{
	Suite *s = suite_create("virtio_core");
	TCase *t = tcase_create("ops");

	tcase_add_test(t, config_writes);
	tcase_add_test(t, mmio_shm_regions);
	suite_add_tcase(s, t);
	return s;
}
