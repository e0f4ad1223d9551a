/* Exit dispatch: turn one struct kvm_run exit into bus accesses or a VM stop; fed hand-made exits by unit tests. */
#include "vcpu/vcpu.h"

#include "vcpu/debug.h"
#include "vcpu/quirks.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/bus.h"
#include "vmm/stop.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define VCPU_COUNT(v, field) atomic_fetch_add_explicit(&(v)->ctr.field, 1, memory_order_relaxed)

void vcpu_stats(const struct vcpu *vcpu, struct vcpu_stats *out)
{
	out->exit_io_in = atomic_load_explicit(&vcpu->ctr.exit_io_in, memory_order_relaxed);
	out->exit_io_out = atomic_load_explicit(&vcpu->ctr.exit_io_out, memory_order_relaxed);
	out->exit_mmio_read = atomic_load_explicit(&vcpu->ctr.exit_mmio_read, memory_order_relaxed);
	out->exit_mmio_write = atomic_load_explicit(&vcpu->ctr.exit_mmio_write, memory_order_relaxed);
	out->failures = atomic_load_explicit(&vcpu->ctr.failures, memory_order_relaxed);
}

/* Reads from nothing see all ones, as on a PC; writes to nothing are dropped. */
static void dispatch_unclaimed(struct vcpu *vcpu, const char *space, uint64_t addr, uint8_t *data,
			       uint32_t len, bool is_write, int err)
{
	if (!is_write)
		memset(data, 0xff, len);
	if (err == -ENOENT)
		log_debug("vCPU %u: %s %s of %u bytes at 0x%llx: no device", vcpu->id, space,
			  is_write ? "write" : "read", len, (unsigned long long)addr);
	else
		log_warn("vCPU %u: %s %s of %u bytes at 0x%llx failed: %s", vcpu->id, space,
			 is_write ? "write" : "read", len, (unsigned long long)addr, strerror(-err));
}

static int dispatch_io(struct vcpu *vcpu, struct kvm_run *run)
{
	uint32_t size = run->io.size, count = run->io.count;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	uint64_t bytes = (uint64_t)size * count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	/* KVM's own data, but cheap to check: the buffer must lie in the kvm_run mapping. */
	if (bytes == 0 || run->io.data_offset < sizeof(*run) ||
	    run->io.data_offset + bytes > (uint64_t)vcpu->env->mmap_size) {
		log_error("vCPU %u: malformed port I/O exit (size %u, count %u, offset %llu)", vcpu->id,
			  size, count, (unsigned long long)run->io.data_offset);
		VCPU_COUNT(vcpu, failures);
		stop_request(vcpu->env->stop, KEEL_EXIT_GUEST_ERROR, NULL);
		return VCPU_ACTION_STOP;
	}
	if (is_write)
		VCPU_COUNT(vcpu, exit_io_out);
	else
		VCPU_COUNT(vcpu, exit_io_in);
	for (uint32_t i = 0; i < count; i++, data += size) {
		int r = bus_access(vcpu->env->pio, vcpu, run->io.port, data, size, is_write);

		if (r < 0)
			dispatch_unclaimed(vcpu, "port", run->io.port, data, size, is_write, r);
	}
	return VCPU_ACTION_CONTINUE;
}

static int dispatch_mmio(struct vcpu *vcpu, struct kvm_run *run)
{
	uint32_t len = run->mmio.len;
	int r;

	if (len == 0 || len > sizeof(run->mmio.data)) {
		log_error("vCPU %u: malformed MMIO exit (len %u)", vcpu->id, len);
		VCPU_COUNT(vcpu, failures);
		stop_request(vcpu->env->stop, KEEL_EXIT_GUEST_ERROR, NULL);
		return VCPU_ACTION_STOP;
	}
	if (run->mmio.is_write)
		VCPU_COUNT(vcpu, exit_mmio_write);
	else
		VCPU_COUNT(vcpu, exit_mmio_read);
	r = bus_access(vcpu->env->mmio, vcpu, run->mmio.phys_addr, run->mmio.data, len,
		       run->mmio.is_write);
	if (r < 0)
		dispatch_unclaimed(vcpu, "MMIO", run->mmio.phys_addr, run->mmio.data, len,
				   run->mmio.is_write, r);
	return VCPU_ACTION_CONTINUE;
}

/* Log @what, dump the registers and stop the VM with @status. */
static int dispatch_fatal(struct vcpu *vcpu, int status, const char *what)
{
	VCPU_COUNT(vcpu, failures);
	log_error("vCPU %u: %s", vcpu->id, what);
	vcpu_dump_regs(vcpu);
	stop_request(vcpu->env->stop, status, NULL);
	return VCPU_ACTION_STOP;
}

static int dispatch_internal_error(struct vcpu *vcpu, struct kvm_run *run)
{
	char what[160];
	int n;

	n = snprintf(what, sizeof(what), "KVM internal error, suberror %u%s", run->internal.suberror,
		     run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (instruction emulation failed)" : "");
	for (uint32_t i = 0; i < run->internal.ndata && i < 4 && n > 0 && n < (int)sizeof(what); i++)
		n += snprintf(what + n, sizeof(what) - (size_t)n, " data[%u]=0x%llx", i,
			      (unsigned long long)run->internal.data[i]);
	return dispatch_fatal(vcpu, KEEL_EXIT_GUEST_ERROR, what);
}

static int dispatch_system_event(struct vcpu *vcpu, struct kvm_run *run)
{
	switch (run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		stop_request(vcpu->env->stop, KEEL_EXIT_OK, "guest shut down (system event)");
		return VCPU_ACTION_STOP;
	case KVM_SYSTEM_EVENT_RESET:
		stop_reset(vcpu->env->stop, "guest reset (system event)");
		return VCPU_ACTION_STOP;
	default: {
		char what[64];

		snprintf(what, sizeof(what), "guest system event %u (crash)", run->system_event.type);
		return dispatch_fatal(vcpu, KEEL_EXIT_GUEST_ERROR, what);
	}
	}
}

/* An RDMSR/WRMSR KVM sent to user space (KVM_CAP_X86_USER_SPACE_MSR): the VM's hook, else #GP. */
static int dispatch_msr(struct vcpu *vcpu, struct kvm_run *run)
{
	const struct vcpu_exit_hooks *h = vcpu->env->hooks;
	bool is_write = run->exit_reason == KVM_EXIT_X86_WRMSR;
	uint64_t data = is_write ? run->msr.data : 0;
	int r = -ENOENT;

	if (is_write)
		r = quirks_wrmsr(vcpu->env->quirks, vcpu, run->msr.index, data);
	if (r == -ENOENT && h && h->msr)
		r = h->msr(vcpu->env->hooks_opaque, vcpu, run->msr.index, &data, is_write);

	if (r < 0) {
		log_debug("vCPU %u: %s of MSR %#x: %s, #GP", vcpu->id, is_write ? "WRMSR" : "RDMSR",
			  run->msr.index, strerror(-r));
		run->msr.error = 1;
		return VCPU_ACTION_CONTINUE;
	}
	run->msr.error = 0;
	if (!is_write)
		run->msr.data = data;
	return VCPU_ACTION_CONTINUE;
}

/* A hypercall KVM sent to user space (KVM_CAP_EXIT_HYPERCALL): the VM's hook, else -KVM_ENOSYS. */
static int dispatch_hypercall(struct vcpu *vcpu, struct kvm_run *run)
{
	const struct vcpu_exit_hooks *h = vcpu->env->hooks;
	uint64_t args[6], ret = 0;
	int r;

	for (int i = 0; i < 6; i++)
		args[i] = run->hypercall.args[i];
	r = h && h->hypercall ? h->hypercall(vcpu->env->hooks_opaque, vcpu, run->hypercall.nr, args, &ret) : -ENOSYS;

	if (r < 0)
		log_debug("vCPU %u: hypercall %llu: %s", vcpu->id, (unsigned long long)run->hypercall.nr,
			  strerror(-r));
	run->hypercall.ret = r < 0 ? (uint64_t)-1000 /* -KVM_ENOSYS */ : ret;
	return VCPU_ACTION_CONTINUE;
}

int vcpu_dispatch_exit(struct vcpu *vcpu, struct kvm_run *run)
{
	char what[96];

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return dispatch_io(vcpu, run);
	case KVM_EXIT_MMIO:
		return dispatch_mmio(vcpu, run);
	case KVM_EXIT_INTR:
		return VCPU_ACTION_CONTINUE;
	case KVM_EXIT_HLT:
		/* With the in-kernel LAPIC a HLT stays in KVM; one reaching us can never be woken. */
		stop_request(vcpu->env->stop, KEEL_EXIT_OK, "guest halted");
		return VCPU_ACTION_STOP;
	case KVM_EXIT_SHUTDOWN:
		return dispatch_fatal(vcpu, KEEL_EXIT_TRIPLE_FAULT, "guest triple fault (KVM_EXIT_SHUTDOWN)");
	case KVM_EXIT_INTERNAL_ERROR:
		/*
		 * kvm_pvm hosts cannot emulate some ring-0 instructions: the host workarounds' own
		 * (fwait, the SYSCALL trap), then an int3: a gdb breakpoint, or the guest's own.
		 */
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION &&
		    (quirks_emulation_failure(vcpu->env->quirks, vcpu, run) == 0 || vcpu_int3_fault(vcpu, run) >= 0))
			return VCPU_ACTION_CONTINUE;
		return dispatch_internal_error(vcpu, run);
	case KVM_EXIT_DEBUG:
		return vcpu_debug_exit(vcpu, run);
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM could not enter the guest (hardware reason 0x%llx)",
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return dispatch_fatal(vcpu, KEEL_EXIT_GUEST_ERROR, what);
	case KVM_EXIT_SYSTEM_EVENT:
		return dispatch_system_event(vcpu, run);
	case KVM_EXIT_X86_RDMSR:
	case KVM_EXIT_X86_WRMSR:
		return dispatch_msr(vcpu, run);
	case KVM_EXIT_HYPERCALL:
		return dispatch_hypercall(vcpu, run);
	case KVM_EXIT_UNKNOWN:
		snprintf(what, sizeof(what), "unknown exit (hardware reason 0x%llx)",
			 (unsigned long long)run->hw.hardware_exit_reason);
		return dispatch_fatal(vcpu, KEEL_EXIT_GUEST_ERROR, what);
	default:
		snprintf(what, sizeof(what), "unhandled exit reason %u", run->exit_reason);
		return dispatch_fatal(vcpu, KEEL_EXIT_GUEST_ERROR, what);
	}
}
