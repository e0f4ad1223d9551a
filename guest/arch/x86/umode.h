/* How user mode is entered and left on this host, found out at boot: SYSRET or IRETQ, SYSCALL native or trapped. */
#ifndef KEEL_GUEST_ARCH_X86_UMODE_H
#define KEEL_GUEST_ARCH_X86_UMODE_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/arch/x86/frame.h"

/* Read by entry.S: a syscall's own frame returns with sysretq when set, else with iretq. */
extern bool sysret_enabled;

/* True only while umode_detect() runs its probes. */
extern volatile bool umode_probe_active;

enum umode_outcome {
	UMODE_NOT_RUN,
	UMODE_SYSCALL_RING0,		/* the probe's syscall arrived in ring 0 at LSTAR: all is well */
	UMODE_SYSCALL_RING3,		/* it jumped to LSTAR but stayed in ring 3 (#PF fetching there) */
	UMODE_FAULT,			/* an exception before the probe's code ran */
};

struct umode_probe {
	enum umode_outcome outcome;
	uint64_t vector, rip, cs, rcx;	/* the event that ended the probe */
	uint64_t r11;			/* after a syscall: the RFLAGS ring 3 ran with */
};

struct umode_result {
	bool sysret_allowed;		/* false with sysret=off */
	struct umode_probe iret, sysret; /* entering ring 3 with iretq, and with sysretq */
	bool sysret_works;		/* sysretq reached the probe's code (rcx proves it) */
	bool syscall_native;		/* syscall from ring 3 enters ring 0 */
	bool syscall_trapped;		/* ... or it arrives as a #PF at LSTAR in ring 3 and is completed there */
	bool iopl_kept;			/* ring 3 entered with IOPL 3 runs with IOPL 3 (else the host drops it) */
};

extern struct umode_result umode_result;

/*
 * Probe (BSP, interrupts off, syscall MSRs set) with a one-page user address space whose code makes
 * a syscall at once: entered with iretq (and IOPL 3: RFLAGS as SYSCALL saves it in R11 tells
 * whether ring 3 really got it), then with sysretq (unless @sysret_allowed is false). Sets
 * sysret_enabled and the syscall mode, and prints two lines saying what this host does.
 */
void umode_detect(bool sysret_allowed);

/* The probes' hooks in the exception and syscall paths; true when the event was a probe's. */
bool umode_probe_trap(struct trap_frame *f, uint64_t cr2);
bool umode_probe_syscall(struct trap_frame *f);

/*
 * A #PF from ring 3 fetching at LSTAR is a syscall that did not switch to ring 0 (this host): when
 * syscall_trapped, turn the frame into the syscall's (RIP from RCX, RFLAGS from R11) and return
 * true. The caller then runs the syscall.
 */
bool umode_syscall_from_fault(struct trap_frame *f, uint64_t cr2);

/* Syscalls completed from the page-fault handler, and syscall returns done with sysretq. */
extern uint64_t umode_trapped_syscalls;

#endif
