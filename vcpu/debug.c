/* Debug exits of a vCPU: KVM_EXIT_DEBUG goes to the gdb stub; a ring-0 int3 that KVM could not emulate is finished here. */
#include "vcpu/debug.h"

#include "vcpu/vcpu.h"
#include "vcpu/vmem.h"
#include "vmm/gdb/gdb.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#define EFER_LMA (1ull << 10)

int vcpu_debug_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	if (vcpu->vm->gdb)
		return gdb_vcpu_debug_exit(vcpu->vm->gdb, vcpu, run);
	log_debug("vCPU %u: debug exit (exception %u) with no debugger attached", vcpu->id,
		  run->debug.arch.exception);
	return VCPU_ACTION_CONTINUE;
}

int vcpu_pc(struct vcpu *vcpu, uint64_t *pc)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (vcpu->fd < 0)
		return -EBADF;
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0 || ioctl(vcpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return -errno;
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

int vcpu_int3_fault(struct vcpu *vcpu)
{
	struct kvm_regs regs;
	uint8_t byte;
	uint64_t pc;
	int r;

	r = vcpu_pc(vcpu, &pc);
	if (r < 0)
		return r;
	if (vcpu_read_virt(vcpu, pc, &byte, 1) != 1 || byte != 0xcc)
		return -ENOENT;
	if (vcpu->vm->gdb && gdb_vcpu_breakpoint(vcpu->vm->gdb, vcpu, pc))
		return VCPU_ACTION_CONTINUE;
	/* The guest's own breakpoint: finish the int3 the way the CPU would have. */
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) < 0)
		return -errno;
	regs.rip += 1;
	if (ioctl(vcpu->fd, KVM_SET_REGS, &regs) < 0)
		return -errno;
	r = vcpu_inject_exception(vcpu, VCPU_VECTOR_BP);
	if (r < 0)
		return r;
	log_debug("vCPU %u: the guest's int3 at 0x%llx: #BP injected", vcpu->id, (unsigned long long)pc);
	return VCPU_ACTION_CONTINUE;
}
