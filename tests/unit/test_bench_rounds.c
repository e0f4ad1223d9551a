/* Unit tests of `keel bench` rounds: repetitions appended across rounds, a failure in a later round, and --rounds. */
#include "tests/unit/suites.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vmm/bench/bench.h"
#include "vmm/bench/collect.h"

static const struct bench_limits round_limits = { .boot_ms = 1000, .probe_ms = 200, .step_ms = 300, .end_ms = 400 };

static void round_feed(struct bench_collect *c, const char *line)
{
	bench_collect_line(c, line, strlen(line));
}

/* A VM of round @round that has started cpuid and got its first answer. */
static void round_start(struct bench_collect *c, struct bench_series *series, unsigned int round, unsigned int reps)
{
	bench_collect_init(c, series, NULL, 1u << KEEL_BENCH_PATH_CPUID, 10, reps, round, &round_limits);
	round_feed(c, "bench: begin version=1 iters=10 reps=2 cpus=1");
	round_feed(c, "bench: start path=cpuid ring=3");
	round_feed(c, "bench: ready path=cpuid");
}

/* One VM of round @round: cpuid gives @reps repetitions numbered from 0, as every VM numbers them. */
static void round_vm(struct bench_series *series, unsigned int round, unsigned int reps, struct bench_collect *c)
{
	struct bench_child_result res = { .status = 1 };
	char line[128];

	round_start(c, series, round, reps);
	for (unsigned int i = 0; i < reps; i++) {
		snprintf(line, sizeof(line), "bench: path=cpuid rep=%u iters=10 cycles=%u", i, 1000 * (round + 1));
		round_feed(c, line);
	}
	round_feed(c, "bench: end");
	ck_assert_uint_eq(bench_collect_finish(c, &res, "keel"), 0);
}

START_TEST(rounds_append)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	struct bench_series *s = &series[KEEL_BENCH_PATH_CPUID];
	struct bench_collect c;

	s->nreps = 7;	/* left over from an earlier run: round 0 starts afresh */
	round_vm(series, 0, 2, &c);
	ck_assert_uint_eq(s->nreps, 2);
	round_vm(series, 1, 2, &c);
	round_vm(series, 2, 1, &c);
	ck_assert_uint_eq(c.bad, 0);
	ck_assert_int_eq(s->status, BENCH_OK);
	ck_assert_uint_eq(s->nreps, 5);
	ck_assert_uint_eq(s->reps[0].round, 0);
	ck_assert_uint_eq(s->reps[2].round, 1);
	ck_assert_uint_eq(s->reps[3].cycles, 2000);
	ck_assert_uint_eq(s->reps[4].round, 2);
	ck_assert_uint_eq(s->reps[4].cycles, 3000);
}
END_TEST

START_TEST(rounds_numbering_is_per_vm)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	struct bench_series *s = &series[KEEL_BENCH_PATH_CPUID];
	struct bench_child_result res = { .status = 1 };
	struct bench_collect c;

	round_vm(series, 0, 2, &c);
	round_start(&c, series, 1, 2);
	round_feed(&c, "bench: path=cpuid rep=2 iters=10 cycles=1");	/* counts on from round 0: wrong */
	round_feed(&c, "bench: path=cpuid rep=18446744073709551615 iters=10 cycles=1");
	round_feed(&c, "bench: path=cpuid rep=0 iters=10 cycles=1");
	round_feed(&c, "bench: end");
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_uint_eq(c.bad, 2);
	ck_assert_uint_eq(s->nreps, 3);
}
END_TEST

START_TEST(rounds_a_later_failure)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	struct bench_series *s = &series[KEEL_BENCH_PATH_CPUID];
	struct bench_child_result res = { .status = 137, .timed_out = true, .limit_ms = 300 };
	struct bench_collect c;

	round_vm(series, 0, 2, &c);
	/* round 1: the path starts and reports nothing before the VM is killed */
	round_start(&c, series, 1, 2);
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_int_eq(s->status, BENCH_UNAVAILABLE);
	ck_assert_uint_eq(s->nreps, 0);
	ck_assert_ptr_nonnull(strstr(s->reason, "stalled"));
	/* a VM that ends a path with no new repetition does not keep the earlier rounds' status */
	round_vm(series, 0, 1, &c);
	round_start(&c, series, 1, 1);
	round_feed(&c, "bench: end");
	res = (struct bench_child_result){ .status = 1 };
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "keel"), 0);
	ck_assert_int_eq(s->status, BENCH_UNAVAILABLE);
}
END_TEST

static int rounds_parse(struct bench_options *o, char *err, size_t errlen, int argc, char *argv[])
{
	return bench_cli_parse(argc, argv, 0, o, err, errlen);
}

START_TEST(rounds_option)
{
	char *full[] = { (char *)"--reps", (char *)"9" }, *quick[] = { (char *)"--quick" },
	     *some[] = { (char *)"--reps=9", (char *)"--rounds", (char *)"3" },
	     *more[] = { (char *)"--rounds", (char *)"5" }, *zero[] = { (char *)"--rounds=0" },
	     *twice[] = { (char *)"--rounds=1", (char *)"--rounds=1" },
	     *over[] = { (char *)"--quick", (char *)"--rounds", (char *)"4" };
	struct bench_options o;
	char err[256];

	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 2, full), 0);
	ck_assert_uint_eq(o.rounds, 9);		/* every repetition in its own round */
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 0, full), 0);
	ck_assert_uint_eq(o.rounds, BENCH_FULL_REPS);
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 1, quick), 0);
	ck_assert_uint_eq(o.rounds, 1);
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 3, some), 0);
	ck_assert_uint_eq(o.rounds, 3);
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 2, more), 0);	/* 5 of the default 15 */
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 1, zero), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--rounds 0"));
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 2, twice), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	ck_assert_int_eq(rounds_parse(&o, err, sizeof(err), 3, over), -EINVAL);
	ck_assert_str_eq(err, "--rounds 4: more rounds than the 3 repetitions");
}
END_TEST

Suite *bench_rounds_suite(void)
{
	Suite *s = suite_create("bench_rounds");
	TCase *tc = tcase_create("rounds");

	tcase_add_test(tc, rounds_append);
	tcase_add_test(tc, rounds_numbering_is_per_vm);
	tcase_add_test(tc, rounds_a_later_failure);
	tcase_add_test(tc, rounds_option);
	suite_add_tcase(s, tc);
	return s;
}
