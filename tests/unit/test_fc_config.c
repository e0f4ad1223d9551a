/* Unit tests of Firecracker's configuration document (vmm/fc/fc_config.c, fc_json.c) and command line (vmm/fc/cli.c): every section into keel's configuration, every bad field named. */
#include "tests/unit/suites.h"

#include "vmm/fc/cli.h"
#include "vmm/fc/fc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct vm_config cfg;
static struct fc_runtime rt;
static char err[512];

static void setup(void)
{
	vm_config_init(&cfg);
	memset(&rt, 0, sizeof(rt));
	err[0] = '\0';
}

static void teardown(void)
{
	vm_config_free(&cfg);
	fc_runtime_free(&rt);
}

/* Apply JSON text @text to a fresh configuration; fc_config_apply's return. */
static int apply(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	int r;

	ck_assert_msg(doc != NULL, "bad test JSON: %s", jerr.text);
	vm_config_free(&cfg);
	vm_config_init(&cfg);
	fc_runtime_free(&rt);
	err[0] = '\0';
	r = fc_config_apply(doc, &cfg, &rt, err, sizeof(err));
	json_decref(doc);
	return r;
}

START_TEST(defaults)
{
	ck_assert_int_eq(apply("{}"), 0);
	ck_assert_uint_eq(cfg.ncpus, 1);
	ck_assert_uint_eq(cfg.mem_size, 128ull << 20);	/* Firecracker's default, not keel run's */
	ck_assert_ptr_null(cfg.kernel_path);		/* the bundled guest */
	ck_assert_str_eq(cfg.cmdline, "");
	ck_assert_int_eq(cfg.virtio.transport, VIRTIO_TRANSPORT_MMIO);	/* as Firecracker's devices */
	ck_assert_uint_eq(virtio_config_ndevices(&cfg.virtio), 0);
	ck_assert_ptr_null(rt.log_path);
	ck_assert_ptr_null(rt.metrics_path);
}
END_TEST

START_TEST(machine_and_boot)
{
	ck_assert_int_eq(apply("{\"boot-source\": {\"kernel_image_path\": \"/k\", \"initrd_path\": \"/i\","
			       " \"boot_args\": \"console=ttyS0 quiet\"},"
			       " \"machine-config\": {\"vcpu_count\": 3, \"mem_size_mib\": 512, \"smt\": false,"
			       " \"track_dirty_pages\": false, \"cpu_template\": \"None\", \"huge_pages\": \"None\"}}"), 0);
	ck_assert_uint_eq(cfg.ncpus, 3);
	ck_assert_uint_eq(cfg.mem_size, 512ull << 20);
	ck_assert_str_eq(cfg.kernel_path, "/k");
	ck_assert_uint_eq(cfg.ninitrds, 1);
	ck_assert_str_eq(cfg.initrd_paths[0], "/i");
	ck_assert_str_eq(cfg.cmdline, "console=ttyS0 quiet");
}
END_TEST

START_TEST(drives_root_first)
{
	ck_assert_int_eq(apply("{\"boot-source\": {\"boot_args\": \"console=ttyS0\"}, \"drives\": ["
			       "{\"drive_id\": \"data\", \"path_on_host\": \"/d.img\", \"is_root_device\": false,"
			       " \"cache_type\": \"Writeback\", \"io_engine\": \"Sync\", \"rate_limiter\": {}},"
			       "{\"drive_id\": \"rootfs\", \"path_on_host\": \"/r.img\", \"is_root_device\": true,"
			       " \"is_read_only\": true, \"rate_limiter\": null}]}"), 0);
	ck_assert_uint_eq(cfg.virtio.ndisks, 2);
	ck_assert_str_eq(cfg.virtio.disks[0].id, "rootfs");	/* the root device comes first: /dev/vda */
	ck_assert_str_eq(cfg.virtio.disks[0].path, "/r.img");
	ck_assert(cfg.virtio.disks[0].readonly);
	ck_assert_str_eq(cfg.virtio.disks[1].id, "data");
	ck_assert(!cfg.virtio.disks[1].readonly);
	ck_assert_str_eq(cfg.cmdline, "console=ttyS0 root=/dev/vda ro");
	ck_assert_int_eq(apply("{\"drives\": [{\"drive_id\": \"r\", \"path_on_host\": \"/r\", \"is_root_device\": true,"
			       " \"partuuid\": \"0eaa91a0-01\"}]}"), 0);
	ck_assert_str_eq(cfg.cmdline, "root=PARTUUID=0eaa91a0-01 rw");
}
END_TEST

START_TEST(nic_vsock_entropy_outputs)
{
	static const unsigned char mac[6] = { 0x06, 0x00, 0xac, 0x10, 0x00, 0x02 };

	ck_assert_int_eq(apply("{\"network-interfaces\": [{\"iface_id\": \"eth0\", \"host_dev_name\": \"tap7\","
			       " \"guest_mac\": \"06:00:AC:10:00:02\", \"rx_rate_limiter\": {\"bandwidth\": null},"
			       " \"tx_rate_limiter\": {}}],"
			       " \"vsock\": {\"vsock_id\": \"v\", \"guest_cid\": 42, \"uds_path\": \"/tmp/fc-v.sock\"},"
			       " \"entropy\": {}, \"logger\": {\"log_path\": \"/tmp/l\", \"level\": \"debug\","
			       " \"show_level\": true, \"show_log_origin\": false}, \"metrics\": {\"metrics_path\": \"/tmp/m\"}}"),
			 0);
	ck_assert_uint_eq(cfg.virtio.nnets, 1);
	ck_assert_int_eq(cfg.virtio.nets[0].kind, VIRTIO_NET_TAP);
	ck_assert_str_eq(cfg.virtio.nets[0].ifname, "tap7");
	ck_assert(cfg.virtio.nets[0].mac_given);
	ck_assert_mem_eq(cfg.virtio.nets[0].mac, mac, 6);
	ck_assert(cfg.virtio.vsock.on);
	ck_assert_uint_eq(cfg.virtio.vsock.guest_cid, 42);
	ck_assert_str_eq(cfg.virtio.vsock.uds_path, "/tmp/fc-v.sock");
	ck_assert(cfg.virtio.rng);
	ck_assert_str_eq(rt.log_path, "/tmp/l");
	ck_assert(rt.level_given);
	ck_assert_int_eq(rt.level, LOG_DEBUG);
	ck_assert(rt.show_level);
	ck_assert(!rt.show_log_origin);
	ck_assert_str_eq(rt.metrics_path, "/tmp/m");
}
END_TEST

START_TEST(keel_section)
{
	ck_assert_int_eq(apply("{\"keel\": {\"transport\": \"pci\", \"console\": \"file:/tmp/c.txt\", \"rng\": \"msix=off\","
			       " \"disks\": [\"/x.img,id=x,transport=mmio\"], \"net\": [\"socket:/tmp/fc-n.sock\"],"
			       " \"gdb\": \"tcp:1234\", \"gdb_wait\": true, \"shutdown_timeout\": \"5\","
			       " \"fw_cfg\": [\"name=opt/a,string=b\"]},"
			       " \"drives\": [{\"drive_id\": \"d\", \"path_on_host\": \"/d\", \"is_root_device\": false}]}"),
			 0);
	ck_assert_int_eq(cfg.virtio.transport, VIRTIO_TRANSPORT_PCI);
	ck_assert_int_eq(cfg.virtio.console.kind, VIRTIO_CONSOLE_FILE);
	ck_assert(cfg.virtio.rng);
	ck_assert(cfg.virtio.rng_place.no_msix);
	ck_assert_uint_eq(cfg.virtio.ndisks, 2);
	ck_assert_str_eq(cfg.virtio.disks[0].id, "d");	/* Firecracker's drives first, then keel's list */
	ck_assert_str_eq(cfg.virtio.disks[1].id, "x");
	ck_assert_int_eq(cfg.virtio.disks[1].place.transport, VIRTIO_TRANSPORT_MMIO);
	ck_assert_uint_eq(cfg.virtio.nnets, 1);
	ck_assert_int_eq(cfg.virtio.nets[0].kind, VIRTIO_NET_SOCKET);
	ck_assert_str_eq(cfg.gdb, "tcp:1234");
	ck_assert(cfg.gdb_wait);
	ck_assert_uint_eq(cfg.shutdown_timeout, 5);
	ck_assert_uint_eq(cfg.nfw_cfg, 1);
}
END_TEST

START_TEST(nulls)
{
	ck_assert_int_eq(apply("{\"boot-source\": null, \"machine-config\": {\"vcpu_count\": 2, \"mem_size_mib\": 64,"
			       " \"smt\": null, \"cpu_template\": null}, \"drives\": null, \"network-interfaces\": null,"
			       " \"vsock\": null, \"logger\": null, \"metrics\": null, \"entropy\": null, \"balloon\": null,"
			       " \"mmds-config\": null, \"keel\": null}"), 0);
	ck_assert_uint_eq(cfg.ncpus, 2);
	ck_assert_uint_eq(virtio_config_ndevices(&cfg.virtio), 0);
}
END_TEST

/* Each bad document and the words its one-line error must hold. */
static const struct {
	const char *json;
	const char *needle;
} bad[] = {
	{ "[]", "config: expected an object, got an array" },
	{ "{\"nope\": {}}", "nope: unknown section" },
	{ "{\"balloon\": {}}", "balloon: not supported" },
	{ "{\"mmds-config\": {}}", "mmds-config: not supported" },
	{ "{\"cpu-config\": {}}", "cpu-config: not supported" },
	{ "{\"boot-source\": 1}", "boot-source: expected an object, got an integer" },
	{ "{\"boot-source\": {\"kernel\": \"/k\"}}", "boot-source: unknown field 'kernel'" },
	{ "{\"boot-source\": {\"boot_args\": true}}", "boot-source.boot_args: expected a string, got a boolean" },
	{ "{\"boot-source\": {\"boot_args\": \"a\\u0000b\"}}", "boot-source.boot_args: contains a NUL" },
	{ "{\"machine-config\": {\"mem_size_mib\": 128}}", "machine-config.vcpu_count: missing (required)" },
	{ "{\"machine-config\": {\"vcpu_count\": 1}}", "machine-config.mem_size_mib: missing (required)" },
	{ "{\"machine-config\": {\"vcpu_count\": -1, \"mem_size_mib\": 128}}", "machine-config.vcpu_count: -1 is out of range" },
	{ "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 2}}", "machine-config.mem_size_mib: 2 is out of range" },
	{ "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 1.5}}", "a number with a fraction" },
	{ "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 128, \"smt\": true}}", "machine-config.smt: true is not supported" },
	{ "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 128, \"smt\": 1}}", "machine-config.smt: expected true or false" },
	{ "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 128, \"huge_pages\": \"2M\"}}", "huge_pages: '2M' is not supported" },
	{ "{\"machine-config\": {\"vcpu_count\": 1, \"mem_size_mib\": 128, \"track_dirty_pages\": true}}", "track_dirty_pages: true is not supported" },
	{ "{\"drives\": 5}", "config.drives: expected an array, got an integer" },
	{ "{\"drives\": [5]}", "drives[0]: expected an object" },
	{ "{\"drives\": [{\"drive_id\": \"a\", \"is_root_device\": false}]}", "drives[0].path_on_host: missing" },
	{ "{\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"/a\", \"is_root_device\": false, \"io_engine\": \"Fast\"}]}", "drives[0].io_engine: 'Fast' is not an I/O engine" },
	{ "{\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"/a\", \"is_root_device\": true, \"partuuid\": \"a b\"}]}", "drives[0].partuuid" },
	{ "{\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"/a\", \"is_root_device\": false, \"rate_limiter\": {\"ops\": {\"size\": 5}}}]}", "drives[0].rate_limiter: rate limiting is not supported" },
	{ "{\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"/a\", \"is_root_device\": false, \"rate_limiter\": {\"x\": null}}]}", "drives[0].rate_limiter: unknown field" },
	{ "{\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"/a\", \"is_root_device\": false}, {\"drive_id\": \"a\", \"path_on_host\": \"/b\", \"is_root_device\": false}]}", "drives[1].drive_id: 'a' is given twice" },
	{ "{\"network-interfaces\": [{\"iface_id\": \"e\", \"host_dev_name\": \"a,b\"}]}", "network-interfaces[0].host_dev_name: 'a,b' is not a tap interface name" },
	{ "{\"network-interfaces\": [{\"iface_id\": \"e\", \"host_dev_name\": \"t\", \"guest_mac\": \"01:00:00:00:00:01\"}]}", "network-interfaces[0].host_dev_name: " },
	{ "{\"vsock\": {\"guest_cid\": 4294967295, \"uds_path\": \"/v\"}}", "vsock.guest_cid: 4294967295 is out of range" },
	{ "{\"vsock\": {\"guest_cid\": 3, \"uds_path\": \"/v\", \"port\": 1}}", "vsock: unknown field 'port'" },
	{ "{\"logger\": {\"log_path\": \"\"}}", "logger.log_path: empty path" },
	{ "{\"logger\": {\"level\": \"Chatty\"}}", "logger.level: 'Chatty' is not a level" },
	{ "{\"logger\": {\"module\": \"api_server\"}}", "logger.module: filtering by module is not supported" },
	{ "{\"metrics\": {\"metrics_path\": 3}}", "metrics.metrics_path: expected a string" },
	{ "{\"entropy\": {\"rate_limiter\": {\"bandwidth\": {\"size\": 1}}}}", "entropy.rate_limiter: rate limiting is not supported" },
	{ "{\"keel\": {\"transport\": \"usb\"}}", "keel.transport: " },
	{ "{\"keel\": {\"console\": 5}}", "keel.console: expected a string" },
	{ "{\"keel\": {\"disks\": \"/a\"}}", "keel.disks: expected an array" },
	{ "{\"keel\": {\"inputs\": [\"mouse\"]}}", "keel.inputs[0]: " },
	{ "{\"keel\": {\"gdb_wait\": true}}", "keel.gdb_wait: " },
};

START_TEST(bad_documents)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(apply(bad[i].json) == -EINVAL, "%s was accepted", bad[i].json);
		ck_assert_msg(strstr(err, bad[i].needle) != NULL, "%s: '%s' lacks '%s'", bad[i].json, err, bad[i].needle);
		ck_assert_msg(strchr(err, '\n') == NULL, "%s: the error is more than one line", bad[i].json);
	}
}
END_TEST

START_TEST(files_checked)
{
	char dir[] = "/tmp/keel-fc-XXXXXX", path[64], doc[256];
	json_t *d;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/k", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	snprintf(doc, sizeof(doc), "{\"boot-source\": {\"kernel_image_path\": \"%s\"}, \"drives\": [{\"drive_id\": \"a\","
		 " \"path_on_host\": \"%s/none\", \"is_root_device\": false}]}", path, dir);
	d = json_loads(doc, 0, NULL);
	ck_assert_int_eq(fc_config_check_files(d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "drives[0].path_on_host: "));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	json_decref(d);
	snprintf(doc, sizeof(doc), "{\"boot-source\": {\"kernel_image_path\": \"%s\"}}", dir);
	d = json_loads(doc, 0, NULL);
	ck_assert_int_eq(fc_config_check_files(d, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "boot-source.kernel_image_path: "));
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	json_decref(d);
	snprintf(doc, sizeof(doc), "{\"boot-source\": {\"kernel_image_path\": \"%s\"}}", path);
	d = json_loads(doc, 0, NULL);
	ck_assert_int_eq(fc_config_check_files(d, err, sizeof(err)), 0);
	json_decref(d);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(load_file)
{
	char path[] = "/tmp/keel-fc-cfg-XXXXXX";
	json_t *doc = NULL;
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\n  \"a\": 1,\n  \"a\": 2\n}\n", 24), 24);
	close(fd);
	ck_assert_int_eq(fc_config_load(path, &doc, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(strstr(err, ":3:"));	/* the line of the duplicate key */
	ck_assert_ptr_nonnull(strstr(err, "not valid JSON"));
	fd = open(path, O_WRONLY | O_TRUNC);
	ck_assert_int_eq(write(fd, "{\"machine-config\": null}", 24), 24);
	close(fd);
	ck_assert_int_eq(fc_config_load(path, &doc, err, sizeof(err)), 0);
	ck_assert(json_is_object(doc));
	json_decref(doc);
	unlink(path);
	ck_assert_int_eq(fc_config_load(path, &doc, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	ck_assert_int_eq(fc_config_load("/tmp", &doc, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
}
END_TEST

/* Parse a Firecracker command line given as words after the program; fc_cli_parse's return. */
static int fc_parse(struct fc_options *o, const char *const *words, int n)
{
	char *argv[16];

	argv[0] = (char *)"firecracker";
	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)words[i];
	return fc_cli_parse(n + 1, argv, 1, o, err, sizeof(err));
}

START_TEST(command_line)
{
	static const char *const all[] = { "--api-sock", "/tmp/s", "--id", "vm-7", "--level", "debug", "--log-path",
					   "/tmp/l", "--show-level", "--show-log-origin", "--metrics-path=/tmp/m",
					   "--boot-timer", "--no-seccomp", "--start-time-us", "99" };
	static const char *const none[] = { "--version" };
	struct fc_options o;

	ck_assert_int_eq(fc_parse(&o, none, 0), 0);
	ck_assert_str_eq(o.api_sock, FC_DEFAULT_API_SOCK);
	ck_assert_str_eq(o.id, FC_DEFAULT_ID);
	ck_assert_int_eq(o.level, LOG_WARN);
	ck_assert_uint_eq(o.max_body, 51200);
	ck_assert_int_eq(fc_parse(&o, none, 1), 0);
	ck_assert(o.version);
	ck_assert_int_eq(fc_parse(&o, all, 15), 0);
	ck_assert_str_eq(o.api_sock, "/tmp/s");
	ck_assert_str_eq(o.id, "vm-7");
	ck_assert_int_eq(o.level, LOG_DEBUG);
	ck_assert(o.show_level && o.show_log_origin && o.boot_timer && o.no_seccomp);
	ck_assert_str_eq(o.metrics_path, "/tmp/m");
}
END_TEST

START_TEST(command_line_errors)
{
	static const struct {
		const char *words[3];
		int n;
		const char *needle;
	} cases[] = {
		{ { "--no-api" }, 1, "--no-api needs --config-file" },
		{ { "--id", "a b" }, 2, "--id: character 2" },
		{ { "--id", "" }, 2, "--id: 0 characters" },
		{ { "--level", "loud" }, 2, "--level loud: not a level" },
		{ { "--http-api-max-payload-size", "0" }, 2, "--http-api-max-payload-size" },
		{ { "--seccomp-filter", "/f" }, 2, "custom filter files are not supported" },
		{ { "--api-sock", "" }, 2, "--api-sock: empty path" },
		{ { "--bogus" }, 1, "--bogus" },
		{ { "--api-sock" }, 1, "--api-sock" },
	};
	struct fc_options o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(fc_parse(&o, cases[i].words, cases[i].n) == -EINVAL, "case %zu accepted", i);
		ck_assert_msg(strstr(err, cases[i].needle) != NULL, "case %zu: '%s' lacks '%s'", i, err, cases[i].needle);
	}
}
END_TEST

Suite *fc_config_suite(void)
{
	Suite *s = suite_create("fc_config");
	TCase *t = tcase_create("core");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, defaults);
	tcase_add_test(t, machine_and_boot);
	tcase_add_test(t, drives_root_first);
	tcase_add_test(t, nic_vsock_entropy_outputs);
	tcase_add_test(t, keel_section);
	tcase_add_test(t, nulls);
	tcase_add_test(t, bad_documents);
	tcase_add_test(t, files_checked);
	tcase_add_test(t, load_file);
	tcase_add_test(t, command_line);
	tcase_add_test(t, command_line_errors);
	suite_add_tcase(s, t);
	return s;
}
