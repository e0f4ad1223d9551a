/* Unit tests of vcpu_dispatch_exit fed hand-made struct kvm_run exits: IO, MMIO, HLT, SHUTDOWN, INTERNAL_ERROR, DEBUG, MSR, HYPERCALL, unknown; ring-0 int3 on a real vCPU. */
#include "tests/unit/suites.h"

#include "vcpu/vcpu.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define RUN_SIZE 8192	/* like KVM's mapping: kvm_run, then the PIO data page */

struct probe {
	int calls;
	uint64_t offset;
	uint32_t len;
	bool is_write;
	uint8_t seen[64];
	size_t nseen;
};

static int probe_handler(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
			 bool is_write)
{
	struct probe *p = opaque;

	ck_assert_ptr_nonnull(vcpu);
	p->calls++;
	p->offset = offset;
	p->len = len;
	p->is_write = is_write;
	if (is_write) {
		memcpy(p->seen + p->nseen, data, len);
		p->nseen += len;
	} else {
		memset(data, 0x5a, len);
	}
	return 0;
}

static struct vm vm;
static struct vcpu vcpu;
static struct kvm_run *run;
static struct probe probe;

static void setup(void)
{
	struct vm_config cfg = { .cmdline = "", .mem_size = 16 << 20, .ncpus = 1 };

	log_set_level(LOG_OFF);	/* quiet: these tests trigger error paths on purpose */
	ck_assert_int_eq(vm_init(&vm, &cfg), 0);
	vm.vcpu_env.mmap_size = RUN_SIZE;
	memset(&vcpu, 0, sizeof(vcpu));
	vcpu.env = &vm.vcpu_env;
	vcpu.fd = -1;
	run = calloc(1, RUN_SIZE);
	memset(&probe, 0, sizeof(probe));
	ck_assert_int_eq(bus_register(&vm.plat.pio, 0x3f8, 8, probe_handler, &probe, "probe"), 0);
	ck_assert_int_eq(bus_register(&vm.plat.mmio, 0xd0000000, 0x1000, probe_handler, &probe, "probe"), 0);
}

static void teardown(void)
{
	free(run);
	vm_destroy(&vm);
	log_set_level(LOG_WARN);
}

static void make_io(uint8_t dir, uint16_t port, uint8_t size, uint32_t count)
{
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = dir;
	run->io.port = port;
	run->io.size = size;
	run->io.count = count;
	run->io.data_offset = 4096;
}

START_TEST(io_out)
{
	uint8_t *data = (uint8_t *)run + 4096;

	make_io(KVM_EXIT_IO_OUT, 0x3f9, 1, 1);
	data[0] = 'k';
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(probe.calls, 1);
	ck_assert_uint_eq(probe.offset, 1);
	ck_assert(probe.is_write);
	ck_assert_uint_eq(probe.seen[0], 'k');
	ck_assert(!vm.plat.stop.requested);
}
END_TEST

START_TEST(io_in_string)
{
	uint8_t *data = (uint8_t *)run + 4096;

	/* rep insw of 3 words: three accesses, data filled in order */
	make_io(KVM_EXIT_IO_IN, 0x3f8, 2, 3);
	memset(data, 0, 6);
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(probe.calls, 3);
	for (int i = 0; i < 6; i++)
		ck_assert_uint_eq(data[i], 0x5a);
}
END_TEST

START_TEST(io_out_string)
{
	uint8_t *data = (uint8_t *)run + 4096;

	make_io(KVM_EXIT_IO_OUT, 0x3f8, 1, 4);
	memcpy(data, "keel", 4);
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(probe.calls, 4);
	ck_assert_mem_eq(probe.seen, "keel", 4);
}
END_TEST

START_TEST(io_unclaimed_reads_ones)
{
	uint8_t *data = (uint8_t *)run + 4096;

	make_io(KVM_EXIT_IO_IN, 0x80, 4, 1);
	memset(data, 0, 4);
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(*(uint32_t *)data, 0xffffffffu);
	ck_assert_int_eq(probe.calls, 0);
	/* a write to nothing is dropped */
	make_io(KVM_EXIT_IO_OUT, 0x80, 1, 1);
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert(!vm.plat.stop.requested);
}
END_TEST

START_TEST(io_malformed)
{
	make_io(KVM_EXIT_IO_OUT, 0x3f8, 1, 1);
	run->io.data_offset = RUN_SIZE - 1;
	run->io.count = 4;	/* runs past the mapping */
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert(vm.plat.stop.requested);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_GUEST_ERROR);
	ck_assert_int_eq(probe.calls, 0);
}
END_TEST

START_TEST(mmio_write_read)
{
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = 0xd0000010;
	run->mmio.len = 8;
	run->mmio.is_write = 1;
	memcpy(run->mmio.data, "12345678", 8);
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(probe.offset, 0x10);
	ck_assert_uint_eq(probe.len, 8);
	ck_assert_mem_eq(probe.seen, "12345678", 8);
	run->mmio.is_write = 0;
	run->mmio.len = 2;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(run->mmio.data[0], 0x5a);
	ck_assert_uint_eq(run->mmio.data[1], 0x5a);
	/* unclaimed MMIO reads all ones */
	run->mmio.phys_addr = 0xe0000000;
	run->mmio.len = 4;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(*(uint32_t *)run->mmio.data, 0xffffffffu);
	/* odd sizes never reach a device */
	run->mmio.phys_addr = 0xd0000000;
	run->mmio.len = 3;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(probe.calls, 2);
	run->mmio.len = 16;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_GUEST_ERROR);
}
END_TEST

START_TEST(hlt_stops_cleanly)
{
	run->exit_reason = KVM_EXIT_HLT;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert(vm.plat.stop.requested);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_OK);
}
END_TEST

START_TEST(shutdown_is_triple_fault)
{
	run->exit_reason = KVM_EXIT_SHUTDOWN;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_TRIPLE_FAULT);
}
END_TEST

START_TEST(internal_error)
{
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 2;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_GUEST_ERROR);
}
END_TEST

START_TEST(unknown_reasons)
{
	run->exit_reason = 0xdead;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_GUEST_ERROR);
}
END_TEST

START_TEST(kvm_exit_unknown_and_fail_entry)
{
	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_GUEST_ERROR);
}
END_TEST

START_TEST(first_stop_wins)
{
	run->exit_reason = KVM_EXIT_SHUTDOWN;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	run->exit_reason = KVM_EXIT_HLT;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_TRIPLE_FAULT);
}
END_TEST

START_TEST(intr_and_system_events)
{
	run->exit_reason = KVM_EXIT_INTR;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert(!vm.plat.stop.requested);
	run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
	run->system_event.type = KVM_SYSTEM_EVENT_RESET;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_STOP);
	ck_assert_int_eq(vm.plat.stop.status, KEEL_EXIT_OK);
}
END_TEST

START_TEST(debug_exit_without_debugger)
{
	/* KVM_EXIT_DEBUG with no gdb stub (a stale one): carry on */
	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = 1;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	run->debug.arch.exception = 3;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert(!vm.plat.stop.requested);
}
END_TEST

/*
 * With a real (unstarted) vCPU whose PC is at an int3: KVM_EXIT_INTERNAL_ERROR (emulation), as
 * kvm_pvm reports a ring-0 int3. The guest's own int3 is finished here: PC past it, #BP injected.
 * @gdb: also start the gdb stub (nothing planted: still the guest's).
 */
static void int3_exit(bool gdb, const uint8_t *code, size_t len, int want_action)
{
	char sock[64];
	struct vm_config cfg = { .cmdline = "exit=halt", .mem_size = 64 << 20, .ncpus = 1, .kvm_path = "/dev/kvm" };
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;
	struct vm live;
	struct kvm_run r;
	struct vcpu *v;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		ck_abort_msg("/dev/kvm is not usable here: this test needs KVM");
		return;
	}
	snprintf(sock, sizeof(sock), "unix:/tmp/keel-unit-dispatch-%d.sock", (int)getpid());
	cfg.gdb = gdb ? sock : NULL;
	ck_assert_int_eq(vm_create(&live, &cfg), KEEL_EXIT_OK);
	ck_assert(!gdb || live.gdb);
	v = live.vcpus[0];
	ck_assert_int_eq(gmem_write(&live.plat.mem, 0x7000, code, len), 0);
	ck_assert_int_eq(ioctl(v->fd, KVM_GET_REGS, &regs), 0);
	regs.rip = 0x7000;	/* paging is off at the PVH entry: linear == physical */
	ck_assert_int_eq(ioctl(v->fd, KVM_SET_REGS, &regs), 0);
	memset(&r, 0, sizeof(r));
	r.exit_reason = KVM_EXIT_INTERNAL_ERROR;
	r.internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	ck_assert_int_eq(vcpu_dispatch_exit(v, &r), want_action);
	ck_assert_int_eq(ioctl(v->fd, KVM_GET_REGS, &regs), 0);
	ck_assert_int_eq(ioctl(v->fd, KVM_GET_VCPU_EVENTS, &ev), 0);
	if (want_action == VCPU_ACTION_CONTINUE) {
		/* PC past the int3; the injected #BP itself cannot be read back (KVM hides soft exceptions) */
		ck_assert(!live.plat.stop.requested);
		ck_assert_uint_eq(regs.rip, 0x7001);
	} else {
		ck_assert(live.plat.stop.requested);
		ck_assert_int_eq(live.plat.stop.status, KEEL_EXIT_GUEST_ERROR);
		ck_assert_uint_eq(regs.rip, 0x7000);
		ck_assert_uint_eq(ev.exception.injected, 0);
	}
	vm_destroy(&live);
}

START_TEST(guest_int3_gets_its_breakpoint)
{
	int3_exit(false, (const uint8_t *)"\xcc", 1, VCPU_ACTION_CONTINUE);
}
END_TEST

START_TEST(guest_int3_with_gdb_attached)
{
	int3_exit(true, (const uint8_t *)"\xcc", 1, VCPU_ACTION_CONTINUE);
}
END_TEST

START_TEST(other_emulation_failure_is_fatal)
{
	int3_exit(false, (const uint8_t *)"\x0f\xc7\x0f", 3, VCPU_ACTION_STOP);	/* cmpxchg16b */
}
END_TEST

/* User-space MSRs and hypercalls (bench mode installs these hooks; tests install their own). */
struct hook_probe {
	int msr_calls, hc_calls;
	uint32_t index;
	uint64_t written;
	bool is_write;
	uint64_t nr, args[6];
	int result;		/* what the hooks return */
};

static int hook_msr(void *opaque, struct vcpu *v, uint32_t index, uint64_t *data, bool is_write)
{
	struct hook_probe *h = opaque;

	ck_assert_ptr_nonnull(v);
	h->msr_calls++;
	h->index = index;
	h->is_write = is_write;
	if (is_write)
		h->written = *data;
	else
		*data = 0x1122334455667788ull;
	return h->result;
}

static int hook_hypercall(void *opaque, struct vcpu *v, uint64_t nr, const uint64_t args[6], uint64_t *ret)
{
	struct hook_probe *h = opaque;

	ck_assert_ptr_nonnull(v);
	h->hc_calls++;
	h->nr = nr;
	memcpy(h->args, args, sizeof(h->args));
	*ret = 42;
	return h->result;
}

static const struct vcpu_exit_hooks test_hooks = { .msr = hook_msr, .hypercall = hook_hypercall };

START_TEST(msr_exits_go_to_the_hook)
{
	struct hook_probe h = { .result = 0 };

	vm.vcpu_env.hooks = &test_hooks;
	vm.vcpu_env.hooks_opaque = &h;
	run->exit_reason = KVM_EXIT_X86_RDMSR;
	run->msr.index = 0x35;
	run->msr.error = 1;	/* stale: dispatch must clear it */
	run->msr.data = 0;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(h.msr_calls, 1);
	ck_assert_uint_eq(h.index, 0x35);
	ck_assert(!h.is_write);
	ck_assert_uint_eq(run->msr.error, 0);
	ck_assert_uint_eq(run->msr.data, 0x1122334455667788ull);
	run->exit_reason = KVM_EXIT_X86_WRMSR;
	run->msr.data = 0xabcd;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert(h.is_write);
	ck_assert_uint_eq(h.written, 0xabcd);
	ck_assert_uint_eq(run->msr.data, 0xabcd);	/* a write leaves the data alone */
	ck_assert_uint_eq(run->msr.error, 0);
	/* the hook refuses: the guest takes #GP */
	h.result = -ENOENT;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(run->msr.error, 1);
	ck_assert(!vm.plat.stop.requested);
	vm.vcpu_env.hooks = NULL;
}
END_TEST

START_TEST(msr_exit_without_hook_is_gp)
{
	run->exit_reason = KVM_EXIT_X86_RDMSR;
	run->msr.index = 0x12345;
	run->msr.error = 0;
	run->msr.data = 7;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(run->msr.error, 1);
	ck_assert_uint_eq(run->msr.data, 7);
	ck_assert(!vm.plat.stop.requested);
}
END_TEST

START_TEST(hypercall_exits)
{
	struct hook_probe h = { .result = 0 };

	run->exit_reason = KVM_EXIT_HYPERCALL;
	run->hypercall.nr = 12;
	for (int i = 0; i < 6; i++)
		run->hypercall.args[i] = 100 + (uint64_t)i;
	/* no hook: -KVM_ENOSYS, as KVM answers hypercalls it does not know */
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(run->hypercall.ret, (uint64_t)-1000);
	vm.vcpu_env.hooks = &test_hooks;
	vm.vcpu_env.hooks_opaque = &h;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(h.hc_calls, 1);
	ck_assert_uint_eq(h.nr, 12);
	ck_assert_uint_eq(h.args[0], 100);
	ck_assert_uint_eq(h.args[5], 105);
	ck_assert_uint_eq(run->hypercall.ret, 42);
	h.result = -ENOSYS;
	ck_assert_int_eq(vcpu_dispatch_exit(&vcpu, run), VCPU_ACTION_CONTINUE);
	ck_assert_uint_eq(run->hypercall.ret, (uint64_t)-1000);
	ck_assert(!vm.plat.stop.requested);
	vm.vcpu_env.hooks = NULL;
}
END_TEST

Suite *dispatch_suite(void)
{
	Suite *s = suite_create("dispatch");
	TCase *tc = tcase_create("exits");
	TCase *live = tcase_create("int3");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, io_out);
	tcase_add_test(tc, io_in_string);
	tcase_add_test(tc, io_out_string);
	tcase_add_test(tc, io_unclaimed_reads_ones);
	tcase_add_test(tc, io_malformed);
	tcase_add_test(tc, mmio_write_read);
	tcase_add_test(tc, hlt_stops_cleanly);
	tcase_add_test(tc, shutdown_is_triple_fault);
	tcase_add_test(tc, internal_error);
	tcase_add_test(tc, unknown_reasons);
	tcase_add_test(tc, kvm_exit_unknown_and_fail_entry);
	tcase_add_test(tc, first_stop_wins);
	tcase_add_test(tc, intr_and_system_events);
	tcase_add_test(tc, debug_exit_without_debugger);
	tcase_add_test(tc, msr_exits_go_to_the_hook);
	tcase_add_test(tc, msr_exit_without_hook_is_gp);
	tcase_add_test(tc, hypercall_exits);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(live, setup, teardown);	/* for the quiet log level */
	tcase_set_timeout(live, 60);
	tcase_add_test(live, guest_int3_gets_its_breakpoint);
	tcase_add_test(live, guest_int3_with_gdb_attached);
	tcase_add_test(live, other_emulation_failure_is_fatal);
	suite_add_tcase(s, live);
	return s;
}
