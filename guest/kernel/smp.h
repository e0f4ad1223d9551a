/* Bringing up the application processors and knowing which CPUs are online. */
#ifndef KEEL_GUEST_KERNEL_SMP_H
#define KEEL_GUEST_KERNEL_SMP_H

#include <stdbool.h>

#include "guest/arch/x86/percpu.h"

/* Set up the BSP as cpu 0: per-CPU area (and so the stack canary libfdt needs), IDT, local APIC. */
void smp_init_bsp(void);

/*
 * Greet as cpu 0, then start every CPU of `machine` other than the BSP with INIT-SIPI-SIPI, one
 * after the other, each waited for with a time limit. smp_online_count() tells how many made it.
 */
void smp_start_aps(void);

/* True when the page at KEEL_AP_TRAMPOLINE_GPA is RAM holding nothing the loader passed. */
bool smp_trampoline_page_free(void);

/* CPUs that have come online, the BSP included. */
unsigned int smp_online_count(void);

/* Called by head.S on each AP, on its own stack. */
__attribute__((noreturn)) void ap_main(struct cpu *c);

#endif
