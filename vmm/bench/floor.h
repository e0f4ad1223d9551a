/* The floor: a bare KVM VM running one exit in a loop under an empty KVM_RUN handler, the least any VMM can pay. */
#ifndef KEEL_VMM_BENCH_FLOOR_H
#define KEEL_VMM_BENCH_FLOOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/bench.h"

struct bench_floor_cfg {
	uint32_t paths;		/* bit p: run path p (those the floor offers) */
	uint64_t iters;		/* round trips per repetition */
	unsigned int reps;	/* repetitions */
	const char *kvm_path;	/* "/dev/kvm" */
};

/*
 * bench_floor_offers - whether the floor runs path @p: cpuid, pio-user, pio-kernel, mmio-user,
 * mmio-kernel, msr-kernel, msr-user, hypercall. The rest need an interrupt controller, a second
 * vCPU or a device the floor does not model.
 */
bool bench_floor_offers(enum keel_bench_path p);

/*
 * bench_floor_main - the floor, run in a child process (@arg: a struct bench_floor_cfg). For
 * each path it builds a fresh VM with one vCPU: 2 MiB of RAM at 0 holding a GDT, a TSS, 4-level
 * page tables (identity, 2 MiB pages, user-accessible, plus the bench MMIO page) and the loop
 *     rdtsc; <set-up>; 1: <the exit>; dec r8; jnz 1b; rdtsc; r12 = cycles; out to the done port
 * entered at CPL 3 with IOPL 3 (CPL 0 for RDMSR and VMCALL) through KVM_SET_SREGS/REGS, with
 * the same CPUID, MSR filter, hypercall exit and ioeventfds keel's bench devices use. Its
 * KVM_RUN loop only looks at the exit reason and goes back in. It prints the protocol lines
 * of firmware/bench.h on stdout, each repetition with ns= (CLOCK_MONOTONIC around its KVM_RUN
 * loop). Returns the process exit status: 0, or KEEL_EXIT_HOST when /dev/kvm is unusable.
 */
int bench_floor_main(void *arg);

/*
 * bench_floor_code - the guest code of path @p into @buf (@cap bytes; 64 are enough), with
 * VMMCALL instead of VMCALL when @amd. Returns the length, or -EINVAL when the floor does not
 * offer @p. (Exposed for the unit tests.)
 */
int bench_floor_code(enum keel_bench_path p, bool amd, uint8_t *buf, size_t cap);

#endif
