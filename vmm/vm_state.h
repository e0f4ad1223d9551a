/* A VM's KVM state beyond its vCPUs and memory as plain data: the in-kernel 8259s and IOAPIC, the PIT, the kvmclock. */
#ifndef KEEL_VMM_VM_STATE_H
#define KEEL_VMM_VM_STATE_H

#include <linux/kvm.h>

/*
 * What KVM keeps for a VM made with KVM_CREATE_IRQCHIP and KVM_CREATE_PIT2, outside its vCPUs
 * (vcpu/state.h) and guest RAM: each interrupt controller as KVM_GET_IRQCHIP gives it (chip_id
 * included), the PIT as KVM_GET_PIT2 gives it, and the clock as KVM_GET_CLOCK gives it. Plain
 * data: it can be copied, compared and written out as it is.
 * Two fields do not come back as saved: each PIT channel's count_load_time is the host's
 * monotonic time of the last count load, and KVM_SET_PIT2 loads every channel's count again (so
 * a restored channel starts its count anew); the clock only moves forward (see vm_state_restore).
 * (Not "struct vm_state": a VM's run state is another thing; this mirrors vcpu_kvm_state.)
 */
struct vm_kvm_state {
	struct kvm_irqchip pic_master;	/* chip_id KVM_IRQCHIP_PIC_MASTER */
	struct kvm_irqchip pic_slave;	/* chip_id KVM_IRQCHIP_PIC_SLAVE */
	struct kvm_irqchip ioapic;	/* chip_id KVM_IRQCHIP_IOAPIC */
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock;
};

/*
 * vm_state_save - read the interrupt controllers, the PIT and the clock of the VM behind @vm_fd
 * into @s, in the order vm_state_restore writes them. The VM needs an in-kernel irqchip and PIT.
 * Its vCPUs should be outside KVM_RUN (the PIT keeps ticking: a tick between two reads lands in
 * the controllers read after it). 0 or -errno.
 */
int vm_state_save(int vm_fd, struct vm_kvm_state *s);

/*
 * vm_state_check - could KVM's devices be in state @s? @s is untrusted: the three chip ids in
 * their places and nothing in the bytes past each chip's state; 8259s with boolean fields 0 or 1,
 * a priority and an initialization step in range, a vector base with its low three bits clear,
 * KVM's fixed ELCR masks and no ELCR bit outside them; an IOAPIC at KEEL_IOAPIC_GPA with a
 * register select, an ID and pending pins in range; PIT channels with a count of 1 to 65536, a mode of
 * 0 to 5 (or 0xff: never programmed), access states in range and boolean fields 0 or 1, only
 * known PIT flags and clock flags, and zero reserved fields. 0 or -EINVAL.
 */
int vm_state_check(const struct vm_kvm_state *s);

/*
 * vm_state_restore - write @s into the VM behind @vm_fd (made with an in-kernel irqchip and PIT),
 * after vm_state_check: the 8259 master, the 8259 slave, the IOAPIC, then the PIT (whose timer
 * restarts on KVM_SET_PIT2: its first tick finds the controllers restored), then the clock.
 * The clock is set to the saved value; when KVM gave a realtime reading with it
 * (KVM_CLOCK_REALTIME), KVM also adds the real time that passed since, as its API describes: the
 * time the VM spent saved is not lost to its clock. Call it before the vCPUs run again. When KVM
 * refuses a step, what was written is written back from the VM's state read before the restore.
 * 0, -EINVAL (a bad state) or -errno from KVM.
 */
int vm_state_restore(int vm_fd, const struct vm_kvm_state *s);

#endif
