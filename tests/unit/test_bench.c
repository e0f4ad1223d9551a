/* Unit tests of `keel bench`'s logic: the protocol-line parser, the collector, statistics, paths, the CLI, the JSON report and QEMU's command line. */
#include "tests/unit/suites.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vmm/bench/bench.h"
#include "vmm/bench/collect.h"
#include "vmm/bench/guestvm.h"
#include "vmm/bench/output.h"
#include "vmm/bench/parse.h"
#include "vmm/bench/paths.h"
#include "vmm/bench/stats.h"
#include "vmm/cli.h"

static int parse(const char *s, struct bench_line *l)
{
	return bench_parse_line(s, strlen(s), l);
}

START_TEST(parse_every_event)
{
	struct bench_line l;

	ck_assert_int_eq(parse("bench: begin version=1 iters=100 reps=3 cpus=2 tsc-khz=2300000 tsc-source=cpuid-15", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_BEGIN);
	ck_assert_uint_eq(l.version, 1);
	ck_assert_uint_eq(l.iters, 100);
	ck_assert_uint_eq(l.reps, 3);
	ck_assert_uint_eq(l.cpus, 2);
	ck_assert_uint_eq(l.tsc_khz, 2300000);
	ck_assert_str_eq(l.tsc_source, "cpuid-15");
	ck_assert_int_eq(parse("bench: start path=msr-user ring=0", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_START);
	ck_assert_int_eq(l.path, KEEL_BENCH_PATH_MSR_USER);
	ck_assert_int_eq(l.ring, 0);
	ck_assert_int_eq(parse("bench: ready path=cpuid", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_READY);
	ck_assert_int_eq(l.path, KEEL_BENCH_PATH_CPUID);
	ck_assert_int_eq(parse("bench: path=pio-user rep=3 iters=100000 cycles=123456789", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_REP);
	ck_assert_int_eq(l.path, KEEL_BENCH_PATH_PIO_USER);
	ck_assert_uint_eq(l.rep, 3);
	ck_assert_uint_eq(l.iters, 100000);
	ck_assert_uint_eq(l.cycles, 123456789);
	ck_assert_uint_eq(l.ns, 0);
	ck_assert_int_eq(parse("bench: path=cpuid rep=0 iters=1 cycles=18446744073709551615 ns=5\r", &l), 0);
	ck_assert_uint_eq(l.cycles, 18446744073709551615ull);
	ck_assert_uint_eq(l.ns, 5);
	ck_assert_int_eq(parse("bench: path=hypercall unavailable reason=\"vmcall \\\"hung\\\" \\\\ here\"", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_UNAVAILABLE);
	ck_assert_int_eq(l.path, KEEL_BENCH_PATH_HYPERCALL);
	ck_assert_str_eq(l.reason, "vmcall \"hung\" \\ here");
	ck_assert_int_eq(parse("bench: end", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_END);
	/* extra spaces and unknown keys (a newer guest) are fine */
	ck_assert_int_eq(parse("bench:  ready  path=ipi  extra=1 ", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_READY);
}
END_TEST

START_TEST(parse_other_output)
{
	struct bench_line l;

	ck_assert_int_eq(parse("ok 1 - boot/pvh", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_NONE);
	ck_assert_int_eq(parse("bench:", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_NONE);
	ck_assert_int_eq(parse("", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_NONE);
	ck_assert_int_eq(parse(" bench: end", &l), 0);
	ck_assert_int_eq(l.ev, BENCH_EV_NONE);
}
END_TEST

START_TEST(parse_rejects_malformed)
{
	static const char *const bad[] = {
		"bench: fly",					/* unknown word */
		"bench: start path=warp ring=3",		/* unknown path */
		"bench: start path=cpuid",			/* no ring */
		"bench: start path=cpuid ring=1",		/* no such ring */
		"bench: start ring=3",				/* no path */
		"bench: path=cpuid rep=0 iters=10",		/* no cycles */
		"bench: path=cpuid rep=0 iters=0 cycles=5",	/* no round trips */
		"bench: path=cpuid rep=x iters=10 cycles=5",	/* not a number */
		"bench: path=cpuid rep=-1 iters=10 cycles=5",
		"bench: path=cpuid rep=0 iters=10 cycles=18446744073709551616",	/* overflows */
		"bench: path=cpuid path=cpuid rep=0 iters=1 cycles=1",		/* twice */
		"bench: path=cpuid unavailable",		/* no reason */
		"bench: path=cpuid unavailable reason=\"open",	/* no closing quote */
		"bench: path=cpuid unavailable reason=\"a\"b",	/* junk after the quote */
		"bench: path=cpuid unavailable reason=\"a\\x\"",	/* unknown escape */
		"bench: begin end",				/* two events */
		"bench: begin version=1 iters=1 reps=1",	/* no cpus */
		"bench: =1",
	};
	struct bench_line l;
	char longline[400];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(parse(bad[i], &l) == -EINVAL, "accepted: %s", bad[i]);
		ck_assert_msg(l.reason[0] != '\0', "no reason for: %s", bad[i]);
	}
	memset(longline, 'x', sizeof(longline));
	memcpy(longline, "bench: end ", 11);
	longline[sizeof(longline) - 1] = '\0';
	ck_assert_int_eq(parse(longline, &l), -EINVAL);
}
END_TEST

static const struct bench_limits limits = { .boot_ms = 1000, .probe_ms = 200, .step_ms = 300, .end_ms = 400 };

static void feed(struct bench_collect *c, const char *line)
{
	bench_collect_line(c, line, strlen(line));
}

START_TEST(collect_a_run)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	struct bench_host host = { .tsc_khz = 1000 };
	struct bench_child_result res = { .status = 1 };
	uint32_t asked = 1u << KEEL_BENCH_PATH_CPUID | 1u << KEEL_BENCH_PATH_HYPERCALL | 1u << KEEL_BENCH_PATH_IPI;
	struct bench_collect c;

	bench_collect_init(&c, series, &host, asked, 10, 2, 0, &limits);
	ck_assert_uint_eq(bench_collect_limit_ms(&c), 1000);
	ck_assert(!bench_collect_line(&c, "guest: booting", 14));
	ck_assert(bench_collect_line(&c, "bench: begin version=1 iters=10 reps=2 cpus=2 tsc-khz=999 tsc-source=cpuid-15", 78));
	ck_assert_uint_eq(host.guest_tsc_khz, 999);
	ck_assert_str_eq(host.guest_tsc_source, "cpuid-15");
	feed(&c, "bench: start path=cpuid ring=3");
	ck_assert_uint_eq(bench_collect_limit_ms(&c), 200);
	feed(&c, "bench: ready path=cpuid");
	ck_assert_uint_eq(bench_collect_limit_ms(&c), 300);
	feed(&c, "bench: path=cpuid rep=0 iters=10 cycles=1000");
	feed(&c, "bench: path=cpuid rep=5 iters=10 cycles=1000");	/* out of order: dropped */
	feed(&c, "bench: path=cpuid rep=1 iters=10 cycles=3000");
	feed(&c, "bench: path=ipi rep=0 iters=10 cycles=1");		/* not running: dropped */
	feed(&c, "bench: start path=hypercall ring=0");
	feed(&c, "bench: path=hypercall unavailable reason=\"KVM_CAP_EXIT_HYPERCALL is missing\"");
	feed(&c, "bench: end");
	ck_assert_uint_eq(bench_collect_limit_ms(&c), 400);
	ck_assert_uint_eq(c.bad, 2);
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_CPUID].status, BENCH_OK);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_CPUID].ring, 3);
	ck_assert_uint_eq(series[KEEL_BENCH_PATH_CPUID].nreps, 2);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_HYPERCALL].status, BENCH_UNAVAILABLE);
	ck_assert_str_eq(series[KEEL_BENCH_PATH_HYPERCALL].reason, "KVM_CAP_EXIT_HYPERCALL is missing");
	ck_assert_int_eq(series[KEEL_BENCH_PATH_IPI].status, BENCH_UNAVAILABLE);
	ck_assert_str_eq(series[KEEL_BENCH_PATH_IPI].reason, "the guest did not report this path");
}
END_TEST

START_TEST(collect_a_hang_and_the_retry)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	struct bench_child_result res = { .status = 137, .timed_out = true, .limit_ms = 200 };
	uint32_t asked = 1u << KEEL_BENCH_PATH_CPUID | 1u << KEEL_BENCH_PATH_HYPERCALL | 1u << KEEL_BENCH_PATH_IPI;
	struct bench_collect c;

	bench_collect_init(&c, series, NULL, asked, 10, 1, 0, &limits);
	feed(&c, "bench: begin version=1 iters=10 reps=1 cpus=2");
	feed(&c, "bench: start path=cpuid ring=3");
	feed(&c, "bench: ready path=cpuid");
	feed(&c, "bench: path=cpuid rep=0 iters=10 cycles=1000");
	feed(&c, "bench: start path=hypercall ring=0");
	ck_assert_uint_eq(bench_collect_limit_ms(&c), 200);
	/* the vCPU never comes back from vmcall: killed; ipi never started and is handed back */
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 1u << KEEL_BENCH_PATH_IPI);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_CPUID].status, BENCH_OK);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_HYPERCALL].status, BENCH_UNAVAILABLE);
	ck_assert_ptr_nonnull(strstr(series[KEEL_BENCH_PATH_HYPERCALL].reason, "hung"));
	ck_assert_int_eq(series[KEEL_BENCH_PATH_IPI].status, BENCH_NOT_RUN);
	/* the retry: begin, then silence: no progress at all, nothing handed back */
	bench_collect_init(&c, series, NULL, 1u << KEEL_BENCH_PATH_IPI, 10, 1, 0, &limits);
	feed(&c, "bench: begin version=1 iters=10 reps=1 cpus=2");
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_IPI].status, BENCH_UNAVAILABLE);
}
END_TEST

START_TEST(collect_without_bench_mode)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	struct bench_child_result res = { .status = 1 };
	struct bench_collect c;

	bench_collect_init(&c, series, NULL, 1u << KEEL_BENCH_PATH_PIO_USER, 10, 1, 0, &limits);
	feed(&c, "ok 1 - boot");
	feed(&c, "bench: path=pio-user rep=0 iters=10 cycles=1");	/* before begin: ignored */
	feed(&c, "guest: 75 passed, 0 failed");
	ck_assert_uint_eq(c.bad, 1);
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_int_eq(series[KEEL_BENCH_PATH_PIO_USER].status, BENCH_UNAVAILABLE);
	ck_assert_ptr_nonnull(strstr(series[KEEL_BENCH_PATH_PIO_USER].reason, "no bench mode"));
	/* the VMM itself gave up (status 1 too, but no guest spoke): its last words are the reason */
	bench_collect_init(&c, series, NULL, 1u << KEEL_BENCH_PATH_PIO_USER, 10, 1, 0, &limits);
	feed(&c, "qemu-system-x86_64: -cpu host: not supported \r");
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "QEMU"), 0);
	ck_assert_str_eq(series[KEEL_BENCH_PATH_PIO_USER].reason,
			 "QEMU ended with status 1 before 'bench: begin' (its last words: "
			 "\"qemu-system-x86_64: -cpu host: not supported\")");
	/* a VM that never says anything and is killed */
	res = (struct bench_child_result){ .status = 137, .timed_out = true, .limit_ms = 1000 };
	bench_collect_init(&c, series, NULL, 1u << KEEL_BENCH_PATH_PIO_USER, 10, 1, 0, &limits);
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_ptr_nonnull(strstr(series[KEEL_BENCH_PATH_PIO_USER].reason, "within 1 s"));
}
END_TEST

START_TEST(stats_median_spread)
{
	const double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
	struct bench_stats s;

	ck_assert_int_eq(bench_stats_compute(odd, 3, &s), 0);
	ck_assert(s.median == 3 && s.min == 1 && s.max == 5);
	ck_assert(fabs(s.spread - 4.0 / 3.0) < 1e-9);
	ck_assert_int_eq(bench_stats_compute(even, 4, &s), 0);
	ck_assert(s.median == 2.5 && s.min == 1 && s.max == 4);
	ck_assert_int_eq(bench_stats_compute(odd, 0, &s), -EINVAL);
	ck_assert_int_eq(bench_stats_compute(odd, 1, &s), 0);
	ck_assert(s.median == 5 && s.spread == 0);
}
END_TEST

START_TEST(stats_series_and_ratios)
{
	struct bench_series a = { .status = BENCH_OK, .nreps = 3 }, b = { .status = BENCH_OK, .nreps = 1 };
	struct bench_figures fa, fb;

	a.reps[0] = (struct bench_rep){ .iters = 10, .cycles = 2000 };
	a.reps[1] = (struct bench_rep){ .iters = 10, .cycles = 3000 };
	a.reps[2] = (struct bench_rep){ .iters = 10, .cycles = 1000 };
	ck_assert_int_eq(bench_series_figures(&a, 1000, &fa), 0);	/* 1 MHz: a cycle is 1000 ns */
	ck_assert(fa.cycles.median == 200 && fa.cycles.min == 100 && fa.cycles.max == 300);
	ck_assert(fa.ns_ok && !fa.ns_measured && fa.ns.median == 200000);
	ck_assert(fabs(fa.cycles.spread - 1.0) < 1e-9);
	b.reps[0] = (struct bench_rep){ .iters = 4, .cycles = 200, .ns = 80 };
	ck_assert_int_eq(bench_series_figures(&b, 0, &fb), 0);
	ck_assert(fb.ns_ok && fb.ns_measured && fb.ns.median == 20);
	ck_assert(fabs(bench_ratio(&fa, &fb) - 2.0) < 1e-9);	/* the minima: 100 / 50 (the medians would give 4) */
	ck_assert_int_eq(bench_series_figures(&a, 0, &fa), 0);
	ck_assert(!fa.ns_ok);
	b.status = BENCH_UNAVAILABLE;
	ck_assert_int_eq(bench_series_figures(&b, 1000, &fb), -ENOENT);
	ck_assert(isnan(bench_ratio(&fa, &fb)));
}
END_TEST

START_TEST(paths_list)
{
	uint32_t m;
	char err[160], buf[256];

	ck_assert_int_eq(bench_path_lookup("ipi", 3), KEEL_BENCH_PATH_IPI);
	ck_assert_int_eq(bench_path_lookup("ip", 2), -ENOENT);
	ck_assert_int_eq(bench_paths_parse("mmio-user,cpuid", &m, err, sizeof(err)), 0);
	ck_assert_uint_eq(m, 1u << KEEL_BENCH_PATH_MMIO_USER | 1u << KEEL_BENCH_PATH_CPUID);
	ck_assert_int_eq(bench_paths_format(m, buf, sizeof(buf)), (int)strlen("cpuid,mmio-user"));
	ck_assert_str_eq(buf, "cpuid,mmio-user");
	ck_assert_int_eq(bench_paths_format(BENCH_ALL_PATHS, buf, 8), -ENOSPC);
	ck_assert_int_eq(bench_paths_parse("cpuid,warp", &m, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "unknown path 'warp'"));
	ck_assert_int_eq(bench_paths_parse("cpuid,cpuid", &m, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	ck_assert_int_eq(bench_paths_parse("cpuid,", &m, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(bench_paths_parse("", &m, err, sizeof(err)), -EINVAL);
	/* every path has a name, a ring and a way QEMU serves it or a reason it cannot */
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		struct bench_path_info i = bench_path((enum keel_bench_path)p);

		ck_assert(i.name && (i.ring == 0 || i.ring == 3));
		ck_assert(i.qemu || i.qemu_why);
	}
}
END_TEST

static int bench_parse_args(struct cli_options *o, char *err, size_t errlen, int argc, ...)
{
	char *argv[16] = { (char *)"keel", (char *)"bench" };
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[2 + i] = va_arg(ap, char *);
	va_end(ap);
	return cli_parse(argc + 2, argv, o, err, errlen);
}

START_TEST(cli_bench_options)
{
	struct cli_options o;
	char err[256];

	ck_assert_int_eq(bench_parse_args(&o, err, sizeof(err), 0), 0);
	ck_assert_int_eq(o.command, CLI_BENCH);
	ck_assert_uint_eq(o.bench.paths, BENCH_ALL_PATHS);
	ck_assert_uint_eq(o.bench.iters, BENCH_FULL_ITERS);
	ck_assert_uint_eq(o.bench.reps, BENCH_FULL_REPS);
	ck_assert_uint_eq(o.bench.cpus, BENCH_DEFAULT_CPUS);
	ck_assert_str_eq(o.bench.qemu, BENCH_QEMU_DEFAULT);
	cli_options_free(&o);
	ck_assert_int_eq(bench_parse_args(&o, err, sizeof(err), 9, "--quick", "--paths", "ipi,cpuid", "--json=/tmp/x.json",
					  "--plot", "/tmp/x.svg", "--cpus", "3", "-v"), 0);
	ck_assert(o.bench.quick);
	ck_assert_uint_eq(o.bench.iters, BENCH_QUICK_ITERS);
	ck_assert_uint_eq(o.bench.reps, BENCH_QUICK_REPS);
	ck_assert_uint_eq(o.bench.paths, 1u << KEEL_BENCH_PATH_IPI | 1u << KEEL_BENCH_PATH_CPUID);
	ck_assert_str_eq(o.bench.json_path, "/tmp/x.json");
	ck_assert_str_eq(o.bench.plot_path, "/tmp/x.svg");
	ck_assert_uint_eq(o.bench.cpus, 3);
	ck_assert_int_eq(o.bench.verbosity, 1);
	cli_options_free(&o);
	ck_assert_int_eq(bench_parse_args(&o, err, sizeof(err), 5, "--quick", "--iters", "7", "--reps=2", "--no-qemu"), 0);
	ck_assert_uint_eq(o.bench.iters, 7);
	ck_assert_uint_eq(o.bench.reps, 2);
	ck_assert(o.bench.no_qemu);
	cli_options_free(&o);
	ck_assert_int_eq(bench_parse_args(&o, err, sizeof(err), 1, "--help"), 0);
	ck_assert(o.bench.help);
	cli_options_free(&o);
}
END_TEST

START_TEST(cli_bench_errors)
{
	static const char *const bad[][3] = {
		{ "--frobnicate" }, { "stray" }, { "--paths" }, { "--paths", "warp" }, { "--paths", "" },
		{ "--cpus", "0" }, { "--cpus", "65" }, { "--cpus", "two" }, { "--reps", "0" }, { "--reps", "101" },
		{ "--iters", "0" }, { "--iters", "99999999999999999999999" }, { "--iters", "1e3" }, { "--json", "" },
		{ "--json", "a", "--json=b" }, { "--qemu", "q", "--no-qemu" },
	};
	struct cli_options o;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *argv[6] = { (char *)"keel", (char *)"bench" };
		int argc = 2;

		for (int j = 0; j < 3 && bad[i][j]; j++)
			argv[argc++] = (char *)bad[i][j];
		err[0] = '\0';
		ck_assert_msg(cli_parse(argc, argv, &o, err, sizeof(err)) == -EINVAL, "accepted case %zu", i);
		ck_assert_msg(err[0] && !strchr(err, '\n'), "case %zu: not one line: '%s'", i, err);
		cli_options_free(&o);
	}
}
END_TEST

START_TEST(guest_command_lines)
{
	struct bench_guest_cfg g = {
		.paths = 1u << KEEL_BENCH_PATH_PIO_USER | 1u << KEEL_BENCH_PATH_VIRTIO_NOTIFY,
		.iters = 100, .reps = 3, .cpus = 2, .qemu = "qemu-system-x86_64", .guest_elf = "/tmp/g.elf",
	};
	char *argv[BENCH_QEMU_MAX_ARGS], store[1024], joined[2048] = "";
	int n;

	ck_assert_int_eq(bench_guest_cmdline(g.paths, g.iters, g.reps, g.cmdline, sizeof(g.cmdline)), 0);
	ck_assert_str_eq(g.cmdline, "bench=pio-user,virtio-notify bench-iters=100 bench-reps=3");
	ck_assert_int_eq(bench_guest_cmdline(g.paths, 1, 1, g.cmdline, 10), -ENOSPC);
	ck_assert_int_eq(bench_guest_cmdline(g.paths, g.iters, g.reps, g.cmdline, sizeof(g.cmdline)), 0);
	n = bench_qemu_argv(&g, argv, store, sizeof(store));
	ck_assert_int_gt(n, 10);
	ck_assert_ptr_null(argv[n]);
	for (int i = 0; i < n; i++) {
		strcat(joined, argv[i]);
		strcat(joined, " ");
	}
	ck_assert_ptr_nonnull(strstr(joined, "qemu-system-x86_64 -accel kvm -M pc -cpu host,arch-capabilities=off "));
	ck_assert_ptr_nonnull(strstr(joined, "-device pc-testdev -device pci-testdev "));
	ck_assert_ptr_nonnull(strstr(joined, "-device isa-debug-exit,iobase=0xf4,iosize=4 "));
	ck_assert_ptr_nonnull(strstr(joined, "-smp 2 -device virtio-rng-pci -kernel /tmp/g.elf -append "));
	ck_assert_str_eq(argv[n - 1], g.cmdline);
	ck_assert_int_eq(bench_qemu_argv(&g, argv, store, 64), -ENOSPC);
}
END_TEST

/* A report with every path: keel and the floor have figures for the first, everything else a reason. */
static void report_sample(struct bench_report *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->host.date, sizeof(r->host.date), "2026-01-01T00:00:00Z");
	snprintf(r->host.kernel, sizeof(r->host.kernel), "6.1.0");
	snprintf(r->host.kvm_flavour, sizeof(r->host.kvm_flavour), "kvm_pvm");
	snprintf(r->host.cpu_model, sizeof(r->host.cpu_model), "Quote \" and \\ and \t tab and \xff bad and \xc3\xa9");
	snprintf(r->host.tsc_source, sizeof(r->host.tsc_source), "KVM_GET_TSC_KHZ");
	r->host.tsc_khz = 2000000;
	r->iters = 10;
	r->reps = 2;
	r->vcpus = 2;
	r->paths = BENCH_ALL_PATHS;
	for (int v = 0; v < BENCH_NVMMS; v++)
		for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
			r->series[v][p].ring = -1;
			bench_series_set(&r->series[v][p], BENCH_UNAVAILABLE, "why \"not\"\n");
		}
	r->series[BENCH_KEEL][0] = (struct bench_series){ .status = BENCH_OK, .ring = 3, .nreps = 2 };
	r->series[BENCH_KEEL][0].reps[0] = (struct bench_rep){ .iters = 10, .cycles = 1000 };
	r->series[BENCH_KEEL][0].reps[1] = (struct bench_rep){ .iters = 10, .cycles = 1200 };
	r->series[BENCH_FLOOR][0] = (struct bench_series){ .status = BENCH_OK, .ring = 3, .nreps = 1 };
	r->series[BENCH_FLOOR][0].reps[0] = (struct bench_rep){ .iters = 10, .cycles = 500, .ns = 250 };
}

/* The member @key of @obj, which must be there with type @type. */
static json_t *jmember(json_t *obj, const char *key, json_type type)
{
	json_t *v = json_object_get(obj, key);

	ck_assert_msg(v && json_typeof(v) == type, "\"%s\": missing or not of type %d", key, (int)type);
	return v;
}

/* The document's layout: host, config and paths with their keys and types, one path object per name. */
static void check_report_layout(json_t *doc)
{
	json_t *host = jmember(doc, "host", JSON_OBJECT), *config = jmember(doc, "config", JSON_OBJECT);
	json_t *names = jmember(config, "paths", JSON_ARRAY), *paths = jmember(doc, "paths", JSON_ARRAY);
	const char *host_str[] = { "date", "kernel", "kvm_flavour", "cpu_model", "tsc_source" };
	const char *host_int[] = { "host_cpus", "tsc_khz", "vcpus" };
	const char *host_null[] = { "qemu", "guest_tsc_khz", "guest_tsc_source" };
	size_t i;
	json_t *path;

	ck_assert_str_eq(json_string_value(jmember(doc, "tool", JSON_STRING)), "keel bench");
	jmember(doc, "keel_version", JSON_STRING);
	for (i = 0; i < sizeof(host_str) / sizeof(host_str[0]); i++)
		jmember(host, host_str[i], JSON_STRING);
	for (i = 0; i < sizeof(host_int) / sizeof(host_int[0]); i++)
		jmember(host, host_int[i], JSON_INTEGER);
	for (i = 0; i < sizeof(host_null) / sizeof(host_null[0]); i++)
		jmember(host, host_null[i], JSON_NULL);	/* no QEMU, no guest TSC in the sample */
	jmember(config, "rounds", JSON_INTEGER);
	jmember(config, "quick", JSON_FALSE);
	ck_assert_uint_eq(json_array_size(names), KEEL_BENCH_NPATHS);
	ck_assert_uint_eq(json_array_size(paths), KEEL_BENCH_NPATHS);
	json_array_foreach(paths, i, path) {
		ck_assert_str_eq(json_string_value(jmember(path, "name", JSON_STRING)),
				 json_string_value(json_array_get(names, i)));
		jmember(path, "keel", JSON_OBJECT);
		jmember(path, "floor", JSON_OBJECT);
		jmember(path, "qemu", JSON_OBJECT);
	}
}

/* The first path's figures: keel's repetitions and stats, the floor's host-clock ns, the ratios (bench_ratio's). */
static void check_report_figures(json_t *doc, const struct bench_report *r, const char *text)
{
	json_t *cpuid = json_array_get(json_object_get(doc, "paths"), 0);
	json_t *keel = jmember(cpuid, "keel", JSON_OBJECT), *floor = jmember(cpuid, "floor", JSON_OBJECT);
	json_t *rep = json_array_get(jmember(keel, "repetitions", JSON_ARRAY), 1);
	struct bench_figures fk, ff;
	char spread[64];

	bench_series_figures(&r->series[BENCH_KEEL][0], r->host.tsc_khz, &fk);
	bench_series_figures(&r->series[BENCH_FLOOR][0], r->host.tsc_khz, &ff);
	ck_assert_str_eq(json_string_value(jmember(keel, "status", JSON_STRING)), "ok");
	jmember(keel, "reason", JSON_NULL);
	ck_assert_int_eq(json_integer_value(jmember(keel, "ring_reported", JSON_INTEGER)), 3);
	ck_assert_int_eq(json_integer_value(jmember(rep, "cycles", JSON_INTEGER)), 1200);
	jmember(rep, "ns", JSON_NULL);	/* 0: not measured */
	ck_assert_int_eq(json_integer_value(jmember(rep, "round", JSON_INTEGER)), 0);
	ck_assert_double_eq_tol(json_real_value(jmember(jmember(keel, "cycles", JSON_OBJECT), "median",
							    JSON_REAL)), 110, 1e-9);
	ck_assert_str_eq(json_string_value(jmember(keel, "ns_source", JSON_STRING)), "tsc");
	ck_assert_str_eq(json_string_value(jmember(floor, "ns_source", JSON_STRING)), "host-clock");
	ck_assert_double_eq_tol(json_real_value(jmember(cpuid, "keel_over_floor", JSON_REAL)),
				bench_ratio(&fk, &ff), 1e-5);
	jmember(cpuid, "keel_over_qemu", JSON_NULL);	/* NaN: QEMU has no figures */
	/* reals as "%.6g" writes them (20 / 110 is 0.181818, not 0.18181818181818182) */
	snprintf(spread, sizeof(spread), "\"spread\": %.6g\n", fk.cycles.spread);
	ck_assert_msg(strstr(text, spread), "no %s", spread);
}

START_TEST(json_report)
{
	static struct bench_report r;
	char *buf = NULL;
	size_t len = 0;
	json_error_t err;
	json_t *doc, *qemu;
	FILE *f;

	report_sample(&r);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(bench_json_write(f, &r), 0);
	fclose(f);
	doc = json_loads(buf, JSON_REJECT_DUPLICATES, &err);
	ck_assert_msg(doc, "invalid JSON (line %d: %s):\n%s", err.line, err.text, buf);
	ck_assert_int_eq(json_integer_value(jmember(doc, "format", JSON_INTEGER)), 1);
	ck_assert_str_eq(json_string_value(jmember(json_object_get(doc, "host"), "kvm_flavour", JSON_STRING)),
			 "kvm_pvm");
	/* quote, backslash and tab come back as they were, the byte that is not UTF-8 as U+FFFD */
	ck_assert_str_eq(json_string_value(jmember(json_object_get(doc, "host"), "cpu_model", JSON_STRING)),
			 "Quote \" and \\ and \t tab and \xef\xbf\xbd bad and \xc3\xa9");
	qemu = json_object_get(json_array_get(json_object_get(doc, "paths"), 0), "qemu");
	ck_assert_str_eq(json_string_value(jmember(qemu, "reason", JSON_STRING)), "why \"not\"\n");
	jmember(qemu, "cycles", JSON_NULL);
	ck_assert_uint_eq(json_array_size(jmember(qemu, "repetitions", JSON_ARRAY)), 0);
	check_report_layout(doc);
	check_report_figures(doc, &r, buf);
	ck_assert_str_eq(json_string_value(jmember(json_array_get(json_object_get(doc, "paths"),
								      KEEL_BENCH_PATH_VIRTIO_NOTIFY), "name", JSON_STRING)),
			 "virtio-notify");
	json_decref(doc);
	free(buf);
	/* the table and the plot's files come out of the same report without trouble */
	buf = NULL;
	f = open_memstream(&buf, &len);
	bench_table_print(f, &r);
	bench_plot_data(f, &r);
	bench_plot_script(f, &r, "/tmp/d'ata", "/tmp/o.svg");
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "cpuid"));
	ck_assert_ptr_nonnull(strstr(buf, "unavailable: why"));
	ck_assert_ptr_nonnull(strstr(buf, "'/tmp/d''ata'"));
	free(buf);
}
END_TEST

/* jansson's allocations fail from the n-th on (jansson's allocator is process-wide: this test only) */
static unsigned int allocs_left;

static void *failing_malloc(size_t n)
{
	if (allocs_left == 0)
		return NULL;
	allocs_left--;
	return malloc(n);
}

START_TEST(json_write_errors)
{
	static struct bench_report r;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen("/dev/full", "w");
	int rc = -ENOMEM;
	unsigned int n;

	report_sample(&r);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(bench_json_write(f, &r), -EIO);	/* the file refused: an error, not a short report */
	fclose(f);
	/* whichever allocation fails, the result is -ENOMEM and what was built is freed (ASan); two paths */
	r.paths = 1u << KEEL_BENCH_PATH_CPUID | 1u << KEEL_BENCH_PATH_VIRTIO_NOTIFY;
	json_set_alloc_funcs(failing_malloc, free);
	for (n = 0; rc == -ENOMEM; n++) {
		allocs_left = n;
		f = open_memstream(&buf, &len);
		ck_assert_ptr_nonnull(f);
		rc = bench_json_write(f, &r);
		fclose(f);
		free(buf);
		buf = NULL;
		ck_assert_msg(rc == 0 || rc == -ENOMEM, "allocation %u failing: %d", n, rc);
		ck_assert_uint_lt(n, 10000);
	}
	json_set_alloc_funcs(malloc, free);
	ck_assert_uint_gt(n, 100);	/* it did go through failing allocations (a few hundred for two paths) */
}
END_TEST

Suite *bench_suite(void)
{
	Suite *s = suite_create("bench");
	TCase *tc = tcase_create("logic");

	tcase_add_test(tc, parse_every_event);
	tcase_add_test(tc, parse_other_output);
	tcase_add_test(tc, parse_rejects_malformed);
	tcase_add_test(tc, collect_a_run);
	tcase_add_test(tc, collect_a_hang_and_the_retry);
	tcase_add_test(tc, collect_without_bench_mode);
	tcase_add_test(tc, stats_median_spread);
	tcase_add_test(tc, stats_series_and_ratios);
	tcase_add_test(tc, paths_list);
	tcase_add_test(tc, cli_bench_options);
	tcase_add_test(tc, cli_bench_errors);
	tcase_add_test(tc, guest_command_lines);
	tcase_add_test(tc, json_report);
	tcase_add_test(tc, json_write_errors);
	suite_add_tcase(s, tc);
	return s;
}
