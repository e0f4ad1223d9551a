/* Unit tests of the virtio core's device-ops contract: configuration writes reach the device, bounds are enforced, devices without writable fields drop them. */
#include "tests/unit/suites.h"

#include <string.h>

#include "devices/virtio/virtio.h"
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

Suite *virtio_core_suite(void)
{
	Suite *s = suite_create("virtio_core");
	TCase *t = tcase_create("ops");

	tcase_add_test(t, config_writes);
	suite_add_tcase(s, t);
	return s;
}
