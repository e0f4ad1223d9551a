/* The parser of the guest's "bench: ..." lines (the grammar is in firmware/bench.h). */
#ifndef KEEL_VMM_BENCH_PARSE_H
#define KEEL_VMM_BENCH_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/bench.h"

enum bench_event {
	BENCH_EV_NONE = 0,	/* not a bench line: the guest's other output */
	BENCH_EV_BEGIN,		/* begin version= iters= reps= cpus= [tsc-khz= tsc-source=] */
	BENCH_EV_START,		/* start path= ring= */
	BENCH_EV_READY,		/* ready path= */
	BENCH_EV_REP,		/* path= rep= iters= cycles= [ns=] */
	BENCH_EV_UNAVAILABLE,	/* path= unavailable reason= */
	BENCH_EV_END,		/* end */
};

struct bench_line {
	enum bench_event ev;
	int path;			/* a keel_bench_path, -1 when the line names none */
	int ring;			/* START: 0 or 3 */
	uint64_t version, iters, reps, cpus, tsc_khz;	/* BEGIN (iters also REP) */
	uint64_t rep, cycles, ns;	/* REP; ns 0 when not given (only the floor gives it) */
	char tsc_source[32];		/* BEGIN, "" when not given */
	char reason[KEEL_BENCH_LINE_MAX + 1];	/* UNAVAILABLE */
};

/*
 * bench_parse_line - parse one line of the guest's output (@len bytes, no newline; a trailing
 * carriage return is ignored). A line that does not start with "bench: " is BENCH_EV_NONE.
 * Returns 0, or -EINVAL for a malformed bench line (unknown event, unknown path, missing or bad
 * number, bad quoting, too long, an item given twice) with the problem described in out->reason.
 */
int bench_parse_line(const char *line, size_t len, struct bench_line *out);

#endif
