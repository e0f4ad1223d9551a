/* The gdb target over KVM: registers and FPU through vcpu/state.h, memory through each vCPU's page tables, stops and KVM_SET_GUEST_DEBUG. */
#include "vmm/gdb/target_kvm.h"

#include "vcpu/debug.h"
#include "vcpu/state.h"
#include "vcpu/vcpu.h"
#include "vcpu/vmem.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/image_map.h"
#include "vmm/gdb/target_kvm_sys.h"
#include "vmm/log.h"
#include "vmm/gdb/gdb.h"
#include "vmm/stop.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* What the stub last told KVM about one vCPU. */
struct kvm_cpu_debug {
	bool programmed;		/* dbg below was set with KVM_SET_GUEST_DEBUG */
	struct kvm_guest_debug dbg;
	bool stepping;			/* resumed to execute one instruction */
};

struct gdb_kvm {
	const struct gdb_vm *vm;
	struct gdb_bps *bps;
	unsigned int hw_slots;
	int efd;			/* eventfd: a vCPU stopped for the debugger */
	pthread_mutex_t lock;		/* guards have_ev, ev and guest_int3 */
	bool have_ev;
	bool guest_int3;		/* the guest's own int3s are reported (monitor int3 report) */
	struct gdb_stop ev;		/* the first stop since the last resume */
	struct kvm_cpu_debug *cpus;	/* vm->ncpus entries */
};

int gdb_kvm_create(const struct gdb_vm *vm, struct gdb_bps *bps, struct gdb_kvm **out)
{
	struct gdb_kvm *k = calloc(1, sizeof(*k));
	int slots;

	if (!k)
		return -ENOMEM;
	k->vm = vm;
	k->bps = bps;
	pthread_mutex_init(&k->lock, NULL);
	k->cpus = calloc(vm->ncpus ? vm->ncpus : 1, sizeof(*k->cpus));
	k->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!k->cpus || k->efd < 0) {
		int ret = k->cpus ? -errno : -ENOMEM;

		gdb_kvm_destroy(k);
		return ret;
	}
	slots = vm->vm_fd >= 0 ? ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_DEBUG_HW_BPS) : 0;
	k->hw_slots = slots > 0 ? (unsigned int)slots : 0;
	*out = k;
	return 0;
}

void gdb_kvm_destroy(struct gdb_kvm *k)
{
	if (!k)
		return;
	if (k->efd >= 0)
		close(k->efd);
	free(k->cpus);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

int gdb_kvm_event_fd(const struct gdb_kvm *k)
{
	return k->efd;
}

const struct gdb_vm *gdb_kvm_vm(const struct gdb_kvm *k)
{
	return k->vm;
}

unsigned int gdb_kvm_hw_slots(const struct gdb_kvm *k)
{
	return k->hw_slots < GDB_HW_SLOTS ? k->hw_slots : GDB_HW_SLOTS;
}

/* --- registers ------------------------------------------------------------------------------ */

static void regs_from_kvm(struct gdb_regs *r, const struct kvm_regs *kr, const struct kvm_sregs *ks,
			  const struct kvm_fpu *kf)
{
	const uint64_t gpr[16] = { kr->rax, kr->rbx, kr->rcx, kr->rdx, kr->rsi, kr->rdi, kr->rbp, kr->rsp,
				   kr->r8, kr->r9, kr->r10, kr->r11, kr->r12, kr->r13, kr->r14, kr->r15 };
	const struct kvm_segment *seg[6] = { &ks->cs, &ks->ss, &ks->ds, &ks->es, &ks->fs, &ks->gs };

	memset(r, 0, sizeof(*r));
	memcpy(r->gpr, gpr, sizeof(gpr));
	r->rip = kr->rip;
	r->eflags = (uint32_t)kr->rflags;
	for (int i = 0; i < 6; i++)
		r->seg[i] = seg[i]->selector;
	for (int i = 0; i < 8; i++)
		memcpy(r->st[i], kf->fpr[i], 10);
	r->fctrl = kf->fcw;
	r->fstat = kf->fsw;
	r->ftag = gdb_fpu_full_tag(kf->ftwx, kf->fsw, r->st);
	r->fioff = (uint32_t)kf->last_ip;
	r->fiseg = (uint32_t)(kf->last_ip >> 32);
	r->fooff = (uint32_t)kf->last_dp;
	r->foseg = (uint32_t)(kf->last_dp >> 32);
	r->fop = kf->last_opcode;
	memcpy(r->xmm, kf->xmm, sizeof(r->xmm));
	r->mxcsr = kf->mxcsr;
	r->fs_base = ks->fs.base;
	r->gs_base = ks->gs.base;
	r->cr0 = ks->cr0;
	r->cr2 = ks->cr2;
	r->cr3 = ks->cr3;
	r->cr4 = ks->cr4;
	r->cr8 = ks->cr8;
	r->efer = ks->efer;
	for (int i = 0; i < 4; i++)
		r->seg_base[i] = seg[i]->base;
	for (int i = 0; i < 6; i++)
		r->seg_limit[i] = seg[i]->limit;
	r->gdtr_base = ks->gdt.base;
	r->gdtr_limit = ks->gdt.limit;
	r->idtr_base = ks->idt.base;
	r->idtr_limit = ks->idt.limit;
	r->tr = ks->tr.selector;
	r->ldtr = ks->ldt.selector;
	r->mode = gdb_regs_mode(ks->cr0, ks->efer, ks->cs.l, ks->cs.db);
}

static void regs_to_kvm(const struct gdb_regs *r, struct kvm_regs *kr, struct kvm_sregs *ks, struct kvm_fpu *kf)
{
	__u64 *gpr[16] = { &kr->rax, &kr->rbx, &kr->rcx, &kr->rdx, &kr->rsi, &kr->rdi, &kr->rbp, &kr->rsp,
			   &kr->r8, &kr->r9, &kr->r10, &kr->r11, &kr->r12, &kr->r13, &kr->r14, &kr->r15 };
	struct kvm_segment *seg[6] = { &ks->cs, &ks->ss, &ks->ds, &ks->es, &ks->fs, &ks->gs };

	for (int i = 0; i < 16; i++)
		*gpr[i] = r->gpr[i];
	kr->rip = r->rip;
	kr->rflags = r->eflags;
	for (int i = 0; i < 6; i++)
		seg[i]->selector = (uint16_t)r->seg[i];
	for (int i = 0; i < 8; i++)
		memcpy(kf->fpr[i], r->st[i], 10);
	kf->fcw = (uint16_t)r->fctrl;
	kf->fsw = (uint16_t)r->fstat;
	kf->ftwx = gdb_fpu_abridged_tag((uint16_t)r->ftag);
	kf->last_ip = (uint64_t)r->fiseg << 32 | r->fioff;
	kf->last_dp = (uint64_t)r->foseg << 32 | r->fooff;
	kf->last_opcode = (uint16_t)r->fop;
	memcpy(kf->xmm, r->xmm, sizeof(kf->xmm));
	kf->mxcsr = r->mxcsr;
	ks->fs.base = r->fs_base;
	ks->gs.base = r->gs_base;
	ks->cr0 = r->cr0;
	ks->cr2 = r->cr2;
	ks->cr3 = r->cr3;
	ks->cr4 = r->cr4;
	ks->cr8 = r->cr8;
	ks->efer = r->efer;
	for (int i = 0; i < 4; i++)
		seg[i]->base = r->seg_base[i];
	for (int i = 0; i < 6; i++)
		seg[i]->limit = r->seg_limit[i];
	ks->gdt.base = r->gdtr_base;
	ks->gdt.limit = (uint16_t)r->gdtr_limit;
	ks->idt.base = r->idtr_base;
	ks->idt.limit = (uint16_t)r->idtr_limit;
	ks->tr.selector = (uint16_t)r->tr;
	ks->ldt.selector = (uint16_t)r->ldtr;
	/* mode is derived from CR0, EFER and CS: writing it changes nothing */
}

static struct vcpu *kvm_vcpu(struct gdb_kvm *k, unsigned int cpu)
{
	return cpu < k->vm->ncpus ? k->vm->vcpus[cpu] : NULL;
}

static int kvm_read_state(struct vcpu *v, struct kvm_regs *kr, struct kvm_sregs *ks, struct kvm_fpu *kf)
{
	int ret = vcpu_state_get_regs(v->fd, kr, ks);

	return ret < 0 ? ret : vcpu_state_get_fpu(v->fd, kf);
}

static int kvm_get_regs(void *t, unsigned int cpu, struct gdb_regs *r)
{
	struct vcpu *v = kvm_vcpu(t, cpu);
	struct kvm_sregs ks;
	struct kvm_regs kr;
	struct kvm_fpu kf;
	int ret;

	if (!v)
		return -ESRCH;
	ret = kvm_read_state(v, &kr, &ks, &kf);
	if (ret == 0)
		regs_from_kvm(r, &kr, &ks, &kf);
	return ret;
}

/* Only what changed is written back: setting the segment or control registers is not free. */
static int kvm_set_regs(void *t, unsigned int cpu, const struct gdb_regs *r)
{
	struct vcpu *v = kvm_vcpu(t, cpu);
	struct kvm_sregs ks, ks0;
	struct kvm_regs kr, kr0;
	struct kvm_fpu kf, kf0;
	int ret;

	if (!v)
		return -ESRCH;
	ret = kvm_read_state(v, &kr0, &ks0, &kf0);
	if (ret < 0)
		return ret;
	kr = kr0;
	ks = ks0;
	kf = kf0;
	regs_to_kvm(r, &kr, &ks, &kf);
	ret = vcpu_state_set_regs(v->fd, memcmp(&kr, &kr0, sizeof(kr)) ? &kr : NULL,
				  memcmp(&ks, &ks0, sizeof(ks)) ? &ks : NULL);
	if (ret == 0 && memcmp(&kf, &kf0, sizeof(kf)))
		ret = vcpu_state_set_fpu(v->fd, &kf);
	return ret;
}

/* --- memory --------------------------------------------------------------------------------- */

/* Addresses the vCPU's page tables do not (yet) map are looked up in the kernel image's map. */
static int kvm_image_translate(const void *ctx, uint64_t gva, uint64_t *gpa)
{
	const struct gdb_vm *vm = ctx;

	return gdb_image_translate(vm->image_map, vm->image_nmap, gva, gpa);
}

static int kvm_read_mem(void *t, unsigned int cpu, uint64_t addr, void *buf, size_t len)
{
	struct gdb_kvm *k = t;
	const struct vmem_fallback fb = { kvm_image_translate, k->vm };
	struct vcpu *v = kvm_vcpu(k, cpu);

	if (!v)
		return -ESRCH;
	return (int)vcpu_read_virt_fb(v, &fb, addr, buf, len);
}

static int kvm_write_mem(void *t, unsigned int cpu, uint64_t addr, const void *buf, size_t len)
{
	struct gdb_kvm *k = t;
	const struct vmem_fallback fb = { kvm_image_translate, k->vm };
	struct vcpu *v = kvm_vcpu(k, cpu);

	if (!v)
		return -ESRCH;
	return vcpu_write_virt_fb(v, &fb, addr, buf, len);
}

/* --- run control ---------------------------------------------------------------------------- */

static unsigned int kvm_ncpus(void *t)
{
	return ((struct gdb_kvm *)t)->vm->ncpus;
}

static unsigned int kvm_hw_slots(void *t)
{
	return gdb_kvm_hw_slots(t);
}

static int kvm_stop(void *t, struct gdb_stop *ev)
{
	struct gdb_kvm *k = t;
	uint64_t count;
	int r;

	vcpus_pause(k->vm->vcpus, k->vm->ncpus, VCPU_PAUSE_DEBUGGER);
	if (read(k->efd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_debug("gdb event fd: %s", strerror(errno));
	pthread_mutex_lock(&k->lock);
	r = k->have_ev;
	if (r)
		*ev = k->ev;
	k->have_ev = false;
	pthread_mutex_unlock(&k->lock);
	return r;
}

static int kvm_resume(void *t, const struct gdb_resume *r)
{
	struct gdb_kvm *k = t;
	const struct gdb_vm *vm = k->vm;
	unsigned int nrun = 0;

	for (unsigned int i = 0; i < vm->ncpus; i++) {
		struct kvm_cpu_debug *c = &k->cpus[i];
		struct kvm_guest_debug dbg;
		bool step = r->run[i] == GDB_RUN_STEP;

		memset(&dbg, 0, sizeof(dbg));
		if (r->sw_breakpoints || r->hw_breakpoints || step) {
			dbg.control = KVM_GUESTDBG_ENABLE;
			if (r->sw_breakpoints)
				dbg.control |= KVM_GUESTDBG_USE_SW_BP;
			if (step)
				dbg.control |= KVM_GUESTDBG_SINGLESTEP;
			if (r->hw_breakpoints) {
				dbg.control |= KVM_GUESTDBG_USE_HW_BP;
				for (int j = 0; j < 4; j++)
					dbg.arch.debugreg[j] = r->dr[j];
				dbg.arch.debugreg[7] = r->dr7;
			}
		}
		/*
		 * A step is always programmed again: KVM arms the trap flag for the instruction at the
		 * PC it sees when this is called, and registers may have been written since.
		 */
		if (!c->programmed || step || memcmp(&dbg, &c->dbg, sizeof(dbg))) {
			if (ioctl(vm->vcpus[i]->fd, KVM_SET_GUEST_DEBUG, &dbg) < 0) {
				int ret = -errno;

				log_warn("vCPU %u: KVM_SET_GUEST_DEBUG: %s", i, strerror(errno));
				c->programmed = false;
				return ret;
			}
			c->dbg = dbg;
			c->programmed = true;
		}
		c->stepping = step;
	}
	pthread_mutex_lock(&k->lock);
	k->have_ev = false;
	k->guest_int3 = r->guest_int3;
	pthread_mutex_unlock(&k->lock);
	for (unsigned int i = 0; i < vm->ncpus; i++) {
		if (r->run[i] != GDB_RUN_STAY) {
			vcpu_resume(vm->vcpus[i], VCPU_PAUSE_DEBUGGER);
			nrun++;
		}
	}
	log_debug("gdb: %u of %u vCPUs resumed", nrun, vm->ncpus);
	return 0;
}

static void kvm_describe(void *t, unsigned int cpu, char *buf, size_t len)
{
	static const char *const states[] = {
		[KVM_MP_STATE_RUNNABLE] = "runnable",
		[KVM_MP_STATE_UNINITIALIZED] = "not started",
		[KVM_MP_STATE_INIT_RECEIVED] = "waiting for SIPI",
		[KVM_MP_STATE_HALTED] = "halted",
		[KVM_MP_STATE_SIPI_RECEIVED] = "starting",
	};
	struct vcpu *v = kvm_vcpu(t, cpu);
	struct kvm_mp_state mp;
	const char *state = NULL;

	if (!v)
		return;
	if (ioctl(v->fd, KVM_GET_MP_STATE, &mp) == 0 && mp.mp_state < sizeof(states) / sizeof(states[0]))
		state = states[mp.mp_state];
	snprintf(buf, len, "vCPU %u, apic id %u%s%s", v->id, v->apic_id, state ? ", " : "", state ? state : "");
}

static void kvm_kill(void *t)
{
	struct gdb_kvm *k = t;

	stop_request(k->vm->stop, KEEL_EXIT_OK, "gdb killed the VM");
}

const struct gdb_target_ops gdb_kvm_ops = {
	.ncpus = kvm_ncpus,
	.hw_slots = kvm_hw_slots,
	.get_regs = kvm_get_regs,
	.set_regs = kvm_set_regs,
	.read_mem = kvm_read_mem,
	.write_mem = kvm_write_mem,
	.stop = kvm_stop,
	.resume = kvm_resume,
	.describe = kvm_describe,
	.kill = kvm_kill,
	.read_phys = gdb_kvm_read_phys,
	.write_phys = gdb_kvm_write_phys,
	.get_sys = gdb_kvm_get_sys,
	.get_lapic = gdb_kvm_get_lapic,
	.get_ioapic = gdb_kvm_get_ioapic,
	.get_pic = gdb_kvm_get_pic,
};

/* --- the vCPU side ---------------------------------------------------------------------------- */

/* On @vcpu's thread: park after this exit, and tell the stub (the first stop since the resume wins). */
static void kvm_report(struct gdb_kvm *k, struct vcpu *vcpu, const struct gdb_stop *ev)
{
	uint64_t one = 1;

	vcpu_park_self(vcpu, VCPU_PAUSE_DEBUGGER);
	pthread_mutex_lock(&k->lock);
	if (!k->have_ev) {
		k->ev = *ev;
		k->have_ev = true;
	}
	pthread_mutex_unlock(&k->lock);
	if (write(k->efd, &one, sizeof(one)) < 0)
		log_debug("gdb event fd: %s", strerror(errno));
}

/* Is the instruction at linear @pc a one-byte int3 (0xcc)? (`int 3`, cd 03, goes to the guest.) */
static bool guest_int3_at(struct vcpu *vcpu, uint64_t pc)
{
	uint8_t byte;

	return vcpu_read_virt(vcpu, pc, &byte, 1) == 1 && byte == GDB_INT3;
}

/*
 * On @vcpu's thread, at the guest's own int3 (one byte, 0xcc, at the PC): with monitor int3 report,
 * finish it as the CPU traps (PC after it) and report SIGTRAP instead of delivering #BP. true: done.
 */
static bool kvm_report_guest_int3(struct gdb_kvm *k, struct vcpu *vcpu)
{
	struct gdb_stop ev = { .cpu = vcpu->id, .reason = GDB_STOP_TRAP };
	struct kvm_regs regs;
	bool report;

	pthread_mutex_lock(&k->lock);
	report = k->guest_int3;
	pthread_mutex_unlock(&k->lock);
	if (!report || vcpu_state_get_regs(vcpu->fd, &regs, NULL) < 0)
		return false;
	regs.rip += 1;
	if (vcpu_state_set_regs(vcpu->fd, &regs, NULL) < 0)
		return false;
	log_debug("vCPU %u: the guest's int3 at 0x%llx reported to gdb", vcpu->id, (unsigned long long)regs.rip - 1);
	kvm_report(k, vcpu, &ev);
	return true;
}

int gdb_kvm_debug_exit(struct gdb_kvm *k, struct vcpu *vcpu, const struct kvm_run *run)
{
	struct gdb_stop ev = { .cpu = vcpu->id };
	uint32_t vector = run->debug.arch.exception;
	enum gdb_hw_type type;
	uint64_t addr;

	if (vcpu->id >= k->vm->ncpus)
		return VCPU_ACTION_CONTINUE;
	if (vector == VCPU_VECTOR_DB && (run->debug.arch.dr6 & 0xf) &&
	    gdb_hw_hit(k->bps, run->debug.arch.dr6, &type, &addr)) {
		ev.reason = type == GDB_HW_EXEC ? GDB_STOP_HWBREAK : type == GDB_HW_WRITE ? GDB_STOP_WATCH
											     : GDB_STOP_AWATCH;
		ev.addr = addr;
	} else if (vector == VCPU_VECTOR_DB && k->cpus[vcpu->id].stepping) {
		ev.reason = GDB_STOP_TRAP;
	} else if (vector == VCPU_VECTOR_BP && gdb_swbp_find(k->bps, run->debug.arch.pc, NULL)) {
		ev.reason = GDB_STOP_SWBREAK;
		ev.addr = run->debug.arch.pc;
	} else if (vector == VCPU_VECTOR_BP && guest_int3_at(vcpu, run->debug.arch.pc) &&
		   kvm_report_guest_int3(k, vcpu)) {
		return VCPU_ACTION_CONTINUE;
	} else if (vector == VCPU_VECTOR_DB || vector == VCPU_VECTOR_BP) {
		/* Not the debugger's: the guest's own int3 or debug trap (PC is still at an int3). */
		if (vcpu_inject_exception(vcpu, vector) < 0)
			log_warn("vCPU %u: cannot give the guest its exception %u", vcpu->id, vector);
		return VCPU_ACTION_CONTINUE;
	} else {
		log_debug("vCPU %u: debug exit with exception %u ignored", vcpu->id, vector);
		return VCPU_ACTION_CONTINUE;
	}
	kvm_report(k, vcpu, &ev);
	return VCPU_ACTION_CONTINUE;
}

bool gdb_kvm_breakpoint(struct gdb_kvm *k, struct vcpu *vcpu, uint64_t pc)
{
	struct gdb_stop ev = { .cpu = vcpu->id, .reason = GDB_STOP_SWBREAK, .addr = pc };

	if (vcpu->id >= k->vm->ncpus)
		return false;
	if (!gdb_swbp_find(k->bps, pc, NULL))
		return kvm_report_guest_int3(k, vcpu);	/* the guest's own: reported only when asked */
	kvm_report(k, vcpu, &ev);
	return true;
}
