/* The bench's three outputs: the text table, the JSON report and the gnuplot SVG. */
#ifndef KEEL_VMM_BENCH_OUTPUT_H
#define KEEL_VMM_BENCH_OUTPUT_H

#include <stdio.h>

#include "vmm/bench/report.h"

#define BENCH_JSON_FORMAT 1	/* "format" in the JSON: bump it on any incompatible change */

/*
 * bench_table_print - the host facts, then one row per path and VMM: ring, exit, iterations,
 * median/min/max ns and cycles per round trip, spread, keel / floor (user-space paths) and
 * keel / QEMU, or the reason there are no figures; a legend at the end.
 */
void bench_table_print(FILE *f, const struct bench_report *r);

/*
 * bench_json_write - every figure of @r as one JSON object (the schema is documented in
 * tests/integration/bench_schema.jq). Returns 0, -ENOMEM when the document cannot be built, or
 * -EIO when @f reported an error.
 */
int bench_json_write(FILE *f, const struct bench_report *r);

/* bench_plot_script - the gnuplot script drawing @data (written by bench_plot_data) into @svg. */
void bench_plot_script(FILE *f, const struct bench_report *r, const char *data, const char *svg);

/* bench_plot_data - one line per path with a figure: name, then keel, floor and QEMU median ns (NaN when none). */
void bench_plot_data(FILE *f, const struct bench_report *r);

/*
 * bench_plot - write @r's data and script next to each other in a temporary directory and run
 * gnuplot on them (60-second limit) to draw @svg. Returns 0, -ENOENT when gnuplot is not
 * installed, or -errno / -EIO when it failed (its messages are logged).
 */
int bench_plot(const struct bench_report *r, const char *svg);

#endif
