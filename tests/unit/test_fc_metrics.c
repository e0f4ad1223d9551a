/* Unit tests of Firecracker's metrics (vmm/fc/fc_metrics.c): the line parsed back with jansson, counters after known requests, deltas after a flush, files and FIFOs. */
#include "tests/unit/suites.h"

#include "devices/i8042.h"
#include "devices/uart.h"
#include "devices/virtio/blk.h"
#include "firmware/machine.h"
#include "tests/unit/vm_fixture.h"
#include "tests/virtio/fakedrv.h"
#include "tests/virtio/testvm.h"
#include "vmm/fc/fc_metrics.h"
#include "vmm/fc/fc_metrics_groups.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#define DISK_SIZE (1ull << 20)
#define RING_GPA 0x100000ull
#define REQ_GPA 0x400000ull	/* header at +0, data at +0x200, status at +0x7ff0 */

static char dir[64], path[96], img[64];
static struct vm vm;
static bool vm_up;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/keel-fcmet-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/metrics", dir);
	img[0] = '\0';
	vm_up = false;
}

static void teardown(void)
{
	if (vm_up)
		testvm_stop(&vm);
	if (img[0])
		unlink(img);
	unlink(path);
	rmdir(dir);
}

/* Line @n (0-based) of what @fd reads from its start, parsed; fails the test when it is not a JSON object. */
static json_t *line_of(int fd, unsigned int n)
{
	static char buf[1 << 18];
	json_error_t e;
	ssize_t got;
	char *p = buf, *end;
	json_t *j;

	got = pread(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(got, 0);
	buf[got] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	end = strchr(p, '\n');
	ck_assert_ptr_nonnull(end);
	*end = '\0';
	j = json_loads(p, 0, &e);
	ck_assert_msg(j && json_is_object(j), "line %u is not a JSON object: %s", n, e.text);
	return j;
}

static unsigned int lines_in(int fd)
{
	char buf[1 << 16];
	unsigned int n = 0;
	ssize_t got;
	off_t off = 0;

	while ((got = pread(fd, buf, sizeof(buf), off)) > 0) {
		for (ssize_t i = 0; i < got; i++)
			n += buf[i] == '\n';
		off += got;
	}
	return n;
}

/* @j.@group.@field, which must be an integer. */
static long long field(const json_t *j, const char *group, const char *name)
{
	const json_t *g = json_object_get(j, group), *v;

	ck_assert_msg(json_is_object(g), "no group %s", group);
	v = json_object_get(g, name);
	ck_assert_msg(json_is_integer(v), "no integer %s.%s", group, name);
	return json_integer_value(v);
}

START_TEST(fc_metrics_shape_and_deltas)
{
	static struct fc_api_counters api;
	struct fc_metrics *m;
	char err[256];
	json_t *j;
	int fd;

	ck_assert_int_eq(fc_metrics_open(path, &m, err, sizeof(err)), 0);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(lines_in(fd), 0);	/* nothing before the first flush */
	fc_metrics_set_api(m, &api);
	atomic_store(&api.process_startup_time_us, 1234);
	atomic_fetch_add(&api.put.drive_count, 2);
	atomic_fetch_add(&api.put.drive_fails, 1);
	atomic_fetch_add(&api.get.instance_info_count, 5);
	atomic_fetch_add(&api.patch.drive_count, 1);
	ck_assert_int_eq(fc_metrics_flush(m), 0);

	j = line_of(fd, 0);
	ck_assert(json_is_integer(json_object_get(j, "utc_timestamp_ms")));
	ck_assert_int_gt(json_integer_value(json_object_get(j, "utc_timestamp_ms")), 1700000000000LL);
	for (unsigned int g = 0; g < FC_GROUP_COUNT; g++) {
		const json_t *o = json_object_get(j, fc_groups[g].name);

		ck_assert_msg(json_is_object(o), "group %s missing", fc_groups[g].name);
		ck_assert_uint_eq(json_object_size(o), fc_groups[g].nfields);
	}
	ck_assert_int_eq(field(j, "put_api_requests", "drive_count"), 2);
	ck_assert_int_eq(field(j, "put_api_requests", "drive_fails"), 1);
	ck_assert_int_eq(field(j, "put_api_requests", "actions_count"), 0);
	ck_assert_int_eq(field(j, "get_api_requests", "instance_info_count"), 5);
	ck_assert_int_eq(field(j, "patch_api_requests", "drive_count"), 1);
	ck_assert_int_eq(field(j, "api_server", "process_startup_time_us"), 1234);
	ck_assert_int_eq(field(j, "block", "read_count"), 0);	/* no VM: the aggregates are there, zero */
	ck_assert_int_eq(field(j, "net", "tx_bytes_count"), 0);
	ck_assert_int_eq(field(j, "seccomp", "num_faults"), 0);
	json_decref(j);

	/* counters report what they grew by since the last line; stored values stay */
	atomic_fetch_add(&api.put.drive_count, 1);
	ck_assert_int_eq(fc_metrics_flush(m), 0);
	j = line_of(fd, 1);
	ck_assert_int_eq(field(j, "put_api_requests", "drive_count"), 1);
	ck_assert_int_eq(field(j, "put_api_requests", "drive_fails"), 0);
	ck_assert_int_eq(field(j, "get_api_requests", "instance_info_count"), 0);
	ck_assert_int_eq(field(j, "api_server", "process_startup_time_us"), 1234);
	json_decref(j);

	fc_metrics_close(m);	/* one last line */
	ck_assert_uint_eq(lines_in(fd), 3);
	close(fd);
}
END_TEST

START_TEST(fc_metrics_fifo_reader)
{
	struct fc_metrics *m;
	char err[256], buf[1 << 16];
	json_error_t e;
	json_t *j;
	ssize_t got;
	int rd;

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	rd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	ck_assert_int_eq(fc_metrics_open(path, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(fc_metrics_flush(m), 0);
	got = read(rd, buf, sizeof(buf) - 1);
	ck_assert_int_gt(got, 100);
	buf[got] = '\0';
	ck_assert_int_eq(buf[got - 1], '\n');
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + got - 1);	/* one line, whole */
	j = json_loads(buf, 0, &e);
	ck_assert_ptr_nonnull(j);
	ck_assert(json_is_object(json_object_get(j, "vcpu")));
	json_decref(j);
	fc_metrics_close(m);
	close(rd);

	/* a path that cannot be opened is named */
	ck_assert_int_eq(fc_metrics_open("/nonexistent-dir/m", &m, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/m"));
}
END_TEST

/* One virtio-blk request on the fake queue @q; waits for it; returns its status. */
static uint8_t blk_one(struct fakedrv *d, struct fakeq *q, uint32_t type, uint64_t sector, uint32_t len)
{
	struct virtio_blk_req_hdr *h = testvm_hva(&vm, REQ_GPA, sizeof(*h));
	uint8_t *st = testvm_hva(&vm, REQ_GPA + 0x7ff0, 1);
	struct fakeq_buf b[3];
	unsigned int n = 0;

	*h = (struct virtio_blk_req_hdr){ .type = type, .sector = sector };
	b[n++] = (struct fakeq_buf){ REQ_GPA, 16, false };
	if (len)
		b[n++] = (struct fakeq_buf){ REQ_GPA + 0x200, len, type == VIRTIO_BLK_T_IN };
	b[n++] = (struct fakeq_buf){ REQ_GPA + 0x7ff0, 1, true };
	fakeq_offer(q, fakeq_chain(q, 0, b, n));
	fakedrv_kick(d, 0);
	ck_assert_int_eq(fakeq_wait_used(q, NULL, NULL, 5000), 1);
	return *st;
}

START_TEST(fc_metrics_device_counters)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO };
	struct uart_params up = { .out_fd = -1 };
	struct vcpu *cpu = calloc(1, sizeof(*cpu));
	struct vcpu *cpus[1] = { cpu };
	struct fc_metrics *m;
	struct fakedrv d;
	struct fakeq q;
	char err[256];
	uint8_t byte = 'k';
	json_t *j;
	int fd;

	ck_assert_ptr_nonnull(cpu);
	ck_assert_int_eq(testvm_image(img, sizeof(img), DISK_SIZE, 0), 0);
	c.disks[c.ndisks++] = testvm_disk(img, false, "rootfs");
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	vm_up = true;
	ck_assert_int_eq(uart_create(&up, &vm.uart), 0);
	ck_assert_int_eq(i8042_create(&vm.plat.pio, &vm.plat.stop, platform_irq_line(&vm.plat, I8042_KBD_IRQ), &vm.i8042),
			 0);
	vm.vcpus = cpus;
	vm.ncpus = 1;

	ck_assert_int_eq(fc_metrics_open(path, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(fc_metrics_attach(m, &vm), 0);
	ck_assert_int_eq(fc_metrics_attach(m, &vm), -EBUSY);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);

	ck_assert_int_eq(fakedrv_open_mmio(&d, &vm, KEEL_VIRTIO_MMIO_BASE), 0);
	ck_assert_int_eq(fakedrv_init(&d, ~0ull, NULL), 0);
	fakeq_init(&q, &vm.plat.mem, RING_GPA, 16);
	fakedrv_queue(&d, 0, &q, 0);
	fakedrv_driver_ok(&d);
	ck_assert_uint_eq(blk_one(&d, &q, VIRTIO_BLK_T_OUT, 0, 4096), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_one(&d, &q, VIRTIO_BLK_T_IN, 8, 512), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_one(&d, &q, VIRTIO_BLK_T_IN, 0, 1024), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_one(&d, &q, VIRTIO_BLK_T_FLUSH, 0, 0), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(blk_one(&d, &q, VIRTIO_BLK_T_IN, DISK_SIZE / 512, 512), VIRTIO_BLK_S_IOERR);
	ck_assert_uint_eq(blk_one(&d, &q, 77, 0, 0), VIRTIO_BLK_S_UNSUPP);

	/* the UART took two bytes; the vCPU made known exits */
	uart_io(vm.uart, NULL, 0, &byte, 1, true);
	uart_io(vm.uart, NULL, 0, &byte, 1, true);
	uart_io(vm.uart, NULL, 0, &byte, 1, false);	/* nothing received: a missed read */
	byte = 0xf2;				/* the keyboard's ID: an ACK and two bytes */
	i8042_data_io(vm.i8042, NULL, 0, &byte, 1, true);
	for (unsigned int i = 0; i < 4; i++)	/* the fourth finds nothing */
		i8042_data_io(vm.i8042, NULL, 0, &byte, 1, false);
	atomic_fetch_add(&cpu->ctr.exit_io_out, 7);
	atomic_fetch_add(&cpu->ctr.exit_mmio_read, 3);

	ck_assert_int_eq(fc_metrics_flush(m), 0);
	j = line_of(fd, 0);
	ck_assert_int_eq(field(j, "block_rootfs", "write_count"), 1);
	ck_assert_int_eq(field(j, "block_rootfs", "write_bytes"), 4096);
	ck_assert_int_eq(field(j, "block_rootfs", "read_count"), 2);
	ck_assert_int_eq(field(j, "block_rootfs", "read_bytes"), 1536);
	ck_assert_int_eq(field(j, "block_rootfs", "flush_count"), 1);
	ck_assert_int_eq(field(j, "block_rootfs", "invalid_reqs_count"), 2);
	ck_assert_int_eq(field(j, "block_rootfs", "execute_fails"), 0);
	ck_assert_int_ge(field(j, "block_rootfs", "queue_event_count"), 6);
	ck_assert_int_eq(field(j, "block", "read_bytes"), 1536);	/* the aggregate */
	ck_assert_int_eq(field(j, "block", "write_count"), 1);
	ck_assert_int_eq(field(j, "uart", "write_count"), 2);
	ck_assert_int_eq(field(j, "uart", "missed_read_count"), 1);
	ck_assert_int_eq(field(j, "i8042", "write_count"), 1);
	ck_assert_int_eq(field(j, "i8042", "read_count"), 3);
	ck_assert_int_eq(field(j, "i8042", "missed_read_count"), 1);
	ck_assert_int_eq(field(j, "vcpu", "exit_io_out"), 7);
	ck_assert_int_eq(field(j, "vcpu", "exit_mmio_read"), 3);
	ck_assert_int_eq(field(j, "vcpu", "exit_io_in"), 0);
	json_decref(j);

	/* after a flush: only what happened since */
	ck_assert_uint_eq(blk_one(&d, &q, VIRTIO_BLK_T_IN, 0, 512), VIRTIO_BLK_S_OK);
	atomic_fetch_add(&cpu->ctr.exit_io_out, 1);
	fc_metrics_detach(m);	/* the VM's last line */
	j = line_of(fd, 1);
	ck_assert_int_eq(field(j, "block_rootfs", "read_count"), 1);
	ck_assert_int_eq(field(j, "block_rootfs", "read_bytes"), 512);
	ck_assert_int_eq(field(j, "block_rootfs", "write_count"), 0);
	ck_assert_int_eq(field(j, "block", "read_count"), 1);
	ck_assert_int_eq(field(j, "uart", "write_count"), 0);
	ck_assert_int_eq(field(j, "vcpu", "exit_io_out"), 1);
	json_decref(j);

	/* detached: no VM counters any more, the aggregates stay */
	ck_assert_int_eq(fc_metrics_flush(m), 0);
	j = line_of(fd, 2);
	ck_assert_ptr_null(json_object_get(j, "block_rootfs"));
	ck_assert_int_eq(field(j, "block", "read_count"), 0);
	json_decref(j);
	fc_metrics_close(m);
	ck_assert_uint_eq(lines_in(fd), 4);
	close(fd);

	uart_destroy(vm.uart);
	vm.uart = NULL;
	i8042_destroy(vm.i8042);
	vm.i8042 = NULL;
	vm.vcpus = NULL;
	vm.ncpus = 0;
	free(cpu);
}
END_TEST

START_TEST(fc_metrics_periodic)
{
	struct virtio_config c = { .transport = VIRTIO_TRANSPORT_MMIO, .nnets = 2 };
	struct fc_metrics *m;
	char err[256], sock[128];
	json_t *j;
	int fd;

	/* two NICs on the socket backend: groups net_eth0 and net_eth1 */
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(sock, sizeof(sock), "%s/nic%u", dir, i);
		c.nets[i].kind = VIRTIO_NET_SOCKET;
		c.nets[i].spec = strdup(sock);
		c.nets[i].path = strdup(sock);
		c.nets[i].mac[0] = 0x02;
		c.nets[i].mac[5] = (unsigned char)(i + 1);
		c.nets[i].mac_given = true;
	}
	ck_assert_int_eq(testvm_start(&vm, &c), 0);
	vm_up = true;
	ck_assert_int_eq(fc_metrics_open(path, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(fc_metrics_attach_every(m, &vm, 0), -EINVAL);
	ck_assert_int_eq(fc_metrics_attach_every(m, &vm, 40), 0);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	fx_run_for(&vm.plat.loop, 300);	/* the main loop turns: the timer flushes on its own */
	ck_assert_uint_ge(lines_in(fd), 3);
	j = line_of(fd, 0);
	ck_assert_int_eq(field(j, "net_eth0", "tx_packets_count"), 0);
	ck_assert_int_eq(field(j, "net_eth1", "rx_bytes_count"), 0);
	ck_assert_int_eq(field(j, "net", "rx_bytes_count"), 0);
	ck_assert_ptr_null(json_object_get(j, "net_eth2"));
	json_decref(j);
	fc_metrics_close(m);		/* detaches: the timer leaves the loop */
	close(fd);
	for (unsigned int i = 0; i < 2; i++) {
		snprintf(sock, sizeof(sock), "%s/nic%u", dir, i);
		unlink(sock);
	}
}
END_TEST

Suite *fc_metrics_suite(void)
{
	Suite *s = suite_create("fc_metrics");
	TCase *t = tcase_create("fc_metrics");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, fc_metrics_shape_and_deltas);
	tcase_add_test(t, fc_metrics_fifo_reader);
	tcase_add_test(t, fc_metrics_device_counters);
	tcase_add_test(t, fc_metrics_periodic);
	suite_add_tcase(s, t);
	return s;
}
