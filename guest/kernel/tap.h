/* Running checks and reporting them in TAP: "ok N - area/name", "not ok N - ...", "# SKIP reason". */
#ifndef KEEL_GUEST_KERNEL_TAP_H
#define KEEL_GUEST_KERNEL_TAP_H

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

/* check_note(), then CHECK_FAIL. */
enum check_status check_fail(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record why the check does not apply (shown after "# SKIP"); returns CHECK_SKIP. */
enum check_status check_skip(struct check_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Run the @n checks of @list in order, print one TAP line each (numbered from 1), then the plan
 * "1..n" and "guest: P passed, F failed". Returns F.
 */
unsigned int tap_run(const struct check *list, unsigned int n);

#endif
