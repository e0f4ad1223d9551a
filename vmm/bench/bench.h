/* `keel bench`: its options, their parser and usage text, and the run that measures every exit path against the floor and QEMU. */
#ifndef KEEL_VMM_BENCH_BENCH_H
#define KEEL_VMM_BENCH_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define BENCH_FULL_ITERS 5000u		/* round trips per repetition ... */
#define BENCH_FULL_REPS 15u		/* ... and repetitions, by default, each in its own round */
#define BENCH_QUICK_ITERS 100u		/* with --quick */
#define BENCH_QUICK_REPS 3u
#define BENCH_DEFAULT_CPUS 2u		/* the ipi path needs two */
#define BENCH_MAX_CPUS 64u
#define BENCH_MAX_ITERS 1000000000ull

struct bench_options {
	bool help;			/* --help: print bench_usage */
	bool quick;			/* --quick */
	uint32_t paths;			/* --paths, as a mask; all by default */
	const char *json_path;		/* --json FILE, or NULL */
	const char *plot_path;		/* --plot FILE.svg, or NULL */
	unsigned int cpus;		/* --cpus N */
	uint64_t iters;			/* --iters N, or the default of --quick / a full run */
	unsigned int reps;		/* --reps R, likewise */
	unsigned int rounds;		/* --rounds K: the reps spread over K passes of every VMM; default reps (1 with --quick) */
	bool no_qemu;			/* --no-qemu */
	const char *qemu;		/* --qemu BINARY */
	const char *kvm_path;		/* "/dev/kvm" */
	int verbosity;			/* -1 -q, 0, 1 -v (the guests' output too), 2 -vv */
};

/*
 * bench_cli_parse - the options of `keel bench` from @argv[@i] on. Returns 0, or -EINVAL with one
 * line in @err naming the bad option, value or path. Pointers in @o point into argv.
 */
int bench_cli_parse(int argc, char *const argv[], int i, struct bench_options *o, char *err, size_t errlen);

/* bench_usage - the text of `keel bench --help`. */
void bench_usage(FILE *f);

/*
 * bench_main - run the bench: the floor, keel and QEMU on every asked path, then the table on
 * stdout, --json and --plot. Returns the process exit status: 0 (paths may be unavailable; the
 * table says why), KEEL_EXIT_USAGE when an output file cannot be created, KEEL_EXIT_HOST when
 * /dev/kvm is unusable or a child cannot be started, 128 + N when stopped by signal N.
 */
int bench_main(const struct bench_options *o);

#endif
