/* Unit tests of Firecracker's logger (vmm/fc/fc_log.c): the line for each show_level / show_log_origin, level filtering through log.h's sink, files and FIFOs. */
#include "tests/unit/suites.h"

#include "tests/virtio/testvm.h"
#include "vmm/fc/fc_config.h"
#include "vmm/fc/fc_log.h"
#include "vmm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char dir[64];
static char path[96];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/keel-fclog-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

/* The whole of a file (or what a FIFO's reader fd holds now), NUL-terminated, in a static buffer. */
static const char *slurp(int fd)
{
	static char buf[65536];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(buf) - 1 && (n = read(fd, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	return buf;
}

static const char *slurp_path(void)
{
	int fd = open(path, O_RDONLY);
	const char *s;

	ck_assert_int_ge(fd, 0);
	s = slurp(fd);
	close(fd);
	return s;
}

static unsigned int count_lines(const char *s)
{
	unsigned int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(fc_log_line_formats)
{
	struct log_record rec = { .level = LOG_WARN, .file = "vmm/vm.c", .line = 42, .msg = "disk gone", .len = 9 };
	char buf[256];
	size_t n;

	/* 2026-12-03T16:44:19 UTC is 1796316259 */
	n = fc_log_format(buf, sizeof(buf), &rec, "vm7", "fc_vcpu 0", false, false, 1796316259, 5);
	ck_assert_str_eq(buf, "2026-12-03T16:44:19.000000005 [vm7:fc_vcpu 0] disk gone\n");
	ck_assert_uint_eq(n, strlen(buf));
	fc_log_format(buf, sizeof(buf), &rec, "vm7", "fc_vcpu 0", true, false, 1796316259, 5);
	ck_assert_str_eq(buf, "2026-12-03T16:44:19.000000005 [vm7:fc_vcpu 0:WARN] disk gone\n");
	fc_log_format(buf, sizeof(buf), &rec, "vm7", "fc_vcpu 0", false, true, 1796316259, 5);
	ck_assert_str_eq(buf, "2026-12-03T16:44:19.000000005 [vm7:fc_vcpu 0:vmm/vm.c:42] disk gone\n");
	fc_log_format(buf, sizeof(buf), &rec, "vm7", "fc_vcpu 0", true, true, 1796316259, 123456789);
	ck_assert_str_eq(buf, "2026-12-03T16:44:19.123456789 [vm7:fc_vcpu 0:WARN:vmm/vm.c:42] disk gone\n");

	/* defaults: no id, no thread name, no origin known */
	rec = (struct log_record){ .level = LOG_ERROR, .msg = "x", .len = 1 };
	fc_log_format(buf, sizeof(buf), &rec, NULL, "", true, true, 0, 0);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00.000000000 [anonymous-instance:-:ERROR:?:0] x\n");
	rec.level = LOG_INFO;
	fc_log_format(buf, sizeof(buf), &rec, NULL, NULL, true, false, 0, 0);
	ck_assert_ptr_nonnull(strstr(buf, ":INFO] x\n"));
	rec.level = LOG_DEBUG;
	fc_log_format(buf, sizeof(buf), &rec, NULL, NULL, true, false, 0, 0);
	ck_assert_ptr_nonnull(strstr(buf, ":DEBUG] x\n"));

	/* a line too long for the buffer is cut and still ends the line */
	n = fc_log_format(buf, 40, &rec, "an-instance-id-that-is-rather-long", "t", true, true, 0, 0);
	ck_assert_uint_eq(n, 39);
	ck_assert_int_eq(buf[38], '\n');
	ck_assert_int_eq(buf[39], '\0');
}
END_TEST

START_TEST(fc_log_levels_to_file)
{
	struct fc_runtime rt = { .log_path = path, .level = LOG_INFO, .level_given = true, .show_level = true,
				 .show_log_origin = true };
	enum log_level was = log_get_level();
	struct fc_log *l, *l2;
	char err[256];
	const char *text, *p;
	int fd, saved, null;

	/* an existing file is appended to */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "before\n", 7), 7);
	close(fd);

	ck_assert_int_eq(fc_log_open(&rt, "keel-test", &l, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_int_eq(fc_log_open(&rt, "again", &l2, err, sizeof(err)), -EBUSY);	/* once, as in Firecracker */
	ck_assert_ptr_nonnull(strstr(err, "configured already"));
	ck_assert_int_eq(log_get_level(), LOG_INFO);
	log_debug("not at this level %d", 1);
	log_info("an info line %d", 2);
	log_warn("a warning");
	log_error("an error");
	fc_log_close(l);
	saved = dup(2);
	null = open("/dev/null", O_WRONLY);
	ck_assert_int_ge(null, 0);
	dup2(null, 2);
	log_error("to stderr again, not the file");
	dup2(saved, 2);
	close(saved);
	close(null);
	log_set_level(was);

	text = slurp_path();
	ck_assert_uint_eq(count_lines(text), 4);
	ck_assert(!strncmp(text, "before\n", 7));
	ck_assert_ptr_null(strstr(text, "not at this level"));
	ck_assert_ptr_null(strstr(text, "stderr again"));
	p = strstr(text, "[keel-test:");
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(strstr(text, ":INFO:tests/unit/test_fc_log.c:"));
	ck_assert_ptr_nonnull(strstr(text, "] an info line 2\n"));
	ck_assert_ptr_nonnull(strstr(text, ":WARN:tests/unit/test_fc_log.c:"));
	ck_assert_ptr_nonnull(strstr(text, ":ERROR:tests/unit/test_fc_log.c:"));
	ck_assert_ptr_nonnull(strstr(text, "] an error\n"));
}
END_TEST

START_TEST(fc_log_off_and_no_path)
{
	struct fc_runtime rt = { .log_path = path, .level = LOG_OFF, .level_given = true };
	struct fc_runtime none = { 0 };
	enum log_level was = log_get_level();
	struct fc_log *l = (struct fc_log *)&rt;
	char err[256];

	ck_assert_int_eq(fc_log_open(&none, NULL, &l, err, sizeof(err)), 0);
	ck_assert_ptr_null(l);
	fc_log_close(NULL);

	ck_assert_int_eq(fc_log_open(&rt, NULL, &l, err, sizeof(err)), 0);
	log_error("nothing at all");
	fc_log_close(l);
	log_set_level(was);
	ck_assert_str_eq(slurp_path(), "");

	/* a path that cannot be opened is named */
	rt.log_path = "/nonexistent-dir/log";
	ck_assert_int_eq(fc_log_open(&rt, NULL, &l, err, sizeof(err)), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent-dir/log"));
}
END_TEST

START_TEST(fc_log_fifo)
{
	struct fc_runtime rt = { .log_path = path, .level = LOG_WARN, .level_given = true };
	enum log_level was = log_get_level();
	struct fc_log *l;
	char err[256];
	const char *text;
	int rd;

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* with a reader there */
	rd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	ck_assert_int_eq(fc_log_open(&rt, "fifo-vm", &l, err, sizeof(err)), 0);
	log_warn("through the pipe");
	text = slurp(rd);
	ck_assert_uint_eq(count_lines(text), 1);
	ck_assert_ptr_nonnull(strstr(text, " [fifo-vm:"));
	ck_assert_ptr_nonnull(strstr(text, "] through the pipe\n"));
	/* the reader leaves and comes back: keel neither blocks nor dies, the line waits */
	close(rd);
	log_warn("while nobody reads");
	rd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	text = slurp(rd);
	ck_assert_ptr_nonnull(strstr(text, "] while nobody reads\n"));
	ck_assert_uint_eq(fc_log_missed(l), 0);
	fc_log_close(l);
	close(rd);
	log_set_level(was);
}
END_TEST

START_TEST(fc_log_fifo_without_reader)
{
	struct fc_runtime rt = { .log_path = path, .level = LOG_WARN, .level_given = true };
	enum log_level was = log_get_level();
	struct fc_log *l;
	char err[256], big[900], *said;
	const char *text;
	int rd, saved;

	ck_assert_int_eq(mkfifo(path, 0600), 0);
	saved = testvm_capture_stderr();
	ck_assert_int_eq(fc_log_open(&rt, NULL, &l, err, sizeof(err)), 0);	/* does not block */
	said = testvm_release_stderr(saved);
	ck_assert_ptr_nonnull(said);
	ck_assert_ptr_nonnull(strstr(said, "has no reader yet"));	/* and says so */
	free(said);
	log_warn("waits for a reader");
	rd = open(path, O_RDONLY | O_NONBLOCK);
	ck_assert_int_ge(rd, 0);
	text = slurp(rd);
	ck_assert_ptr_nonnull(strstr(text, "] waits for a reader\n"));
	close(rd);

	/* nobody reads: once the pipe is full, lines are dropped and counted, and keel goes on */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (unsigned int i = 0; i < 2000; i++)
		log_warn("%s", big);
	ck_assert_uint_gt(fc_log_missed(l), 0);
	fc_log_close(l);
	log_set_level(was);
}
END_TEST

Suite *fc_log_suite(void)
{
	Suite *s = suite_create("fc_log");
	TCase *t = tcase_create("fc_log");

	tcase_add_checked_fixture(t, setup, teardown);
	tcase_add_test(t, fc_log_line_formats);
	tcase_add_test(t, fc_log_levels_to_file);
	tcase_add_test(t, fc_log_off_and_no_path);
	tcase_add_test(t, fc_log_fifo);
	tcase_add_test(t, fc_log_fifo_without_reader);
	suite_add_tcase(s, t);
	return s;
}
