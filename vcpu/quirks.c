/* Host workarounds at the vCPU's exits: step over fwait, and finish SYSCALLs a kvm_pvm host leaves in ring 3 from a trap on the guest's page-fault entry. */
#include "vcpu/quirks.h"

#include "vcpu/cpuid.h"
#include "vcpu/debug.h"
#include "vcpu/state.h"
#include "vcpu/vcpu.h"
#include "vcpu/vmem.h"
#include "vmm/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define OP_INT3 0xcc
#define OP_FWAIT 0x9b
#define OP_CLD 0xfc
#define RFLAGS_DF (1ull << 10)
#define PF_ERR_USER (1ull << 2)
#define PF_ERR_FETCH (1ull << 4)
#define IDT_VECTOR_PF 14u

void quirks_init(struct vcpu_quirks *q, unsigned int flags)
{
	memset(q, 0, sizeof(*q));
	q->flags = flags;
	pthread_mutex_init(&q->lock, NULL);
}

void quirks_destroy(struct vcpu_quirks *q)
{
	pthread_mutex_destroy(&q->lock);
}

void quirks_cpuid(const struct vcpu_quirks *q, struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 1, 0);

	if (q && (q->flags & QUIRK_CPUID_CX16) && e)
		e->ecx &= ~(1u << 13);	/* CMPXCHG16B */
}

/* The length of the instruction at @code (@len bytes) when it is one the trap may step over, else 0. */
static size_t skippable(const uint8_t *code, size_t len)
{
	/* What Linux's idtentry may start with before its `cld`: ENDBR64, CLAC, and NOPs (alternatives). */
	static const struct {
		uint8_t n, b[6];
	} skip[] = {
		{ 4, { 0xf3, 0x0f, 0x1e, 0xfa } },		/* endbr64 */
		{ 3, { 0x0f, 0x01, 0xca } },			/* clac */
		{ 1, { 0x90 } },				/* nop */
		{ 2, { 0x66, 0x90 } },
		{ 3, { 0x0f, 0x1f, 0x00 } },
		{ 4, { 0x0f, 0x1f, 0x40, 0x00 } },
		{ 5, { 0x0f, 0x1f, 0x44, 0x00, 0x00 } },
		{ 6, { 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00 } },
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (len >= skip[i].n && memcmp(code, skip[i].b, skip[i].n) == 0)
			return skip[i].n;
	return 0;
}

int quirks_pf_trap_site(const uint8_t *code, size_t len)
{
	size_t at = 0, n;

	while (at < len) {
		if (code[at] == OP_CLD)
			return (int)at;
		n = skippable(code + at, len - at);
		if (n == 0)
			return -ENOENT;
		at += n;
	}
	return -ENOENT;
}

bool quirks_syscall_frame(const uint64_t frame[6], uint64_t lstar)
{
	const uint64_t err = frame[0], rip = frame[1], cs = frame[2];

	return (err & (PF_ERR_USER | PF_ERR_FETCH)) == (PF_ERR_USER | PF_ERR_FETCH) && rip == lstar &&
	       lstar != 0 && (cs & 3) == 3;
}

static int get_msrs(struct vcpu *vcpu, uint64_t *lstar, uint64_t *sfmask)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m = { .hdr.nmsrs = 2, .e = { { .index = QUIRKS_MSR_LSTAR }, { .index = QUIRKS_MSR_SFMASK } } };

	if (ioctl(vcpu->fd, KVM_GET_MSRS, &m) != 2)
		return -EIO;
	*lstar = m.e[0].data;
	*sfmask = m.e[1].data;
	return 0;
}

/*
 * The vCPU is at the trap: the guest's page-fault entry, with the fault's frame at RSP. Most
 * faults are ordinary ones: CR2 tells them apart at the cost of one ioctl before the usual two.
 */
static int pf_trap(struct vcpu_quirks *q, struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	uint64_t frame[6], lstar, sfmask;
	int r = vcpu_state_get_regs(vcpu->fd, &regs, &sregs);

	if (r < 0)
		return r;
	if (sregs.cr2 != __atomic_load_n(&q->lstar, __ATOMIC_RELAXED)) {
		regs.rip += 1;			/* the `cld` the trap replaced */
		regs.rflags &= ~RFLAGS_DF;
		__atomic_add_fetch(&q->n_faults, 1, __ATOMIC_RELAXED);
		return vcpu_state_set_regs(vcpu->fd, &regs, NULL);
	}
	if (vcpu_read_virt(vcpu, regs.rsp, frame, sizeof(frame)) != (ssize_t)sizeof(frame) ||
	    get_msrs(vcpu, &lstar, &sfmask) < 0) {
		log_warn("vCPU %u: page-fault trap: cannot read the fault frame at 0x%llx", vcpu->id, regs.rsp);
		return -EFAULT;
	}
	if (quirks_syscall_frame(frame, lstar)) {
		/* The system call the CPU should have made: RCX and R11 already hold what SYSCALL saves. */
		regs.rip = lstar;
		regs.rsp = frame[4];
		regs.rflags = (frame[3] & ~sfmask) | 0x2;
		__atomic_add_fetch(&q->n_syscalls, 1, __ATOMIC_RELAXED);
	} else {
		regs.rip += 1;			/* the `cld` the trap replaced */
		regs.rflags &= ~RFLAGS_DF;
		__atomic_add_fetch(&q->n_faults, 1, __ATOMIC_RELAXED);
	}
	return vcpu_state_set_regs(vcpu->fd, &regs, NULL);
}

int quirks_emulation_failure(struct vcpu_quirks *q, struct vcpu *vcpu, const struct kvm_run *run)
{
	struct kvm_regs regs;
	uint64_t pc;
	uint8_t op;
	int r;

	if (!q || !(q->flags & (QUIRK_FWAIT | QUIRK_SYSCALL)))
		return -ENOENT;
	r = vcpu_pc(vcpu, &pc);
	if (r < 0)
		return r;
	if ((run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) &&
	    run->emulation_failure.insn_size > 0)
		op = run->emulation_failure.insn_bytes[0];
	else if (vcpu_read_virt(vcpu, pc, &op, 1) != 1)
		return -ENOENT;
	if (op == OP_INT3 && (q->flags & QUIRK_SYSCALL) && __atomic_load_n(&q->trap_set, __ATOMIC_ACQUIRE) &&
	    pc == q->trap_gva)
		return pf_trap(q, vcpu);
	if (op == OP_FWAIT && (q->flags & QUIRK_FWAIT)) {
		/* fwait only raises pending x87 exceptions, which keel's guests never leave pending. */
		r = vcpu_state_get_regs(vcpu->fd, &regs, NULL);
		if (r < 0)
			return r;
		regs.rip += 1;
		__atomic_add_fetch(&q->n_fwait, 1, __ATOMIC_RELAXED);
		return vcpu_state_set_regs(vcpu->fd, &regs, NULL);
	}
	return -ENOENT;
}

/* Find the page-fault entry through the IDT the vCPU has loaded and put the int3 on its `cld`. */
static void plant_trap(struct vcpu_quirks *q, struct vcpu *vcpu)
{
	struct kvm_sregs sregs;
	uint8_t gate[16], code[32];
	uint64_t entry;
	ssize_t got;
	int site;

	if (vcpu_state_get_regs(vcpu->fd, NULL, &sregs) < 0 || sregs.idt.limit < IDT_VECTOR_PF * 16 + 15 ||
	    vcpu_read_virt(vcpu, sregs.idt.base + IDT_VECTOR_PF * 16, gate, sizeof(gate)) != sizeof(gate)) {
		log_warn("host workaround for SYSCALL not applied: the guest's IDT is not readable");
		q->trap_failed = true;
		return;
	}
	entry = (uint64_t)gate[0] | (uint64_t)gate[1] << 8 | (uint64_t)gate[6] << 16 | (uint64_t)gate[7] << 24 |
		(uint64_t)gate[8] << 32 | (uint64_t)gate[9] << 40 | (uint64_t)gate[10] << 48 |
		(uint64_t)gate[11] << 56;
	got = vcpu_read_virt(vcpu, entry, code, sizeof(code));
	site = got > 0 ? quirks_pf_trap_site(code, (size_t)got) : -EFAULT;
	if (site < 0) {
		log_warn("host workaround for SYSCALL not applied: the guest's page-fault entry at 0x%llx does"
			 " not start the way keel knows (%02x %02x %02x %02x ...); its programs' system calls"
			 " will fail on this host", (unsigned long long)entry, code[0], code[1], code[2], code[3]);
		q->trap_failed = true;
		return;
	}
	q->pf_entry = entry;
	q->trap_gva = entry + (uint64_t)site;
	if (vcpu_translate(vcpu, q->trap_gva, &q->trap_gpa) < 0 ||
	    vcpu_write_virt(vcpu, q->trap_gva, (const uint8_t[]){ OP_INT3 }, 1) < 0) {
		log_warn("host workaround for SYSCALL not applied: cannot write the guest's page-fault entry");
		q->trap_failed = true;
		return;
	}
	__atomic_store_n(&q->trap_set, true, __ATOMIC_RELEASE);
	log_info("host workaround: SYSCALL completed from the page-fault entry (trap at 0x%llx, guest-physical"
		 " 0x%llx)", (unsigned long long)q->trap_gva, (unsigned long long)q->trap_gpa);
}

int quirks_wrmsr(struct vcpu_quirks *q, struct vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index, .data = value } };

	if (!q || !(q->flags & QUIRK_SYSCALL) || index != QUIRKS_MSR_LSTAR)
		return -ENOENT;
	if (ioctl(vcpu->fd, KVM_SET_MSRS, &m) != 1)
		return -EIO;
	__atomic_store_n(&q->lstar, value, __ATOMIC_RELAXED);
	pthread_mutex_lock(&q->lock);
	if (!q->trap_set && !q->trap_failed)
		plant_trap(q, vcpu);
	pthread_mutex_unlock(&q->lock);
	return 0;
}
