/* Where the AP trampoline runs (firmware/machine.h's KEEL_AP_TRAMPOLINE_GPA, without the C suffix) and what it exports. */
#ifndef KEEL_GUEST_ARCH_X86_TRAMPOLINE_H
#define KEEL_GUEST_ARCH_X86_TRAMPOLINE_H

#define AP_TRAMPOLINE_BASE 0x8000	/* == KEEL_AP_TRAMPOLINE_GPA, checked in kernel/smp.c */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The trampoline's bytes, and its two parameters (the copy's are written, at the same offsets). */
extern const char ap_trampoline_start[], ap_trampoline_end[];
extern const uint64_t ap_tramp_cr3, ap_tramp_entry;
#endif

#endif
