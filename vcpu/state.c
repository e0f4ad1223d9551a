/* Save and restore of a vCPU's whole KVM state, and the register and FPU accessors the gdb stub uses. */
#include "vcpu/state.h"

#include "vmm/log.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>

/*
 * The MSRs a vCPU's state carries, in the order they are written back. Left out on purpose: what
 * KVM_GET_SREGS already returns (EFER in sregs.efer, APIC_BASE in sregs.apic_base, FS_BASE and
 * GS_BASE in the segments' bases): KVM_SET_SREGS checks them together with the control registers,
 * and a second copy here could only disagree with it. The TSC comes before the TSC deadline,
 * which is a time in its base.
 */
static const uint32_t state_msrs[] = {
	0x00000010,	/* IA32_TSC */
	0x00000174,	/* IA32_SYSENTER_CS */
	0x00000175,	/* IA32_SYSENTER_ESP */
	0x00000176,	/* IA32_SYSENTER_EIP */
	0x000001a0,	/* IA32_MISC_ENABLE */
	0x00000277,	/* IA32_PAT */
	0x000002ff,	/* IA32_MTRR_DEF_TYPE */
	0x000006e0,	/* IA32_TSC_DEADLINE: only kept while the LAPIC timer is in deadline mode */
	0xc0000081,	/* STAR: SYSCALL segments */
	0xc0000082,	/* LSTAR: 64-bit SYSCALL entry */
	0xc0000083,	/* CSTAR: compatibility-mode SYSCALL entry */
	0xc0000084,	/* SFMASK: RFLAGS mask of SYSCALL */
	0xc0000102,	/* KERNEL_GS_BASE: what SWAPGS swaps in */
	0xc0000103,	/* TSC_AUX: what RDTSCP and RDPID return */
	0x4b564d00,	/* MSR_KVM_WALL_CLOCK_NEW: guest address of the kvmclock wall clock (per VM) */
	0x4b564d01,	/* MSR_KVM_SYSTEM_TIME_NEW: guest address and enable bit of this vCPU's kvmclock */
};

#define STATE_NMSRS (sizeof(state_msrs) / sizeof(state_msrs[0]))
_Static_assert(STATE_NMSRS <= VCPU_STATE_MAX_MSRS, "struct vcpu_kvm_state has no room for every MSR of the list");

/* The argument of KVM_GET_MSRS and KVM_SET_MSRS with room for every MSR of the list. */
struct state_msr_buf {
	struct kvm_msrs hdr;
	struct kvm_msr_entry entries[VCPU_STATE_MAX_MSRS];
};

/* state_ioctl - ioctl @req on @fd with @arg: 0 or -errno (the ioctls used here return 0 on success). */
static int state_ioctl(int fd, unsigned long req, const void *arg)
{
	return ioctl(fd, req, arg) < 0 ? -errno : 0;
}

int vcpu_state_get_regs(int vcpu_fd, struct kvm_regs *r, struct kvm_sregs *sr)
{
	int ret = r ? state_ioctl(vcpu_fd, KVM_GET_REGS, r) : 0;

	return ret == 0 && sr ? state_ioctl(vcpu_fd, KVM_GET_SREGS, sr) : ret;
}

int vcpu_state_set_regs(int vcpu_fd, const struct kvm_regs *r, const struct kvm_sregs *sr)
{
	int ret = r ? state_ioctl(vcpu_fd, KVM_SET_REGS, r) : 0;

	return ret == 0 && sr ? state_ioctl(vcpu_fd, KVM_SET_SREGS, sr) : ret;
}

int vcpu_state_get_fpu(int vcpu_fd, struct kvm_fpu *f)
{
	return state_ioctl(vcpu_fd, KVM_GET_FPU, f);
}

int vcpu_state_set_fpu(int vcpu_fd, const struct kvm_fpu *f)
{
	return state_ioctl(vcpu_fd, KVM_SET_FPU, f);
}

/*
 * msrs_read_from - one KVM_GET_MSRS of state_msrs[@first..] on @fd, appending what it read to
 * @s->msrs. KVM reads in order and stops at the first MSR it refuses: returns how many it read,
 * or -errno.
 */
static int msrs_read_from(int fd, size_t first, struct vcpu_kvm_state *s)
{
	struct state_msr_buf b;
	size_t n = STATE_NMSRS - first;
	int got;

	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		b.entries[i].index = state_msrs[first + i];
	got = ioctl(fd, KVM_GET_MSRS, &b);
	if (got < 0)
		return -errno;
	for (int i = 0; i < got && (size_t)i < n; i++) {
		s->msrs[s->nmsrs].index = b.entries[i].index;
		s->msrs[s->nmsrs].value = b.entries[i].data;
		s->nmsrs++;
	}
	return got;
}

/* msrs_save - every MSR of the list that KVM reads on @fd into @s; a refused one is skipped, not fatal. 0 or -errno. */
static int msrs_save(int fd, struct vcpu_kvm_state *s)
{
	size_t next = 0;

	s->nmsrs = 0;
	while (next < STATE_NMSRS) {
		int got = msrs_read_from(fd, next, s);

		if (got < 0)
			return got;
		next += (size_t)got;
		if (next < STATE_NMSRS) {
			log_debug("MSR %#x: KVM does not read it here, left out of the vCPU state", state_msrs[next]);
			next++;
		}
	}
	return 0;
}

/* msrs_restore - write exactly @s->msrs on @fd in one KVM_SET_MSRS. 0, -errno, or -EINVAL when KVM refuses one. */
static int msrs_restore(int fd, const struct vcpu_kvm_state *s)
{
	struct state_msr_buf b;
	int put;

	if (s->nmsrs > VCPU_STATE_MAX_MSRS)
		return -EINVAL;
	memset(&b, 0, sizeof(b));
	b.hdr.nmsrs = s->nmsrs;
	for (unsigned int i = 0; i < s->nmsrs; i++) {
		b.entries[i].index = s->msrs[i].index;
		b.entries[i].data = s->msrs[i].value;
	}
	put = ioctl(fd, KVM_SET_MSRS, &b);
	if (put < 0)
		return -errno;
	if ((unsigned int)put < s->nmsrs) {
		log_debug("MSR %#x: KVM refused the value %#llx", b.entries[put].index, b.entries[put].data);
		return -EINVAL;
	}
	return 0;
}

/* xcrs_save - XCR0 and friends of @fd into @s when this host has KVM_GET_XCRS (@s->has_xcrs). */
static void xcrs_save(int fd, struct vcpu_kvm_state *s)
{
	int ret = state_ioctl(fd, KVM_GET_XCRS, &s->xcrs);

	s->has_xcrs = ret == 0;
	if (ret < 0) {
		memset(&s->xcrs, 0, sizeof(s->xcrs));
		log_debug("KVM_GET_XCRS: %s; the vCPU state has no xcrs", strerror(-ret));
	}
}

/*
 * Reading the MP state first lets KVM take a pending INIT or SIPI, which changes the registers and
 * the LAPIC; the events last, as the other reads may still move pending events.
 */
int vcpu_state_save(int vcpu_fd, struct vcpu_kvm_state *s)
{
	int ret;

	memset(s, 0, sizeof(*s));
	ret = state_ioctl(vcpu_fd, KVM_GET_MP_STATE, &s->mp_state);
	if (ret == 0)
		ret = vcpu_state_get_regs(vcpu_fd, &s->regs, &s->sregs);
	if (ret == 0)
		ret = vcpu_state_get_fpu(vcpu_fd, &s->fpu);
	if (ret == 0)
		ret = state_ioctl(vcpu_fd, KVM_GET_DEBUGREGS, &s->debugregs);
	if (ret == 0)
		ret = state_ioctl(vcpu_fd, KVM_GET_LAPIC, &s->lapic);
	if (ret == 0)
		ret = msrs_save(vcpu_fd, s);
	if (ret == 0)
		xcrs_save(vcpu_fd, s);
	if (ret == 0)
		ret = state_ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, &s->events);
	return ret;
}

/*
 * The order KVM needs: SET_REGS drops a pending exception, so the events come after it (last);
 * SET_SREGS sets the APIC base, so the LAPIC comes after it; the TSC deadline MSR only holds once
 * the LAPIC timer is in deadline mode, so the MSRs come after the LAPIC.
 */
int vcpu_state_restore(int vcpu_fd, const struct vcpu_kvm_state *s)
{
	int ret;

	ret = state_ioctl(vcpu_fd, KVM_SET_MP_STATE, &s->mp_state);
	if (ret == 0)
		ret = vcpu_state_set_regs(vcpu_fd, &s->regs, &s->sregs);
	if (ret == 0)
		ret = vcpu_state_set_fpu(vcpu_fd, &s->fpu);
	if (ret == 0 && s->has_xcrs)
		ret = state_ioctl(vcpu_fd, KVM_SET_XCRS, &s->xcrs);
	if (ret == 0)
		ret = state_ioctl(vcpu_fd, KVM_SET_DEBUGREGS, &s->debugregs);
	if (ret == 0)
		ret = state_ioctl(vcpu_fd, KVM_SET_LAPIC, &s->lapic);
	if (ret == 0)
		ret = msrs_restore(vcpu_fd, s);
	if (ret == 0)
		ret = state_ioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, &s->events);
	return ret;
}
