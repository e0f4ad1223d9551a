/* Unit tests of vcpu/state.c on real KVM vCPUs (raw ioctls, no struct vm): a vCPU's whole state round-trips field by field. */
#include "tests/unit/suites.h"

#include "tests/unit/kvm_fixture.h"
#include "vcpu/cpuid.h"
#include "vcpu/state.h"
#include "vmm/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define RAW_MEM_SIZE (16 * 4096ul)	/* a few pages at guest-physical 0 */

#define APIC_TPR 0x80			/* LAPIC register offsets in kvm_lapic_state.regs */
#define APIC_LVTT 0x320

#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_SYSENTER_EIP 0x176u
#define MSR_TSC 0x10u

/* A bare VM with an in-kernel irqchip, one memory slot and one vCPU with keel's CPUID. */
struct raw_vm {
	int kvm;
	int vm;
	int vcpu;
	void *mem;
};

/* raw_vm_set_cpuid - @v's vCPU gets keel's CPUID for vCPU 0 of 1 (so XCR0 can hold SSE, EFER NX). */
static void raw_vm_set_cpuid(struct raw_vm *v)
{
	struct kvm_cpuid2 *sup, *c;

	ck_assert_int_eq(cpuid_get_supported(v->kvm, &sup), 0);
	ck_assert_int_eq(cpuid_build(sup, 0, 1, &c), 0);
	ck_assert_int_eq(ioctl(v->vcpu, KVM_SET_CPUID2, c), 0);
	free(c);
	free(sup);
}

/* raw_vm_open - @v: /dev/kvm, a VM, its irqchip (so the LAPIC exists), RAW_MEM_SIZE of RAM and vCPU 0. */
static void raw_vm_open(struct raw_vm *v)
{
	struct kvm_userspace_memory_region slot = { .slot = 0, .guest_phys_addr = 0, .memory_size = RAW_MEM_SIZE };

	v->vm = kvm_fixture_vm(&v->kvm);
	v->mem = mmap(NULL, RAW_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(v->mem != MAP_FAILED);
	slot.userspace_addr = (uintptr_t)v->mem;
	ck_assert_int_eq(ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &slot), 0);
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	ck_assert_int_ge(v->vcpu, 0);
	raw_vm_set_cpuid(v);
}

/* raw_vm_close - everything raw_vm_open made; a vCPU fd already closed is -1. */
static void raw_vm_close(struct raw_vm *v)
{
	if (v->vcpu >= 0)
		close(v->vcpu);
	close(v->vm);
	close(v->kvm);
	munmap(v->mem, RAW_MEM_SIZE);
}

/* lapic_reg / lapic_set_reg - the 32-bit LAPIC register at offset @off of @l. */
static uint32_t lapic_reg(const struct kvm_lapic_state *l, unsigned int off)
{
	uint32_t v;

	memcpy(&v, &l->regs[off], sizeof(v));
	return v;
}

static void lapic_set_reg(struct kvm_lapic_state *l, unsigned int off, uint32_t v)
{
	memcpy(&l->regs[off], &v, sizeof(v));
}

/* state_msr - the saved value of MSR @index in @s into @value; false when @s does not have it. */
static bool state_msr(const struct vcpu_kvm_state *s, uint32_t index, uint64_t *value)
{
	for (unsigned int i = 0; i < s->nmsrs; i++) {
		if (s->msrs[i].index == index) {
			*value = s->msrs[i].value;
			return true;
		}
	}
	return false;
}

/* --- distinctive values, written with raw ioctls (variant @k: 0 or 1) -------------------------------- */

/* gpr_value - what general register @i (rax, rbx, ... r15) holds in variant @k. */
static uint64_t gpr_value(unsigned int i, unsigned int k)
{
	return 0x0123456789ab0000ull + i * 0x0101010101ull + k * 0x1000000000000000ull;
}

/* put_regs - every general register, rip and rflags of @fd (variant @k). */
static void put_regs(int fd, unsigned int k)
{
	struct kvm_regs r;
	__u64 *gpr[16] = { &r.rax, &r.rbx, &r.rcx, &r.rdx, &r.rsi, &r.rdi, &r.rbp, &r.rsp,
			   &r.r8, &r.r9, &r.r10, &r.r11, &r.r12, &r.r13, &r.r14, &r.r15 };

	for (unsigned int i = 0; i < 16; i++)
		*gpr[i] = gpr_value(i, k);
	r.rip = 0xffffffff81000000ull + 0x100 * k;
	r.rflags = k ? 0x202 : 0x2d7;		/* IF, and CF PF AF ZF SF in variant 0 */
	ck_assert_int_eq(ioctl(fd, KVM_SET_REGS, &r), 0);
}

/* long_mode_segment - @s: a present flat segment @selector of @type, 64-bit code when @code. */
static void long_mode_segment(struct kvm_segment *s, uint16_t selector, uint8_t type, bool code)
{
	memset(s, 0, sizeof(*s));
	s->selector = selector;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->l = code;
	s->db = !code;
	s->g = 1;
	s->limit = 0xffffffff;
}

/* put_sregs - @fd in 64-bit long mode with paging, PML4 at 0x1000 (zeroed RAM; the vCPU never runs), variant @k. */
static void put_sregs(int fd, unsigned int k)
{
	struct kvm_sregs s;

	ck_assert_int_eq(ioctl(fd, KVM_GET_SREGS, &s), 0);
	long_mode_segment(&s.cs, 0x10, 0xb, true);
	long_mode_segment(&s.ds, 0x18, 0x3, false);
	s.es = s.ss = s.ds;
	s.fs = s.gs = s.ds;
	s.fs.base = 0x00007f0000001000ull + 0x1000 * k;
	s.gs.base = 0xffff888000000000ull + 0x1000 * k;
	s.tr.selector = 0x20;
	s.tr.type = 0xb;			/* busy 64-bit TSS */
	s.tr.present = 1;
	s.tr.limit = 0x67;
	s.gdt.base = 0x2000;
	s.gdt.limit = 0x27 + 8 * k;
	s.idt.base = 0x3000;
	s.idt.limit = 0xfff;
	s.cr0 = 0x80050033;			/* PG WP NE ET MP PE */
	s.cr3 = 0x1000 + 0x1000 * k;
	s.cr4 = 0x6a0;				/* OSXMMEXCPT OSFXSR PGE PAE */
	s.efer = 0xd01;				/* NXE LMA LME SCE */
	s.cr2 = 0xdead000 + k;
	ck_assert_int_eq(ioctl(fd, KVM_SET_SREGS, &s), 0);
}

/* put_fpu - xmm0, xmm15, MXCSR and the x87 control word of @fd (variant @k). */
static void put_fpu(int fd, unsigned int k)
{
	struct kvm_fpu f;

	ck_assert_int_eq(ioctl(fd, KVM_GET_FPU, &f), 0);
	for (unsigned int i = 0; i < 16; i++) {
		f.xmm[0][i] = (uint8_t)(0xa0 + i + k);
		f.xmm[15][i] = (uint8_t)(0x10 * k + i);
	}
	f.mxcsr = k ? 0x1f80 : 0x3f80;		/* variant 0 rounds down (KVM_SET_FPU may ignore it: see below) */
	f.fcw = k ? 0x37f : 0x27f;		/* variant 0: 53-bit precision */
	ck_assert_int_eq(ioctl(fd, KVM_SET_FPU, &f), 0);
}

/* put_lapic - the TPR and the LVT timer of @fd's LAPIC (variant @k). */
static void put_lapic(int fd, unsigned int k)
{
	struct kvm_lapic_state l;

	ck_assert_int_eq(ioctl(fd, KVM_GET_LAPIC, &l), 0);
	lapic_set_reg(&l, APIC_TPR, k ? 0x20 : 0x50);
	lapic_set_reg(&l, APIC_LVTT, 0x10000 | (k ? 0xed : 0xec));	/* masked, one-shot */
	ck_assert_int_eq(ioctl(fd, KVM_SET_LAPIC, &l), 0);
}

/* put_msrs - LSTAR, STAR and SYSENTER_EIP of @fd (variant @k). */
static void put_msrs(int fd, unsigned int k)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} m = {
		.hdr.nmsrs = 3,
		.e = { { .index = MSR_LSTAR, .data = 0xffffffff81a00000ull + k },
		       { .index = MSR_STAR, .data = 0x0023001000000000ull + 0x0008000000000000ull * k },
		       { .index = MSR_SYSENTER_EIP, .data = 0xffffffff81b00000ull + k } },
	};

	ck_assert_int_eq(ioctl(fd, KVM_SET_MSRS, &m), 3);
}

/* put_xcrs - XCR0 of @fd = x87 | SSE (variant 0) or x87 alone, where this host has KVM_GET_XCRS. */
static void put_xcrs(int fd, unsigned int k)
{
	struct kvm_xcrs x;

	if (ioctl(fd, KVM_GET_XCRS, &x) < 0)
		return;
	ck_assert_uint_ge(x.nr_xcrs, 1);
	x.xcrs[0].xcr = 0;
	x.xcrs[0].value = k ? 1 : 3;
	ck_assert_int_eq(ioctl(fd, KVM_SET_XCRS, &x), 0);
}

/* put_debugregs - DR0-DR3 and DR7 of @fd (variant @k). */
static void put_debugregs(int fd, unsigned int k)
{
	struct kvm_debugregs d;

	ck_assert_int_eq(ioctl(fd, KVM_GET_DEBUGREGS, &d), 0);
	for (unsigned int i = 0; i < 4; i++)
		d.db[i] = 0x401000 + 0x10 * i + k;
	d.dr7 = k ? 0x400 : 0x401;		/* L0 in variant 0 */
	ck_assert_int_eq(ioctl(fd, KVM_SET_DEBUGREGS, &d), 0);
}

/* put_mp_and_events - @fd halted, in a MOV SS interrupt shadow with NMIs masked (variant 0), or runnable with neither. */
static void put_mp_and_events(int fd, unsigned int k)
{
	struct kvm_mp_state mp = { .mp_state = k ? KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_HALTED };
	struct kvm_vcpu_events e;

	ck_assert_int_eq(ioctl(fd, KVM_SET_MP_STATE, &mp), 0);
	ck_assert_int_eq(ioctl(fd, KVM_GET_VCPU_EVENTS, &e), 0);
	e.flags |= KVM_VCPUEVENT_VALID_SHADOW;
	e.interrupt.shadow = k ? 0 : KVM_X86_SHADOW_INT_MOV_SS;
	e.nmi.masked = !k;
	ck_assert_int_eq(ioctl(fd, KVM_SET_VCPU_EVENTS, &e), 0);
}

/* put_distinct - variant @k of every part of the state into the vCPU behind @fd. */
static void put_distinct(int fd, unsigned int k)
{
	put_regs(fd, k);
	put_sregs(fd, k);
	put_fpu(fd, k);
	put_lapic(fd, k);
	put_msrs(fd, k);
	put_xcrs(fd, k);
	put_debugregs(fd, k);
	put_mp_and_events(fd, k);
}

/* check_variant0 - @s holds what put_distinct(.., 0) wrote: the comparisons below are not of defaults. */
static void check_variant0(const struct vcpu_kvm_state *s)
{
	uint64_t v;

	ck_assert_uint_eq(s->regs.rax, gpr_value(0, 0));
	ck_assert_uint_eq(s->regs.r15, gpr_value(15, 0));
	ck_assert_uint_eq(s->regs.rip, 0xffffffff81000000ull);
	ck_assert_uint_eq(s->regs.rflags, 0x2d7);
	ck_assert_uint_eq(s->sregs.cr0, 0x80050033);
	ck_assert_uint_eq(s->sregs.cr3, 0x1000);
	ck_assert_uint_eq(s->sregs.cr4, 0x6a0);
	ck_assert_uint_eq(s->sregs.efer, 0xd01);
	ck_assert_uint_eq(s->sregs.cs.l, 1);
	/*
	 * Not the MXCSR: KVM_GET_FPU leaves it 0 and KVM_SET_FPU ignores it (kvm_pvm, Linux 6.18; only
	 * KVM_GET/SET_XSAVE carry it). The round trip still compares it.
	 */
	ck_assert_uint_eq(s->fpu.fcw, 0x27f);
	ck_assert_uint_eq(s->fpu.xmm[0][0], 0xa0);
	ck_assert_uint_eq(lapic_reg(&s->lapic, APIC_TPR), 0x50);
	ck_assert_uint_eq(s->sregs.cr8, 5);
	ck_assert_uint_eq(lapic_reg(&s->lapic, APIC_LVTT), 0x100ec);
	ck_assert_msg(state_msr(s, MSR_LSTAR, &v), "LSTAR was not saved");
	ck_assert_uint_eq(v, 0xffffffff81a00000ull);
	ck_assert_msg(state_msr(s, MSR_STAR, &v), "STAR was not saved");
	ck_assert_uint_eq(v, 0x0023001000000000ull);
	ck_assert_uint_eq(s->debugregs.db[0], 0x401000);
	ck_assert_uint_eq(s->debugregs.dr7 & 0xff, 0x01);
	ck_assert_uint_eq(s->mp_state.mp_state, KVM_MP_STATE_HALTED);
	ck_assert_uint_ne(s->events.interrupt.shadow, 0);
	ck_assert_uint_eq(s->events.nmi.masked, 1);
	if (s->has_xcrs)
		ck_assert_uint_eq(s->xcrs.xcrs[0].value, 3);
}

/* --- field-by-field comparison of two saved states ----------------------------------------------- */

#define EQ(field) ck_assert_uint_eq(a->field, b->field)

/* assert_*_eq - every field of @a equals the same field of @b. */
static void assert_regs_eq(const struct kvm_regs *a, const struct kvm_regs *b)
{
	EQ(rax);
	EQ(rbx);
	EQ(rcx);
	EQ(rdx);
	EQ(rsi);
	EQ(rdi);
	EQ(rbp);
	EQ(rsp);
	EQ(r8);
	EQ(r9);
	EQ(r10);
	EQ(r11);
	EQ(r12);
	EQ(r13);
	EQ(r14);
	EQ(r15);
	EQ(rip);
	EQ(rflags);
}

static void assert_segment_eq(const struct kvm_segment *a, const struct kvm_segment *b)
{
	EQ(base);
	EQ(limit);
	EQ(selector);
	EQ(type);
	EQ(present);
	EQ(dpl);
	EQ(db);
	EQ(s);
	EQ(l);
	EQ(g);
}

static void assert_sregs_eq(const struct kvm_sregs *a, const struct kvm_sregs *b)
{
	const struct kvm_segment *sa[] = { &a->cs, &a->ds, &a->es, &a->fs, &a->gs, &a->ss, &a->tr };
	const struct kvm_segment *sb[] = { &b->cs, &b->ds, &b->es, &b->fs, &b->gs, &b->ss, &b->tr };

	for (unsigned int i = 0; i < sizeof(sa) / sizeof(sa[0]); i++)
		assert_segment_eq(sa[i], sb[i]);
	EQ(gdt.base);
	EQ(gdt.limit);
	EQ(idt.base);
	EQ(idt.limit);
	EQ(cr0);
	EQ(cr2);
	EQ(cr3);
	EQ(cr4);
	EQ(cr8);
	EQ(efer);
	EQ(apic_base);
}

static void assert_fpu_eq(const struct kvm_fpu *a, const struct kvm_fpu *b)
{
	ck_assert_mem_eq(a->fpr, b->fpr, sizeof(a->fpr));
	EQ(fcw);
	EQ(fsw);
	EQ(ftwx);
	EQ(last_opcode);
	EQ(last_ip);
	EQ(last_dp);
	ck_assert_mem_eq(a->xmm, b->xmm, sizeof(a->xmm));
	EQ(mxcsr);
}

static void assert_lapic_eq(const struct kvm_lapic_state *a, const struct kvm_lapic_state *b)
{
	static const unsigned int regs[] = { 0x20 /* ID */, APIC_TPR, 0xd0 /* LDR */, 0xe0 /* DFR */,
					     0xf0 /* SVR */, APIC_LVTT, 0x350 /* LINT0 */, 0x360 /* LINT1 */,
					     0x370 /* LVT error */, 0x380 /* timer initial count */,
					     0x3e0 /* timer divide */ };

	for (unsigned int i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		ck_assert_msg(lapic_reg(a, regs[i]) == lapic_reg(b, regs[i]), "LAPIC register %#x: %#x then %#x",
			      regs[i], lapic_reg(a, regs[i]), lapic_reg(b, regs[i]));
}

/* assert_msrs_eq - @a and @b have the same MSRs with the same values; the TSC only moves forward. */
static void assert_msrs_eq(const struct vcpu_kvm_state *a, const struct vcpu_kvm_state *b)
{
	ck_assert_uint_eq(a->nmsrs, b->nmsrs);
	for (unsigned int i = 0; i < a->nmsrs; i++) {
		uint64_t v;

		ck_assert_msg(state_msr(b, a->msrs[i].index, &v), "MSR %#x saved once, then missing",
			      a->msrs[i].index);
		if (a->msrs[i].index == MSR_TSC)
			ck_assert_uint_ge(v, a->msrs[i].value);
		else
			ck_assert_msg(v == a->msrs[i].value, "MSR %#x: %#llx then %#llx", a->msrs[i].index,
				      (unsigned long long)a->msrs[i].value, (unsigned long long)v);
	}
}

static void assert_events_eq(const struct kvm_vcpu_events *a, const struct kvm_vcpu_events *b)
{
	EQ(exception.injected);
	EQ(exception.nr);
	EQ(exception.has_error_code);
	EQ(exception.pending);
	EQ(exception.error_code);
	EQ(interrupt.injected);
	EQ(interrupt.nr);
	EQ(interrupt.soft);
	EQ(interrupt.shadow);
	EQ(nmi.injected);
	EQ(nmi.pending);
	EQ(nmi.masked);
	EQ(sipi_vector);
	EQ(flags);
	EQ(smi.smm);
	EQ(smi.pending);
	EQ(smi.smm_inside_nmi);
	EQ(smi.latched_init);
	EQ(triple_fault.pending);
	EQ(exception_has_payload);
	EQ(exception_payload);
}

static void assert_xcrs_eq(const struct kvm_xcrs *a, const struct kvm_xcrs *b)
{
	EQ(nr_xcrs);
	EQ(flags);
	for (unsigned int i = 0; i < a->nr_xcrs && i < KVM_MAX_XCRS; i++) {
		EQ(xcrs[i].xcr);
		EQ(xcrs[i].value);
	}
}

static void assert_debugregs_eq(const struct kvm_debugregs *a, const struct kvm_debugregs *b)
{
	for (unsigned int i = 0; i < 4; i++)
		EQ(db[i]);
	EQ(dr6);
	EQ(dr7);
	EQ(flags);
}

#undef EQ

/* assert_state_eq - saved states @a and @b agree field by field (xcrs when saved). */
static void assert_state_eq(const struct vcpu_kvm_state *a, const struct vcpu_kvm_state *b)
{
	assert_regs_eq(&a->regs, &b->regs);
	assert_sregs_eq(&a->sregs, &b->sregs);
	assert_fpu_eq(&a->fpu, &b->fpu);
	assert_lapic_eq(&a->lapic, &b->lapic);
	assert_msrs_eq(a, b);
	ck_assert_uint_eq(a->mp_state.mp_state, b->mp_state.mp_state);
	assert_events_eq(&a->events, &b->events);
	ck_assert_int_eq(a->has_xcrs, b->has_xcrs);
	if (a->has_xcrs)
		assert_xcrs_eq(&a->xcrs, &b->xcrs);
	assert_debugregs_eq(&a->debugregs, &b->debugregs);
}

/* --- tests ------------------------------------------------------------------------------------- */

/* Save, overwrite everything with other values, restore, save again: the same state. */
START_TEST(state_roundtrip_same_vcpu)
{
	struct vcpu_kvm_state *first = calloc(2, sizeof(*first)), *again = first + 1;
	struct raw_vm v;

	raw_vm_open(&v);
	put_distinct(v.vcpu, 0);
	ck_assert_int_eq(vcpu_state_save(v.vcpu, first), 0);
	check_variant0(first);
	put_distinct(v.vcpu, 1);
	ck_assert_int_eq(vcpu_state_save(v.vcpu, again), 0);
	ck_assert_uint_ne(again->regs.rax, first->regs.rax);	/* the overwrite took */
	ck_assert_int_eq(vcpu_state_restore(v.vcpu, first), 0);
	ck_assert_int_eq(vcpu_state_save(v.vcpu, again), 0);
	assert_state_eq(first, again);
	raw_vm_close(&v);
	free(first);
}
END_TEST

/* Save a vCPU, restore it into a fresh vCPU of another VM, save that: the same state. */
START_TEST(state_roundtrip_into_second_vm)
{
	struct vcpu_kvm_state *first = calloc(2, sizeof(*first)), *copy = first + 1;
	struct raw_vm a, b;

	raw_vm_open(&a);
	raw_vm_open(&b);
	put_distinct(a.vcpu, 0);
	ck_assert_int_eq(vcpu_state_save(a.vcpu, first), 0);
	check_variant0(first);
	ck_assert_int_eq(vcpu_state_restore(b.vcpu, first), 0);
	ck_assert_int_eq(vcpu_state_save(b.vcpu, copy), 0);
	assert_state_eq(first, copy);
	raw_vm_close(&b);
	raw_vm_close(&a);
	free(first);
}
END_TEST

/* The narrow accessors: a NULL half is neither read nor written. */
START_TEST(state_regs_and_fpu_accessors)
{
	struct kvm_sregs sr, sr2;
	struct kvm_regs r, r2;
	struct kvm_fpu f, f2;
	struct raw_vm v;

	raw_vm_open(&v);
	ck_assert_int_eq(vcpu_state_get_regs(v.vcpu, NULL, NULL), 0);
	ck_assert_int_eq(vcpu_state_get_regs(v.vcpu, &r, &sr), 0);
	r.rax = 0x5555aaaa5555aaaaull;
	sr.cr2 = 0xbad0000;
	ck_assert_int_eq(vcpu_state_set_regs(v.vcpu, &r, NULL), 0);
	ck_assert_int_eq(vcpu_state_get_regs(v.vcpu, &r2, &sr2), 0);
	ck_assert_uint_eq(r2.rax, 0x5555aaaa5555aaaaull);
	ck_assert_uint_ne(sr2.cr2, 0xbad0000);			/* sregs untouched */
	ck_assert_int_eq(vcpu_state_set_regs(v.vcpu, NULL, &sr), 0);
	ck_assert_int_eq(vcpu_state_get_regs(v.vcpu, NULL, &sr2), 0);
	ck_assert_uint_eq(sr2.cr2, 0xbad0000);
	ck_assert_int_eq(vcpu_state_get_fpu(v.vcpu, &f), 0);
	f.fcw = 0x7f;
	f.xmm[3][7] = 0x77;
	ck_assert_int_eq(vcpu_state_set_fpu(v.vcpu, &f), 0);
	ck_assert_int_eq(vcpu_state_get_fpu(v.vcpu, &f2), 0);
	ck_assert_uint_eq(f2.fcw, 0x7f);
	ck_assert_uint_eq(f2.xmm[3][7], 0x77);
	raw_vm_close(&v);
}
END_TEST

/* Bad file descriptors and an MSR KVM refuses: negative errnos, nothing else. */
START_TEST(state_errors)
{
	struct vcpu_kvm_state *s = calloc(1, sizeof(*s));
	struct kvm_regs r;
	struct kvm_fpu f;
	struct raw_vm v;
	int devnull;

	raw_vm_open(&v);
	ck_assert_int_eq(vcpu_state_save(v.vcpu, s), 0);
	ck_assert_uint_ge(s->nmsrs, 1);
	/* an MSR no CPU has: KVM_SET_MSRS writes nothing of it */
	s->msrs[0].index = 0xdeadbeef;
	ck_assert_int_eq(vcpu_state_restore(v.vcpu, s), -EINVAL);
	s->nmsrs = VCPU_STATE_MAX_MSRS + 1;
	ck_assert_int_eq(vcpu_state_restore(v.vcpu, s), -EINVAL);
	close(v.vcpu);
	ck_assert_int_eq(vcpu_state_restore(v.vcpu, s), -EBADF);	/* closed */
	ck_assert_int_eq(vcpu_state_save(v.vcpu, s), -EBADF);
	v.vcpu = -1;
	ck_assert_int_eq(vcpu_state_restore(-1, s), -EBADF);
	ck_assert_int_eq(vcpu_state_save(-1, s), -EBADF);
	ck_assert_int_eq(vcpu_state_get_regs(-1, &r, NULL), -EBADF);
	ck_assert_int_eq(vcpu_state_set_regs(-1, NULL, &s->sregs), -EBADF);
	ck_assert_int_eq(vcpu_state_get_fpu(-1, &f), -EBADF);
	ck_assert_int_eq(vcpu_state_set_fpu(-1, &f), -EBADF);
	devnull = open("/dev/null", O_RDWR);				/* not a vCPU */
	ck_assert_int_eq(vcpu_state_save(devnull, s), -ENOTTY);
	ck_assert_int_eq(vcpu_state_restore(devnull, s), -ENOTTY);
	close(devnull);
	raw_vm_close(&v);
	free(s);
}
END_TEST

/* quiet / loud - the checked fixture: no log lines while KVM refuses things on purpose. */
static void quiet(void)
{
	log_set_level(LOG_OFF);
}

static void loud(void)
{
	log_set_level(LOG_WARN);
}

Suite *vcpu_state_suite(void)
{
	Suite *s = suite_create("vcpu_state");
	TCase *tc = tcase_create("live");

	tcase_add_checked_fixture(tc, quiet, loud);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, state_roundtrip_same_vcpu);
	tcase_add_test(tc, state_roundtrip_into_second_vm);
	tcase_add_test(tc, state_regs_and_fpu_accessors);
	tcase_add_test(tc, state_errors);
	suite_add_tcase(s, tc);
	return s;
}
