/* Unit tests of the command line: sizes, numbers, options, and the one-line errors for bad input. */
#include "tests/unit/suites.h"

#include "vmm/cli.h"
#include "vmm/opt.h"

#include <errno.h>
#include <string.h>

START_TEST(sizes)
{
	uint64_t v;

	ck_assert_int_eq(opt_parse_size("256M", &v), 0);
	ck_assert_uint_eq(v, 256ull << 20);
	ck_assert_int_eq(opt_parse_size("256", &v), 0);
	ck_assert_uint_eq(v, 256ull << 20);
	ck_assert_int_eq(opt_parse_size("4096k", &v), 0);
	ck_assert_uint_eq(v, 4096ull << 10);
	ck_assert_int_eq(opt_parse_size("1G", &v), 0);
	ck_assert_uint_eq(v, 1ull << 30);
	ck_assert_int_eq(opt_parse_size("2T", &v), 0);
	ck_assert_uint_eq(v, 2ull << 40);
	ck_assert_int_eq(opt_parse_size("64MiB", &v), 0);
	ck_assert_uint_eq(v, 64ull << 20);
	ck_assert_int_eq(opt_parse_size("64MB", &v), 0);
	ck_assert_int_eq(opt_parse_size("0", &v), 0);
	ck_assert_uint_eq(v, 0);
	/* leading zeros, however many, are no overflow (40 digits were once "too large") */
	ck_assert_int_eq(opt_parse_size("0000000000000000000000000000000000000256", &v), 0);
	ck_assert_uint_eq(v, 256ull << 20);
	ck_assert_int_eq(opt_parse_size("00000000000000000000000000000000000000001G", &v), 0);
	ck_assert_uint_eq(v, 1ull << 30);
	ck_assert_int_eq(opt_parse_size("0000000000000000000000000000000000000000", &v), 0);
	ck_assert_uint_eq(v, 0);
}
END_TEST

START_TEST(bad_sizes)
{
	static const char *const bad[] = { "", "M", "-1M", "12Q", "1.5G", "1 G", "0x10M", "1MM", "1Mx", "G1" };
	uint64_t v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(opt_parse_size(bad[i], &v) == -EINVAL, "'%s' accepted", bad[i]);
	ck_assert_int_eq(opt_parse_size(NULL, &v), -EINVAL);
	ck_assert_int_eq(opt_parse_size("17179869184T", &v), -ERANGE);
	ck_assert_int_eq(opt_parse_size("99999999999999999999999", &v), -ERANGE);
	ck_assert_int_eq(opt_parse_size("18446744073709551615", &v), -ERANGE);	/* in MiB */
}
END_TEST

START_TEST(uints)
{
	unsigned long long v;

	ck_assert_int_eq(opt_parse_uint("0", 10, &v), 0);
	ck_assert_int_eq(opt_parse_uint("10", 10, &v), 0);
	ck_assert_uint_eq(v, 10);
	ck_assert_int_eq(opt_parse_uint("11", 10, &v), -ERANGE);
	ck_assert_int_eq(opt_parse_uint("-1", 10, &v), -EINVAL);
	ck_assert_int_eq(opt_parse_uint("+1", 10, &v), -EINVAL);
	ck_assert_int_eq(opt_parse_uint("1a", 10, &v), -EINVAL);
	ck_assert_int_eq(opt_parse_uint("", 10, &v), -EINVAL);
	ck_assert_int_eq(opt_parse_uint("184467440737095516160", ~0ull, &v), -ERANGE);
}
END_TEST

static int parse(struct cli_options *o, char *err, const char *const *args)
{
	char *argv[16];
	int argc = 0;

	argv[argc++] = (char *)"keel";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	err[0] = '\0';
	cli_options_free(o);	/* what the last parse into @o (zeroed before the first) owns */
	return cli_parse(argc, argv, o, err, 256);
}

#define PARSE(...) parse(&o, err, (const char *const[]){ __VA_ARGS__, NULL })

START_TEST(defaults_and_values)
{
	struct cli_options o = { 0 };
	char err[256];

	ck_assert_int_eq(PARSE("run"), 0);
	ck_assert_int_eq(o.command, CLI_RUN);
	ck_assert_uint_eq(o.cfg.mem_size, 256ull << 20);
	ck_assert_uint_eq(o.cfg.ncpus, 1);
	ck_assert_ptr_null(o.cfg.kernel_path);
	ck_assert_uint_eq(o.cfg.ninitrds, 0);
	ck_assert_str_eq(o.cfg.cmdline, "");
	ck_assert_int_eq(PARSE("run", "--kernel", "k.elf", "--initrd=i.img", "--cmdline", "a b=c", "--mem",
			       "1G", "--cpus=4", "-v"),
			 0);
	ck_assert_str_eq(o.cfg.kernel_path, "k.elf");
	ck_assert_str_eq(o.cfg.initrd_paths[0], "i.img");
	ck_assert_str_eq(o.cfg.cmdline, "a b=c");
	ck_assert_uint_eq(o.cfg.mem_size, 1ull << 30);
	ck_assert_uint_eq(o.cfg.ncpus, 4);
	ck_assert_int_eq(o.verbosity, 1);
	ck_assert_int_eq(PARSE("run", "--cmdline="), 0);
	ck_assert_str_eq(o.cfg.cmdline, "");
	cli_options_free(&o);
}
END_TEST

START_TEST(help_and_version)
{
	struct cli_options o = { 0 };
	char err[256];

	ck_assert_int_eq(PARSE("--help"), 0);
	ck_assert_int_eq(o.command, CLI_HELP);
	ck_assert_int_eq(PARSE("run", "--cpus", "2", "--help"), 0);
	ck_assert_int_eq(o.command, CLI_HELP);
	ck_assert_int_eq(PARSE("--version"), 0);
	ck_assert_int_eq(o.command, CLI_VERSION);
	cli_options_free(&o);
}
END_TEST

static void expect_error(const char *const *args, const char *needle)
{
	struct cli_options o = { 0 };
	char err[256];

	ck_assert_msg(parse(&o, err, args) == -EINVAL, "accepted; expected an error with '%s'", needle);
	ck_assert_msg(strstr(err, needle) != NULL, "error '%s' lacks '%s'", err, needle);
	ck_assert_ptr_null(strchr(err, '\n'));
	cli_options_free(&o);
}

#define EXPECT_ERROR(needle, ...) expect_error((const char *const[]){ __VA_ARGS__, NULL }, needle)

START_TEST(errors)
{
	struct cli_options o = { 0 };
	char err[256];
	char *argv[] = { (char *)"keel", NULL };

	ck_assert_int_eq(cli_parse(1, argv, &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "no command"));
	cli_options_free(&o);
	EXPECT_ERROR("unknown command 'walk'", "walk");
	EXPECT_ERROR("unknown option '--frobnicate'", "--frobnicate");
	EXPECT_ERROR("unknown option '--frobnicate'", "run", "--frobnicate");
	EXPECT_ERROR("unexpected argument 'extra'", "run", "extra");
	EXPECT_ERROR("--mem needs a value", "run", "--mem");
	EXPECT_ERROR("--mem lots: not a size", "run", "--mem", "lots");
	EXPECT_ERROR("--mem 1M: too small", "run", "--mem", "1M");
	EXPECT_ERROR("--mem 3T: too large", "run", "--mem", "3T");
	EXPECT_ERROR("--mem 99999999999999999999G: too large", "run", "--mem", "99999999999999999999G");
	EXPECT_ERROR("--mem 5001K: not a multiple of 4 KiB", "run", "--mem", "5001K");
	EXPECT_ERROR("--cpus 0: must be between 1", "run", "--cpus", "0");
	EXPECT_ERROR("--cpus 5000: must be between 1", "run", "--cpus", "5000");
	EXPECT_ERROR("--cpus two: not a number", "run", "--cpus", "two");
	EXPECT_ERROR("--cpus -1: not a number", "run", "--cpus=-1");
	EXPECT_ERROR("--kernel given twice", "run", "--kernel", "a", "--kernel", "b");
	EXPECT_ERROR("--cpus needs a value", "run", "--cpus");
	EXPECT_ERROR("--mem given twice", "run", "--mem", "64M", "--mem=128M");
	EXPECT_ERROR("--cpus given twice", "run", "--cpus", "1", "--cpus", "2");
	EXPECT_ERROR("--cmdline given twice", "run", "--cmdline", "", "--cmdline", "x");
	EXPECT_ERROR("--boot-protocol multiboot3: unknown protocol (auto, linux, multiboot, multiboot2 or pvh)", "run",
		     "--boot-protocol", "multiboot3");
	EXPECT_ERROR("--gdb-wait takes no value", "run", "--gdb-wait=yes");
}
END_TEST

START_TEST(cmdline_too_long)
{
	static char longline[3000];
	struct cli_options o = { 0 };
	char err[256];

	memset(longline, 'x', sizeof(longline) - 1);
	ck_assert_int_eq(parse(&o, err, (const char *const[]){ "run", "--cmdline", longline, NULL }), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "too long"));
	longline[2047] = '\0';
	ck_assert_int_eq(parse(&o, err, (const char *const[]){ "run", "--cmdline", longline, NULL }), 0);
	ck_assert_str_eq(o.cfg.cmdline, longline);
	cli_options_free(&o);
}
END_TEST

Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("cli");

	tcase_add_test(tc, sizes);
	tcase_add_test(tc, bad_sizes);
	tcase_add_test(tc, uints);
	tcase_add_test(tc, defaults_and_values);
	tcase_add_test(tc, help_and_version);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, cmdline_too_long);
	suite_add_tcase(s, tc);
	return s;
}
