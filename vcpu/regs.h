/* Initial register state of a vCPU (the PVH and Multiboot 32-bit and Linux 64-bit entry states), and register dumps. */
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

/*
 * regs_multiboot_regs - general registers at a Multiboot entry (1 or 2; the segment state is PVH's:
 * flat 32-bit code and data, CR0.PE=1 PG=0): rip = @entry, eax = @magic, ebx = @info, EFLAGS = 2
 * (IF and VM clear). regs_setup_multiboot - apply them and that state to @vcpu_fd. 0 or -errno.
 */
void regs_multiboot_regs(struct kvm_regs *regs, uint64_t entry, uint32_t magic, uint64_t info);
int regs_setup_multiboot(int vcpu_fd, uint64_t entry, uint32_t magic, uint64_t info);

/* regs_setup_pvh - apply both, plus a default FPU state, to the vCPU behind @vcpu_fd. 0 or -errno. */
int regs_setup_pvh(int vcpu_fd, uint64_t entry, uint64_t start_info);

/*
 * regs_setup_linux64 - the Linux 64-bit boot protocol's entry state on @vcpu_fd: long mode with
 * paging on page tables at @pml4, flat __BOOT_CS (0x10) / __BOOT_DS (0x18) segments from the GDT
 * at @gdt (@gdt_limit), interrupts off, rip = @entry, rsi = @boot_params. 0 or -errno.
 */
int regs_setup_linux64(int vcpu_fd, uint64_t entry, uint64_t boot_params, uint64_t pml4, uint64_t gdt,
		       uint16_t gdt_limit);

/* regs_dump - log the general, segment and control registers of @vcpu_fd at error level. */
void regs_dump(int vcpu_fd, unsigned int vcpu_id);

#endif
