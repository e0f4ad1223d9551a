/* `keel bench` in the guest: with bench= on the command line, run the listed paths (firmware/bench.h) instead of the checks. */
#ifndef KEEL_GUEST_KERNEL_BENCH_H
#define KEEL_GUEST_KERNEL_BENCH_H

#include <stdbool.h>

#include "guest/arch/x86/frame.h"
#include "guest/kernel/task.h"

/* True when @cmdline asks for bench mode (a bench= word). */
bool bench_requested(const char *cmdline);

/* Run the paths @cmdline lists and print the protocol lines, `bench: begin` to `bench: end`. */
void bench_run(const char *cmdline);

/* SYS_BENCH: a user bench loop reports (ready, one repetition, or unavailable). */
void sys_bench(struct trap_frame *f, struct task *t);

#endif
