/* A vCPU's debug exits: KVM_EXIT_DEBUG for the gdb stub, the ring-0 int3 emulation failure of kvm_pvm hosts, exception injection. */
#ifndef KEEL_VCPU_DEBUG_H
#define KEEL_VCPU_DEBUG_H

#include <linux/kvm.h>
#include <stdint.h>

struct vcpu;

#define VCPU_VECTOR_DB 1	/* #DB: single step, debug registers */
#define VCPU_VECTOR_BP 3	/* #BP: int3 */

/*
 * vcpu_debug_exit - KVM_EXIT_DEBUG: hand it to the environment's debugger hooks when a debugger
 * is attached, otherwise (a stale exit) carry on. Returns a vcpu_action.
 */
int vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run);

/*
 * vcpu_int3_fault - after an emulation failure (KVM_EXIT_INTERNAL_ERROR, suberror 1) described by
 * @run: if the instruction is an int3 (judged from the bytes KVM fetched when @run has them and
 * the host workaround QUIRK_INT3 is on, else from memory at the vCPU's PC), it is either a breakpoint the gdb stub planted (the vCPU stops and
 * gdb is told) or the guest's own, which is completed as the CPU would have done it: PC moves
 * past it and #BP is injected, so the guest's handler runs. Returns VCPU_ACTION_CONTINUE when
 * handled, -ENOENT when the failure is not an int3, or -errno.
 */
int vcpu_int3_fault(struct vcpu *vcpu, const struct kvm_run *run);

/* vcpu_inject_exception - deliver exception @vector (no error code) on the next entry. 0 or -errno. */
int vcpu_inject_exception(struct vcpu *vcpu, unsigned int vector);

/* vcpu_pc - the linear address of the next instruction (cs.base + rip outside 64-bit mode). 0 or -errno. */
int vcpu_pc(struct vcpu *vcpu, uint64_t *pc);

#endif
