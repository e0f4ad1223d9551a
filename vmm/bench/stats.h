/* Statistics of the repetitions: median, min, max and spread per round trip, in TSC cycles and in nanoseconds. */
#ifndef KEEL_VMM_BENCH_STATS_H
#define KEEL_VMM_BENCH_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/bench/report.h"

struct bench_stats {
	unsigned int n;		/* values */
	double median;		/* of an even count: the mean of the middle two */
	double min, max;
	double spread;		/* (max - min) / median; 0 when the median is 0 */
};

/* One series' figures per round trip. */
struct bench_figures {
	bool ok;		/* false: the series has no repetitions */
	uint64_t iters;		/* round trips per repetition (of the first one) */
	struct bench_stats cycles;
	struct bench_stats ns;
	bool ns_ok;		/* false: no host time and no TSC frequency */
	bool ns_measured;	/* true: ns from the host's clock (the floor), false: from cycles and the TSC frequency */
};

/* bench_stats_compute - the statistics of @n values (left unchanged). Returns 0, or -EINVAL when @n is 0. */
int bench_stats_compute(const double *v, unsigned int n, struct bench_stats *out);

/*
 * bench_series_figures - per round trip figures of @s: cycles / iters per repetition, and ns /
 * iters when every repetition has host time, else cycles converted with @tsc_khz (0: unknown).
 * Returns 0, or -ENOENT when @s is not BENCH_OK or has no repetitions (out->ok false).
 */
int bench_series_figures(const struct bench_series *s, uint64_t tsc_khz, struct bench_figures *out);

/*
 * bench_ratio - the minimum cycles of @a over those of @b; NAN unless both are ok and @b's is not 0.
 * The minimum, because a round trip's work is fixed and the host's interference only adds to it:
 * the fastest repetition is the one the host disturbed least, and it repeats from run to run
 * where the median moves with the host's slow spells.
 */
double bench_ratio(const struct bench_figures *a, const struct bench_figures *b);

#endif
