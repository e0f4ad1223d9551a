/* Turns one bench VM's protocol lines into results per path, knows which phase it is in, and explains what did not come. */
#ifndef KEEL_VMM_BENCH_COLLECT_H
#define KEEL_VMM_BENCH_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/bench/child.h"
#include "vmm/bench/parse.h"
#include "vmm/bench/report.h"

enum bench_phase {
	BENCH_PH_BOOT,		/* waiting for "begin" */
	BENCH_PH_PROBE,		/* a path started, waiting for "ready" */
	BENCH_PH_RUN,		/* between repetitions, or between paths */
	BENCH_PH_END,		/* "end" came: the VM should leave */
};

/* How long a bench VM may stay silent in each phase. */
struct bench_limits {
	unsigned int boot_ms;	/* start to "begin" */
	unsigned int probe_ms;	/* "start" to "ready" */
	unsigned int step_ms;	/* between any two lines after that */
	unsigned int end_ms;	/* "end" to the VM's exit */
};

struct bench_collect {
	struct bench_series *series;	/* [KEEL_BENCH_NPATHS]: where the results go */
	struct bench_host *host;	/* the guest's TSC report goes to host->guest_tsc_*, or NULL */
	struct bench_limits limits;
	uint32_t asked;			/* the paths this VM was asked to run */
	uint32_t finished;		/* reported (figures or unavailable) */
	int current;			/* started and not finished, -1 */
	enum bench_phase phase;
	uint64_t iters;			/* expected per repetition */
	unsigned int reps;		/* expected repetitions */
	unsigned int round;		/* stamped on every repetition */
	unsigned int base[KEEL_BENCH_NPATHS];	/* repetitions a path had from earlier rounds */
	unsigned int bad;		/* malformed bench lines */
	char first_bad[120];		/* the first one's problem */
	bool saw_guest;			/* a "guest: " line came: the bundled guest runs */
	char last_line[120];		/* the last line that was not a bench line (the VM's own words) */
	void (*echo)(void *opaque, const char *line, size_t len);	/* every line (for -v), or NULL */
	void *echo_opaque;
};

/*
 * bench_collect_init - expect the paths of @asked, @reps repetitions of @iters round trips each,
 * results appended to @series (after what earlier rounds put there; round 0 starts them empty).
 */
void bench_collect_init(struct bench_collect *c, struct bench_series *series, struct bench_host *host,
			uint32_t asked, uint64_t iters, unsigned int reps, unsigned int round,
			const struct bench_limits *limits);

/* bench_collect_line - one line of the VM's output; returns true when it was a valid bench line (progress). */
bool bench_collect_line(struct bench_collect *c, const char *line, size_t len);

/* bench_collect_limit_ms - the silence allowed in the current phase. */
unsigned int bench_collect_limit_ms(const struct bench_collect *c);

/*
 * bench_collect_finish - after the VM is gone (@res, @vmm names it in reasons): the path in
 * progress becomes unavailable with the reason (a hang, a crash); paths never started are
 * returned as a mask when the VM was killed for silence after "begin" (the caller runs them in
 * a fresh VM), otherwise they are marked unavailable with the reason (no bench mode, not
 * reported, the VM failed).
 */
uint32_t bench_collect_finish(struct bench_collect *c, const struct bench_child_result *res, const char *vmm);

/* bench_child_ops for a struct bench_collect. */
extern const struct bench_child_ops bench_collect_ops;

#endif
