/* Working around what a host's KVM cannot do (kvm_pvm: ring-0 int3, fwait, SYSCALL that stays in ring 3), at the vCPU's exits. */
#ifndef KEEL_VCPU_QUIRKS_H
#define KEEL_VCPU_QUIRKS_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

/* What keel does for a host (bits of vcpu_quirks.flags). */
enum vcpu_quirk {
	QUIRK_CPUID_CX16 = 1u << 0,	/* hide cmpxchg16b in CPUID (KVM cannot emulate it in ring 0) */
	QUIRK_FWAIT = 1u << 1,		/* step over an fwait KVM failed to emulate */
	QUIRK_INT3 = 1u << 2,		/* a ring-0 int3 KVM failed to emulate becomes #BP, judged from the bytes KVM fetched */
	QUIRK_SYSCALL = 1u << 3,	/* finish a SYSCALL that left the guest in ring 3 (see below) */
};

/*
 * The SYSCALL fix. On kvm_pvm a SYSCALL from ring 3 jumps to LSTAR but stays in ring 3, so the
 * fetch at LSTAR (a supervisor page) raises #PF with error "user, instruction fetch". keel traps
 * the guest's page-fault entry: when the guest writes LSTAR (its syscall_init, after its IDT is
 * up; an MSR filter sends the write here) keel reads vector 14 of the IDT, finds the entry's
 * first `cld` past any NOP, ENDBR64 or CLAC (Linux's idtentry starts that way) and puts an int3
 * there, which exits to keel on such hosts. At that int3: a fault whose frame says "user fetch
 * at LSTAR from ring 3" becomes the system call it should have been (RIP = LSTAR, RSP = the
 * user RSP, RFLAGS masked by SFMASK, in ring 0 where the fault already put the vCPU); any other
 * fault just runs the `cld` and goes on.
 */
struct vcpu_quirks {
	unsigned int flags;		/* enum vcpu_quirk bits in force */
	pthread_mutex_t lock;		/* guards the trap fields below */
	uint64_t pf_entry;		/* linear address of the page-fault entry, 0: not found yet */
	uint64_t trap_gva, trap_gpa;	/* the patched `cld` */
	bool trap_set;
	bool trap_failed;		/* the entry did not look as expected: said once, not retried */
	uint64_t lstar;			/* the last LSTAR a vCPU wrote (Linux: the same on every vCPU) */
	/* counters, for -v at the end (relaxed atomics) */
	uint64_t n_syscalls, n_faults, n_fwait, n_int3;
};

/* quirks_init / quirks_destroy - @q with @flags in force, nothing trapped yet. */
void quirks_init(struct vcpu_quirks *q, unsigned int flags);
void quirks_destroy(struct vcpu_quirks *q);

/* quirks_cpuid - hide from vCPU table @c what @q says the host cannot run (cmpxchg16b). */
void quirks_cpuid(const struct vcpu_quirks *q, struct kvm_cpuid2 *c);

/*
 * quirks_emulation_failure - a KVM_EXIT_INTERNAL_ERROR (emulation) of @vcpu, with the bytes KVM
 * fetched in @run: handled (returns 0, the vCPU may go on), or -ENOENT when no quirk applies
 * (the caller reports the failure), or another -errno.
 */
int quirks_emulation_failure(struct vcpu_quirks *q, struct vcpu *vcpu, const struct kvm_run *run);

/*
 * quirks_wrmsr - the guest wrote @value to MSR @index and KVM sent it here: for LSTAR, write it
 * to the vCPU and plant the page-fault trap if not done yet. 0 when handled, -ENOENT for MSRs
 * the quirks do not watch.
 */
int quirks_wrmsr(struct vcpu_quirks *q, struct vcpu *vcpu, uint32_t index, uint64_t value);

/*
 * quirks_pf_trap_site - where in the page-fault entry @code (@len bytes, from its first byte)
 * the trap goes: the offset of the first `cld` (0xfc) reached by skipping NOPs, ENDBR64 and
 * CLAC; -ENOENT when the code starts otherwise. Pure (unit-tested).
 */
int quirks_pf_trap_site(const uint8_t *code, size_t len);

/*
 * quirks_syscall_frame - whether the #PF frame @frame (error code, RIP, CS, RFLAGS, RSP, SS as
 * pushed) is a SYSCALL left in ring 3: a user instruction fetch at @lstar from CPL 3. Pure.
 */
bool quirks_syscall_frame(const uint64_t frame[6], uint64_t lstar);

#define QUIRKS_MSR_LSTAR 0xc0000082u
#define QUIRKS_MSR_SFMASK 0xc0000084u

#endif
