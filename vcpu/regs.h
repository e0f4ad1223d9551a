/* Initial register state of a vCPU: the PVH 32-bit entry state, and register dumps. */
#ifndef KEEL_VCPU_REGS_H
#define KEEL_VCPU_REGS_H

#include <linux/kvm.h>
#include <stdint.h>

/*
 * regs_pvh_sregs - turn @sregs into the PVH entry state: 32-bit protected mode, paging off,
 * flat 4 GiB code (0x10) and data (0x18) segments, a valid TR; nothing else is touched.
 */
void regs_pvh_sregs(struct kvm_sregs *sregs);

/* regs_pvh_regs - general registers at PVH entry: rip = @entry, rbx = @start_info, rflags = 2. */
void regs_pvh_regs(struct kvm_regs *regs, uint64_t entry, uint64_t start_info);

/* regs_setup_pvh - apply both, plus a default FPU state, to the vCPU behind @vcpu_fd. 0 or -errno. */
int regs_setup_pvh(int vcpu_fd, uint64_t entry, uint64_t start_info);

/* regs_dump - log the general, segment and control registers of @vcpu_fd at error level. */
void regs_dump(int vcpu_fd, unsigned int vcpu_id);

#endif
