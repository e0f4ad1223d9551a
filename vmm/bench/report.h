/* What `keel bench` measured: per path and per VMM (keel, the floor, QEMU) the repetitions, and the host's facts. */
#ifndef KEEL_VMM_BENCH_REPORT_H
#define KEEL_VMM_BENCH_REPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "firmware/bench.h"

#define BENCH_MAX_REPS 100u		/* --reps at most */
#define BENCH_REASON_MAX 200		/* bytes of a reason, NUL included */

/* Who ran a path. */
enum bench_vmm {
	BENCH_KEEL = 0,		/* the bundled guest under keel */
	BENCH_FLOOR,		/* a bare KVM_RUN loop with an empty handler (vmm/bench/floor.c) */
	BENCH_QEMU,		/* the bundled guest under qemu-system-x86_64 -accel kvm */
	BENCH_NVMMS
};

enum bench_status {
	BENCH_NOT_RUN = 0,	/* not asked for (--paths) */
	BENCH_OK,		/* figures below */
	BENCH_UNAVAILABLE,	/* tried and failed: reason (a hang, #GP, no report) */
	BENCH_NOT_OFFERED,	/* this VMM has no such path: reason */
	BENCH_SKIPPED,		/* not tried: reason (QEMU not installed, --no-qemu) */
};

/* One repetition: @iters round trips took @cycles TSC cycles (guest RDTSC) and, when measured on the host, @ns. */
struct bench_rep {
	uint64_t iters;
	uint64_t cycles;
	uint64_t ns;		/* 0: not measured (only the floor times itself on the host) */
	unsigned int round;	/* the round (0 ..) whose VM ran it */
};

/* One path on one VMM. */
struct bench_series {
	enum bench_status status;
	char reason[BENCH_REASON_MAX];	/* for UNAVAILABLE, NOT_OFFERED, SKIPPED */
	int ring;			/* as the guest reported it on its start line, -1 when it did not */
	unsigned int nreps;
	struct bench_rep reps[BENCH_MAX_REPS];
};

/* The machine the figures come from. */
struct bench_host {
	char date[32];			/* UTC, ISO 8601 */
	char kernel[128];		/* uname -r */
	char kvm_flavour[48];		/* kvm_intel, kvm_amd, kvm_pvm (joined by + when several) or unknown */
	char cpu_model[128];		/* /proc/cpuinfo "model name" */
	unsigned int host_cpus;		/* online CPUs */
	uint64_t tsc_khz;		/* 0: unknown */
	char tsc_source[48];		/* "KVM_GET_TSC_KHZ", "calibrated against CLOCK_MONOTONIC_RAW" */
	char qemu_version[128];		/* first line of --version, "" when QEMU was not run */
	uint64_t guest_tsc_khz;		/* what the guest said on its begin line, 0: nothing */
	char guest_tsc_source[32];
};

struct bench_report {
	struct bench_host host;
	uint64_t iters;			/* round trips per repetition */
	unsigned int reps;		/* repetitions */
	unsigned int rounds;		/* the rounds they were spread over */
	unsigned int vcpus;		/* vCPUs of the guest's VMs (the floor has one) */
	bool quick;
	uint32_t paths;			/* bit p: path p was asked for */
	struct bench_series series[BENCH_NVMMS][KEEL_BENCH_NPATHS];
};

/* bench_vmm_name - "keel", "floor", "qemu". */
const char *bench_vmm_name(enum bench_vmm v);

/* bench_status_name - "ok", "unavailable", "not-offered", "skipped", "not-run". */
const char *bench_status_name(enum bench_status s);

/* bench_series_set - give @s @status with a reason formatted from @fmt (printf-style). */
void bench_series_set(struct bench_series *s, enum bench_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
