/* A vCPU's whole KVM state as plain data: save, restore, and the narrow register/FPU accessors gdb uses. */
#ifndef KEEL_VCPU_STATE_H
#define KEEL_VCPU_STATE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#define VCPU_STATE_MAX_MSRS 16	/* room for every MSR in vcpu/state.c's list */

/* One saved MSR. */
struct vcpu_state_msr {
	uint32_t index;
	uint64_t value;
};

/*
 * Everything KVM keeps for one x86 vCPU that a debugger or a snapshot needs. Plain data: it can be
 * copied, compared and written out as it is. The FPU is the legacy (FXSAVE) image of KVM_GET_FPU:
 * x87 and XMM registers, but no MXCSR (KVM_GET_FPU leaves it 0, KVM_SET_FPU ignores it) and no
 * AVX state; those need KVM_GET/SET_XSAVE.
 * (Not "struct vcpu_state": vcpu/vcpu.h's enum vcpu_state, the thread's run state, has that tag.)
 */
struct vcpu_kvm_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp_state;
	struct kvm_xcrs xcrs;
	bool has_xcrs;			/* KVM_GET_XCRS worked: xcrs is valid and restored */
	struct kvm_debugregs debugregs;
	unsigned int nmsrs;		/* msrs[0..nmsrs): the MSRs this host let us read, in list order */
	struct vcpu_state_msr msrs[VCPU_STATE_MAX_MSRS];
};

/*
 * vcpu_state_save - read the whole state of the vCPU behind @vcpu_fd into @s (mp_state first,
 * events last). MSRs KVM refuses are left out of @s->msrs; xcrs only when KVM_GET_XCRS works
 * (@s->has_xcrs). The vCPU must be outside KVM_RUN. 0 or -errno.
 */
int vcpu_state_save(int vcpu_fd, struct vcpu_kvm_state *s);

/*
 * vcpu_state_restore - write @s back into the vCPU behind @vcpu_fd (the same vCPU or a fresh one
 * with an in-kernel LAPIC), in the order KVM needs: mp_state, regs, sregs, FPU, xcrs, debug
 * registers, LAPIC (after sregs: its base), MSRs (after the LAPIC: the TSC deadline), events last
 * (KVM_SET_REGS drops pending exceptions). Exactly the saved MSRs are written. 0, -errno, or
 * -EINVAL when KVM refuses an MSR's value.
 */
int vcpu_state_restore(int vcpu_fd, const struct vcpu_kvm_state *s);

/* vcpu_state_get_regs - the general registers into @r and the special ones into @sr; either may be NULL. 0 or -errno. */
int vcpu_state_get_regs(int vcpu_fd, struct kvm_regs *r, struct kvm_sregs *sr);

/* vcpu_state_set_regs - write @r, then @sr, into the vCPU behind @vcpu_fd; a NULL one is left as it is. 0 or -errno. */
int vcpu_state_set_regs(int vcpu_fd, const struct kvm_regs *r, const struct kvm_sregs *sr);

/* vcpu_state_get_fpu / vcpu_state_set_fpu - the FPU/SSE image @f of the vCPU behind @vcpu_fd. 0 or -errno. */
int vcpu_state_get_fpu(int vcpu_fd, struct kvm_fpu *f);
int vcpu_state_set_fpu(int vcpu_fd, const struct kvm_fpu *f);

#endif
