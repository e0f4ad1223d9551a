/* Entry register state for the boot vCPU (PVH, Multiboot, Linux 64-bit), and the register dump printed after fatal exits. */
#include "vcpu/regs.h"

#include "vcpu/state.h"
#include "vcpu/vcpu.h"
#include "vmm/log.h"

#include <string.h>

static void regs_flat_segment(struct kvm_segment *s, uint16_t selector, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->base = 0;
	s->limit = 0xffffffff;
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->dpl = 0;
	s->db = 1;
	s->s = 1;
	s->g = 1;
}

/* The FPU as after reset: control word 0x37f, MXCSR 0x1f80. */
static int regs_default_fpu(int vcpu_fd)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = 0x37f;
	fpu.mxcsr = 0x1f80;
	return vcpu_state_set_fpu(vcpu_fd, &fpu);
}

void regs_pvh_sregs(struct kvm_sregs *sregs)
{
	regs_flat_segment(&sregs->cs, 0x10, 0xb);	/* code, execute/read, accessed */
	regs_flat_segment(&sregs->ds, 0x18, 0x3);	/* data, read/write, accessed */
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	memset(&sregs->tr, 0, sizeof(sregs->tr));
	sregs->tr.selector = 0x20;
	sregs->tr.limit = 0x67;
	sregs->tr.type = 0xb;		/* busy 32-bit TSS */
	sregs->tr.present = 1;
	sregs->cr0 = 0x11;		/* PE | ET */
	sregs->cr3 = 0;
	sregs->cr4 = 0;
	sregs->efer = 0;
}

void regs_pvh_regs(struct kvm_regs *regs, uint64_t entry, uint64_t start_info)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->rbx = start_info;
	regs->rflags = 0x2;
}

void regs_multiboot_regs(struct kvm_regs *regs, uint64_t entry, uint32_t magic, uint64_t info)
{
	regs_pvh_regs(regs, entry, info);
	regs->rax = magic;
}

/* The flat 32-bit entry state PVH and Multiboot share, with @regs as the general registers. */
static int regs_setup_flat32(int vcpu_fd, const struct kvm_regs *regs)
{
	struct kvm_sregs sregs;
	int ret;

	ret = vcpu_state_get_regs(vcpu_fd, NULL, &sregs);
	if (ret < 0)
		return ret;
	regs_pvh_sregs(&sregs);
	ret = vcpu_state_set_regs(vcpu_fd, NULL, &sregs);
	if (ret < 0)
		return ret;
	ret = vcpu_state_set_regs(vcpu_fd, regs, NULL);
	if (ret < 0)
		return ret;
	return regs_default_fpu(vcpu_fd);
}

int regs_setup_multiboot(int vcpu_fd, uint64_t entry, uint32_t magic, uint64_t info)
{
	struct kvm_regs regs;

	regs_multiboot_regs(&regs, entry, magic, info);
	return regs_setup_flat32(vcpu_fd, &regs);
}

int regs_setup_pvh(int vcpu_fd, uint64_t entry, uint64_t start_info)
{
	struct kvm_regs regs;

	regs_pvh_regs(&regs, entry, start_info);
	return regs_setup_flat32(vcpu_fd, &regs);
}

int regs_setup_linux64(int vcpu_fd, uint64_t entry, uint64_t boot_params, uint64_t pml4, uint64_t gdt,
		       uint16_t gdt_limit)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int ret;

	ret = vcpu_state_get_regs(vcpu_fd, NULL, &sregs);
	if (ret < 0)
		return ret;
	regs_pvh_sregs(&sregs);		/* flat 0x10 / 0x18 segments and a TR, then long mode: */
	sregs.cs.l = 1;
	sregs.cs.db = 0;
	sregs.tr.type = 0xb;		/* busy 64-bit TSS */
	sregs.gdt.base = gdt;
	sregs.gdt.limit = gdt_limit;
	sregs.cr3 = pml4;
	sregs.cr4 = 0x20;		/* PAE */
	sregs.cr0 = 0x80050033;		/* PG | AM | WP | NE | ET | MP | PE */
	sregs.efer = 0x500;		/* LMA | LME */
	ret = vcpu_state_set_regs(vcpu_fd, NULL, &sregs);
	if (ret < 0)
		return ret;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rsi = boot_params;
	regs.rflags = 0x2;
	ret = vcpu_state_set_regs(vcpu_fd, &regs, NULL);
	if (ret < 0)
		return ret;
	return regs_default_fpu(vcpu_fd);
}

void regs_dump(int vcpu_fd, unsigned int vcpu_id)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (vcpu_fd < 0 || vcpu_state_get_regs(vcpu_fd, &r, &s) < 0) {
		log_error("vCPU %u: registers unavailable", vcpu_id);
		return;
	}
	log_error("vCPU %u: rip=%016llx rsp=%016llx rflags=%016llx", vcpu_id, r.rip, r.rsp, r.rflags);
	log_error("vCPU %u: rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx", vcpu_id, r.rax, r.rbx, r.rcx, r.rdx);
	log_error("vCPU %u: rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx", vcpu_id, r.rsi, r.rdi, r.rbp, r.r8);
	log_error("vCPU %u: r9 =%016llx r10=%016llx r11=%016llx r12=%016llx", vcpu_id, r.r9, r.r10, r.r11, r.r12);
	log_error("vCPU %u: r13=%016llx r14=%016llx r15=%016llx", vcpu_id, r.r13, r.r14, r.r15);
	log_error("vCPU %u: cs=%04x ds=%04x ss=%04x tr=%04x cs.base=%llx cs.l=%u cs.db=%u", vcpu_id,
		  s.cs.selector, s.ds.selector, s.ss.selector, s.tr.selector, s.cs.base, s.cs.l, s.cs.db);
	log_error("vCPU %u: cr0=%llx cr2=%llx cr3=%llx cr4=%llx efer=%llx", vcpu_id, s.cr0, s.cr2, s.cr3,
		  s.cr4, s.efer);
	log_error("vCPU %u: gdt=%llx/%x idt=%llx/%x", vcpu_id, s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit);
}

void vcpu_dump_regs(struct vcpu *vcpu)
{
	regs_dump(vcpu->fd, vcpu->id);
}
