/* Bringing up the application processors, knowing which CPUs are online, and stopping them at the end. */
#ifndef KEEL_GUEST_KERNEL_SMP_H
#define KEEL_GUEST_KERNEL_SMP_H

#include <stdbool.h>

#include "guest/arch/x86/percpu.h"

/* Early, on the boot stack: the BSP's per-CPU area (FS and GS, so the canary libfdt needs), IDT, local APIC. */
void smp_init_bsp(void);

/* Once paging is the kernel's: the BSP's stacks, GDT, TSS and syscall MSRs. */
void smp_setup_bsp(uint64_t main_stack_top);

/*
 * Greet as cpu 0, then start every CPU of `machine` other than the BSP with INIT-SIPI-SIPI through
 * the real-mode trampoline, one after the other, each waited for with a time limit. Each AP sets up
 * its own GDT, TSS and stacks, greets, and goes idle with its scheduler tick running.
 */
void smp_start_aps(void);

/* True when the page at KEEL_AP_TRAMPOLINE_GPA is RAM holding nothing the loader passed. */
bool smp_trampoline_page_free(void);

/* CPUs that have come online, the BSP included. */
unsigned int smp_online_count(void);

/* The index of the @n-th online CPU (n < smp_online_count()). */
unsigned int smp_online_cpu(unsigned int n);

/* Stop the APs for good (timer off, interrupts off, hlt), waiting a little for each to do so. */
void smp_quiesce(void);

/* Called by head.S on each AP, on its own stack. */
__attribute__((noreturn)) void ap_main(struct cpu *c);

#endif
