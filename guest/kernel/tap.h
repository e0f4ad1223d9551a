/* Running checks and reporting them in TAP: "ok N - area/name", "not ok N - ...", "# SKIP reason". */
#ifndef KEEL_GUEST_KERNEL_TAP_H
#define KEEL_GUEST_KERNEL_TAP_H

#include <stdbool.h>

enum check_status {
	CHECK_PASS,
	CHECK_FAIL,
	CHECK_SKIP,			/* does not apply here; counts as passed */
};

struct check_ctx;

struct check {
	const char *name;		/* "area/name" */
	enum check_status (*run)(struct check_ctx *ctx);
};

/* Add a diagnostic, printed as a "# ..." line after the check's result line. */
void check_note(struct check_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* check_note() only with verbose=1 or more on the command line. */
void check_detail(struct check_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* check_note(), then CHECK_FAIL. */
enum check_status check_fail(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record why the check does not apply (shown after "# SKIP"); returns CHECK_SKIP. */
enum check_status check_skip(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The verbosity the command line asked for (verbose=N, 0 by default). */
unsigned int check_verbosity(void);

/* True when the word list @selection ("" for all) picks check @name (see tap_run). */
bool tap_selected(const char *selection, const char *name);

/*
 * Run the checks of @list[0..n) that @selection picks, in order, numbered from 1: one TAP line each,
 * then the plan "1..k" and "guest: P passed, F failed". @selection is tests= from the command line:
 * comma-separated words, each an area ("paging"), a full name ("paging/demand-fault") or a prefix
 * ending in '*' ("irq/timer-*"); empty selects everything. A word that picks nothing is reported and
 * counts as a failure. @verbosity is verbose=. Returns F.
 */
unsigned int tap_run(const struct check *list, unsigned int n, const char *selection, unsigned int verbosity);

#endif
