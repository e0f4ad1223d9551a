/* The host's view of the bench paths: names, rings, where each exit is served, and who can run it (floor, QEMU). */
#ifndef KEEL_VMM_BENCH_PATHS_H
#define KEEL_VMM_BENCH_PATHS_H

#include <stddef.h>
#include <stdint.h>

#include "firmware/bench.h"

#define BENCH_ALL_PATHS ((uint32_t)((1ull << KEEL_BENCH_NPATHS) - 1))

enum bench_exit {
	BENCH_EXIT_KERNEL,	/* KVM answers: no VMM code runs */
	BENCH_EXIT_USER,	/* KVM_RUN returns to the VMM's vCPU thread */
	BENCH_EXIT_THREAD,	/* a VMM thread answers through an eventfd */
};

/* The VM a path runs in: a path that may hang the vCPU gets its own, so the others survive it. */
enum bench_group {
	BENCH_GROUP_MAIN,
	BENCH_GROUP_HYPERCALL,
	BENCH_NGROUPS
};

struct bench_path_info {
	const char *name;		/* stable: the table, the JSON, --paths */
	int ring;			/* 3 or 0 (firmware/bench.h says why) */
	enum bench_exit exit;
	enum bench_group group;
	const char *qemu;		/* the QEMU device serving it, or NULL: QEMU cannot offer it */
	const char *qemu_why;		/* when qemu is NULL: why not */
};

/* bench_path - the description of path @p (< KEEL_BENCH_NPATHS). */
struct bench_path_info bench_path(enum keel_bench_path p);

/* bench_path_lookup - the path named by the @len bytes at @name. Returns its id or -ENOENT. */
int bench_path_lookup(const char *name, size_t len);

/* bench_exit_name - "kernel", "user", "thread". */
const char *bench_exit_name(enum bench_exit e);

/*
 * bench_paths_parse - "a,b,c" into a bit mask (bit p for path p). Returns 0, or -EINVAL with one
 * line in @err naming an unknown or repeated path or an empty element.
 */
int bench_paths_parse(const char *list, uint32_t *mask, char *err, size_t errlen);

/*
 * bench_paths_format - "a,b,c" for the paths of @mask in table order into @buf (the guest's
 * bench= value). Returns the length, or -ENOSPC when @buflen is too small.
 */
int bench_paths_format(uint32_t mask, char *buf, size_t buflen);

#endif
