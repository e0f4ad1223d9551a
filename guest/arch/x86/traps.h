/* Exceptions: names, deliberate faults that checks provoke and recover from, the fatal report. */
#ifndef KEEL_GUEST_ARCH_X86_TRAPS_H
#define KEEL_GUEST_ARCH_X86_TRAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/frame.h"
#include "guest/arch/x86/percpu.h"

/* "#GP general protection" and the like. */
const char *exception_name(uint64_t vector);

/*
 * Expect exception @vector in ring 0 on this CPU: when it comes, its frame and CR2 are recorded in
 * this_cpu()->expect and execution resumes at @resume_rip (same stack, registers as they were).
 */
void trap_expect_arm(uint32_t vector, const void *resume_rip);

/* Stop expecting; returns the record (hits counts the faults taken). */
const struct trap_expect *trap_expect_disarm(void);

/* Handle exceptions (vectors 0-31); called by trap_entry(). */
void trap_exception(struct trap_frame *f);

/* Handle interrupts (vectors 32-255); called by trap_entry(). */
void irq_dispatch(struct trap_frame *f);

/* Report an unexpected kernel exception and end the VM as failed. */
__attribute__((noreturn)) void trap_fatal(const struct trap_frame *f, uint64_t cr2);

#endif
