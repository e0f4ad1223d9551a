/* Median, min, max and spread of the repetitions, per round trip, and the ratios between VMMs. */
#include "vmm/bench/stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int bench_stats_compute(const double *v, unsigned int n, struct bench_stats *out)
{
	double sorted[BENCH_MAX_REPS];

	memset(out, 0, sizeof(*out));
	if (n == 0 || n > BENCH_MAX_REPS)
		return -EINVAL;
	memcpy(sorted, v, n * sizeof(*v));
	qsort(sorted, n, sizeof(*sorted), bench_cmp_double);
	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
	out->spread = out->median > 0 ? (out->max - out->min) / out->median : 0;
	return 0;
}

int bench_series_figures(const struct bench_series *s, uint64_t tsc_khz, struct bench_figures *out)
{
	double cyc[BENCH_MAX_REPS], ns[BENCH_MAX_REPS];
	bool host_ns = true;
	unsigned int n = s->nreps;

	memset(out, 0, sizeof(*out));
	if (s->status != BENCH_OK || n == 0 || n > BENCH_MAX_REPS)
		return -ENOENT;
	for (unsigned int i = 0; i < n; i++) {
		double iters = s->reps[i].iters ? (double)s->reps[i].iters : 1;

		cyc[i] = (double)s->reps[i].cycles / iters;
		if (s->reps[i].ns == 0)
			host_ns = false;
		ns[i] = (double)s->reps[i].ns / iters;
	}
	if (!host_ns)
		for (unsigned int i = 0; i < n; i++)
			ns[i] = tsc_khz ? cyc[i] * 1e6 / (double)tsc_khz : 0;
	out->ok = true;
	out->iters = s->reps[0].iters;
	bench_stats_compute(cyc, n, &out->cycles);
	out->ns_measured = host_ns;
	out->ns_ok = host_ns || tsc_khz != 0;
	if (out->ns_ok)
		bench_stats_compute(ns, n, &out->ns);
	return 0;
}

double bench_ratio(const struct bench_figures *a, const struct bench_figures *b)
{
	if (!a->ok || !b->ok || b->cycles.min <= 0)
		return NAN;
	return a->cycles.min / b->cycles.min;
}
