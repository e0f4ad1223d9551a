/* Debug exits of a vCPU: KVM_EXIT_DEBUG goes to the debugger hooks; a ring-0 int3 that KVM could not emulate is finished here. */
#include "vcpu/debug.h"

#include "vcpu/quirks.h"
#include "vcpu/state.h"
#include "vcpu/vcpu.h"
#include "vcpu/vmem.h"
#include "vmm/log.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#define EFER_LMA (1ull << 10)

int vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	const struct vcpu_debug_hooks *d = vcpu->env->debug;

	if (d && d->debug_exit)
		return d->debug_exit(vcpu->env->debug_opaque, vcpu, run);
	log_debug("vCPU %u: debug exit (exception %u) with no debugger attached", vcpu->id,
		  run->debug.arch.exception);
	return VCPU_ACTION_CONTINUE;
}

int vcpu_pc(struct vcpu *vcpu, uint64_t *pc)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	int r;

	if (vcpu->fd < 0)
		return -EBADF;
	r = vcpu_state_get_regs(vcpu->fd, &regs, &sregs);
	if (r < 0)
		return r;
	if ((sregs.efer & EFER_LMA) && sregs.cs.l)
		*pc = regs.rip;
	else
		*pc = (sregs.cs.base + regs.rip) & 0xffffffffull;
	return 0;
}

int vcpu_inject_exception(struct vcpu *vcpu, unsigned int vector)
{
	struct kvm_vcpu_events ev;

	if (ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev) < 0)
		return -errno;
	ev.exception.injected = 1;
	ev.exception.nr = (uint8_t)vector;
	ev.exception.has_error_code = 0;
	ev.exception.error_code = 0;
	ev.exception.pending = 0;
	ev.flags &= ~(uint32_t)(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR);
	if (ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		return -errno;
	return 0;
}

int vcpu_int3_fault(struct vcpu *vcpu, const struct kvm_run *run)
{
	struct kvm_regs regs;
	uint8_t byte;
	uint64_t pc;
	int r;

	r = vcpu_pc(vcpu, &pc);
	if (r < 0)
		return r;
	/*
	 * The bytes KVM fetched, when it says: another vCPU may have changed memory since (Linux
	 * patches its text live with int3 as a temporary byte). Memory otherwise.
	 */
	if (vcpu->env->quirks && (vcpu->env->quirks->flags & QUIRK_INT3) &&
	    (run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) &&
	    run->emulation_failure.insn_size > 0)
		byte = run->emulation_failure.insn_bytes[0];
	else if (vcpu_read_virt(vcpu, pc, &byte, 1) != 1)
		return -ENOENT;
	if (byte != 0xcc)
		return -ENOENT;
	if (vcpu->env->debug && vcpu->env->debug->breakpoint &&
	    vcpu->env->debug->breakpoint(vcpu->env->debug_opaque, vcpu, pc))
		return VCPU_ACTION_CONTINUE;
	/* The guest's own breakpoint: finish the int3 the way the CPU would have. */
	r = vcpu_state_get_regs(vcpu->fd, &regs, NULL);
	if (r < 0)
		return r;
	regs.rip += 1;
	r = vcpu_state_set_regs(vcpu->fd, &regs, NULL);
	if (r < 0)
		return r;
	r = vcpu_inject_exception(vcpu, VCPU_VECTOR_BP);
	if (r < 0)
		return r;
	log_debug("vCPU %u: the guest's int3 at 0x%llx: #BP injected", vcpu->id, (unsigned long long)pc);
	return VCPU_ACTION_CONTINUE;
}
