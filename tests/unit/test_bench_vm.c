/* Unit tests of `keel bench`'s machinery: child processes and their time limits, the floor (its code and a real run), the bench devices, host facts. */
#include "tests/unit/suites.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/bench.h"
#include "firmware/bench.h"
#include "vmm/bench/child.h"
#include "vmm/bench/collect.h"
#include "vmm/bench/floor.h"
#include "vmm/bench/hostinfo.h"
#include "vmm/bench/report.h"
#include "vcpu/vcpu.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/vm.h"

struct lines {
	char text[4096];
	size_t n;
	int count;
	unsigned int limit;
};

static bool lines_line(void *opaque, const char *line, size_t len)
{
	struct lines *l = opaque;

	l->n += (size_t)snprintf(l->text + l->n, sizeof(l->text) - l->n, "[%.*s]", (int)len, line);
	l->count++;
	return strncmp(line, "progress", 8) == 0;
}

static unsigned int lines_limit(void *opaque)
{
	return ((struct lines *)opaque)->limit;
}

static const struct bench_child_ops lines_ops = { .line = lines_line, .limit_ms = lines_limit };

static int child_talks(void *arg)
{
	(void)arg;
	printf("one\nprogress two\n");
	fflush(stdout);
	fprintf(stderr, "three, no newline");
	return 3;
}

static int child_hangs(void *arg)
{
	(void)arg;
	printf("progress\n");
	fflush(stdout);
	for (;;)
		pause();
	return 0;
}

static int child_chatters(void *arg)
{
	(void)arg;
	for (;;) {
		printf("noise\n");	/* output, but never progress */
		fflush(stdout);
		usleep(20000);
	}
	return 0;
}

START_TEST(child_output_and_status)
{
	struct lines l = { .limit = 10000 };
	struct bench_child_result res;

	ck_assert_int_eq(bench_child_run(child_talks, NULL, &lines_ops, &l, 20000, -1, &res), 0);
	ck_assert_int_eq(res.status, 3);
	ck_assert(!res.timed_out && !res.total_out);
	ck_assert_str_eq(l.text, "[one][progress two][three, no newline]");
}
END_TEST

START_TEST(child_silence_is_killed)
{
	struct lines l = { .limit = 300 };
	struct bench_child_result res;

	ck_assert_int_eq(bench_child_run(child_hangs, NULL, &lines_ops, &l, 20000, -1, &res), 0);
	ck_assert(res.timed_out);
	ck_assert_uint_eq(res.limit_ms, 300);
	ck_assert_int_eq(res.status, 128 + 9);
	/* output that is not progress does not keep a child alive */
	l = (struct lines){ .limit = 300 };
	ck_assert_int_eq(bench_child_run(child_chatters, NULL, &lines_ops, &l, 20000, -1, &res), 0);
	ck_assert(res.timed_out);
	ck_assert_int_gt(l.count, 1);
	/* the total limit */
	l = (struct lines){ .limit = 10000 };
	ck_assert_int_eq(bench_child_run(child_hangs, NULL, &lines_ops, &l, 300, -1, &res), 0);
	ck_assert(res.total_out && !res.timed_out);
}
END_TEST

static int child_exec_missing(void *arg)
{
	char *argv[] = { arg, NULL };

	return bench_child_exec(argv);
}

START_TEST(child_exec_failure)
{
	struct lines l = { .limit = 10000 };
	struct bench_child_result res;

	ck_assert_int_eq(bench_child_run(child_exec_missing, "/nonexistent/keel-test-binary", &lines_ops, &l, 10000,
					 -1, &res), 0);
	ck_assert_int_eq(res.status, 127);
	ck_assert_ptr_nonnull(strstr(l.text, "cannot run"));
}
END_TEST

/* The loop of each floor path: its jnz goes back to the loop, it ends with OUT and a jump to itself. */
START_TEST(floor_code_shapes)
{
	uint8_t code[128];

	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		int n = bench_floor_code((enum keel_bench_path)p, false, code, sizeof(code));

		if (!bench_floor_offers((enum keel_bench_path)p)) {
			ck_assert_int_eq(n, -EINVAL);
			continue;
		}
		ck_assert_int_gt(n, 20);
		ck_assert_uint_eq(code[0], 0x0f);	/* rdtsc */
		ck_assert_uint_eq(code[1], 0x31);
		ck_assert_uint_eq(code[n - 3], 0xee);	/* out dx, al */
		ck_assert_uint_eq(code[n - 2], 0xeb);	/* jmp . */
		ck_assert_uint_eq(code[n - 1], 0xfe);
		for (int i = 0; i + 4 < n; i++) {
			if (code[i] == 0x49 && code[i + 1] == 0xff && code[i + 2] == 0xc8 && code[i + 3] == 0x75) {
				int target = i + 5 + (int8_t)code[i + 4];

				ck_assert_int_ge(target, 12);	/* after the prologue */
				ck_assert_int_lt(target, i);
			}
		}
		ck_assert_int_eq(bench_floor_code((enum keel_bench_path)p, false, code, 8), -ENOSPC);
	}
	ck_assert_int_gt(bench_floor_code(KEEL_BENCH_PATH_HYPERCALL, true, code, sizeof(code)), 0);
	ck_assert_ptr_nonnull(memmem(code, sizeof(code), "\x0f\x01\xd9", 3));	/* vmmcall */
	ck_assert_int_gt(bench_floor_code(KEEL_BENCH_PATH_HYPERCALL, false, code, sizeof(code)), 0);
	ck_assert_ptr_nonnull(memmem(code, sizeof(code), "\x0f\x01\xc1", 3));	/* vmcall */
}
END_TEST

/* A real floor run on /dev/kvm: every offered path but the hypercall reports figures or a reason. Timings are not checked. */
START_TEST(floor_runs)
{
	static struct bench_series series[KEEL_BENCH_NPATHS];
	const struct bench_limits lim = { .boot_ms = 10000, .probe_ms = 10000, .step_ms = 30000, .end_ms = 5000 };
	uint32_t paths = 1u << KEEL_BENCH_PATH_CPUID | 1u << KEEL_BENCH_PATH_PIO_USER | 1u << KEEL_BENCH_PATH_PIO_KERNEL |
			 1u << KEEL_BENCH_PATH_MMIO_USER | 1u << KEEL_BENCH_PATH_MMIO_KERNEL |
			 1u << KEEL_BENCH_PATH_MSR_KERNEL | 1u << KEEL_BENCH_PATH_MSR_USER;
	struct bench_floor_cfg cfg = { .paths = paths, .iters = 20, .reps = 2, .kvm_path = "/dev/kvm" };
	struct bench_child_result res;
	struct bench_collect c;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		ck_abort_msg("/dev/kvm is not usable here: this test needs KVM");
		return;
	}
	bench_collect_init(&c, series, NULL, paths, cfg.iters, cfg.reps, 0, &lim);
	ck_assert_int_eq(bench_child_run(bench_floor_main, &cfg, &bench_collect_ops, &c, 120000, -1, &res), 0);
	ck_assert_int_eq(res.status, 0);
	ck_assert_uint_eq(bench_collect_finish(&c, &res, "the floor"), 0);
	ck_assert_uint_eq(c.bad, 0);
	for (int p = 0; p < KEEL_BENCH_NPATHS; p++) {
		if (!(paths & (1u << p)))
			continue;
		/* The ring-3 loops and the in-kernel MSR run on any KVM; the user-space MSR needs a capability. */
		if (p == KEEL_BENCH_PATH_MSR_USER && series[p].status == BENCH_UNAVAILABLE)
			continue;
		ck_assert_msg(series[p].status == BENCH_OK, "path %d: %s", p, series[p].reason);
		ck_assert_uint_eq(series[p].nreps, 2);
		ck_assert_uint_eq(series[p].reps[1].iters, 20);
		ck_assert_uint_gt(series[p].reps[1].cycles, 0);
		ck_assert_uint_gt(series[p].reps[1].ns, 0);
	}
}
END_TEST

START_TEST(bench_device_handlers)
{
	struct vm_config cfg = { .cmdline = "", .mem_size = 16 << 20, .ncpus = 3, .bench = true };
	uint64_t data = 0, ret = 1, args[6] = { 0 };
	uint8_t b[4] = { 1, 2, 3, 4 };
	struct vm vm;

	struct bench_dev *bd;

	log_set_level(LOG_OFF);
	ck_assert_int_eq(vm_init(&vm, &cfg), 0);
	/* without KVM (vm_fd -1) the bus side is all there is */
	ck_assert_int_eq(bench_devices_create(&vm.plat, 3, &bd), 0);
	ck_assert_ptr_nonnull(bd);
	ck_assert_int_eq(bench_msr(bd, NULL, KEEL_BENCH_MSR_USER, &data, false), 0);
	ck_assert_uint_eq(data, 3u | 3u << 16);
	ck_assert_int_eq(bench_msr(bd, NULL, KEEL_BENCH_MSR_USER, &data, true), 0);
	ck_assert_int_eq(bench_msr(bd, NULL, 0x10, &data, false), -ENOENT);
	ck_assert_int_eq(bench_hypercall(bd, NULL, KEEL_BENCH_HC_NR, args, &ret), 0);
	ck_assert_uint_eq(ret, 0);
	ck_assert_int_eq(bench_hypercall(bd, NULL, 5, args, &ret), -ENOSYS);
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, KEEL_BENCH_PORT_USER, b, 4, false), 0);
	ck_assert_uint_eq(b[0] | b[1] | b[2] | b[3], 0);
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, KEEL_BENCH_PORT_KERNEL, b, 1, true), 0);
	ck_assert_int_eq(bus_access(&vm.plat.mmio, NULL, KEEL_BENCH_MMIO_USER + 0xfffc, b, 4, true), 0);
	ck_assert_int_eq(bus_access(&vm.plat.mmio, NULL, KEEL_BENCH_MMIO_KERNEL, b, 4, false), 0);
	bench_devices_destroy(bd);
	ck_assert_int_eq(bus_access(&vm.plat.pio, NULL, KEEL_BENCH_PORT_USER, b, 4, false), -ENOENT);
	/* through the machine's device table: the devices and their exit hooks on the vCPUs' path */
	ck_assert_int_eq(machine_devices_create(&vm), 0);
	ck_assert_ptr_nonnull(vm.bench);
	ck_assert_ptr_eq(vm.vcpu_env.hooks, bench_exit_hooks());
	ck_assert_ptr_eq(vm.vcpu_env.hooks_opaque, vm.bench);
	machine_devices_destroy(&vm);
	ck_assert_ptr_null(vm.bench);
	ck_assert_ptr_null(vm.vcpu_env.hooks);
	/* not in bench mode: nothing at all */
	vm.cfg.bench = false;
	ck_assert_int_eq(machine_devices_create(&vm), 0);
	ck_assert_ptr_null(vm.bench);
	ck_assert_ptr_null(vm.vcpu_env.hooks);
	ck_assert_int_eq(bus_access(&vm.plat.mmio, NULL, KEEL_BENCH_MMIO_USER, b, 4, false), -ENOENT);
	machine_devices_destroy(&vm);
	vm_destroy(&vm);
	log_set_level(LOG_WARN);
}
END_TEST

/*
 * The bench devices on a real VM: the user-space MSR comes out as KVM_EXIT_X86_RDMSR and gets
 * keel's answer, the kernel port's ioeventfd keeps its OUT inside KVM, the user port exits. The
 * vCPU starts at the PVH entry (32-bit, paging off): code at 0x7000.
 */
START_TEST(bench_devices_on_kvm)
{
	static const uint8_t code[] = {
		0xb9, KEEL_BENCH_MSR_USER, 0, 0, 0,	/* mov ecx, MSR_CORE_THREAD_COUNT */
		0x0f, 0x32,				/* rdmsr */
		0xba, KEEL_BENCH_PORT_KERNEL & 0xff, KEEL_BENCH_PORT_KERNEL >> 8, 0, 0,	/* mov edx, kernel port */
		0xee,					/* out dx, al: an ioeventfd */
		0xba, KEEL_BENCH_PORT_USER, 0, 0, 0,	/* mov edx, user port */
		0xee,					/* out dx, al: to keel */
		0xf4,
	};
	struct vm_config cfg = { .cmdline = "", .mem_size = 64 << 20, .ncpus = 2, .kvm_path = "/dev/kvm", .bench = true };
	struct kvm_regs regs;
	struct vm live;
	struct vcpu *v;
	bool user_msr;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		ck_abort_msg("/dev/kvm is not usable here: this test needs KVM");
		return;
	}
	log_set_level(LOG_OFF);
	ck_assert_int_eq(vm_create(&live, &cfg), 0);
	ck_assert_ptr_nonnull(live.bench);
	v = live.vcpus[0];
	ck_assert_int_eq(gmem_write(&live.plat.mem, 0x7000, code, sizeof(code)), 0);
	ck_assert_int_eq(ioctl(v->fd, KVM_GET_REGS, &regs), 0);
	regs.rip = 0x7000;
	ck_assert_int_eq(ioctl(v->fd, KVM_SET_REGS, &regs), 0);
	user_msr = ioctl(live.plat.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) > 0 &&
		   ioctl(live.plat.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_MSR_FILTER) > 0;
	ck_assert_int_eq(ioctl(v->fd, KVM_RUN, 0), 0);
	if (user_msr) {
		ck_assert_uint_eq(v->run->exit_reason, KVM_EXIT_X86_RDMSR);
		ck_assert_uint_eq(v->run->msr.index, KEEL_BENCH_MSR_USER);
		ck_assert_int_eq(vcpu_dispatch_exit(v, v->run), VCPU_ACTION_CONTINUE);
		ck_assert_uint_eq(v->run->msr.data, 2u | 2u << 16);
		ck_assert_int_eq(ioctl(v->fd, KVM_RUN, 0), 0);
		/* the OUT to the kernel port did not come here: the next exit is the user port, al = 2 threads */
		ck_assert_uint_eq(v->run->exit_reason, KVM_EXIT_IO);
		ck_assert_uint_eq(v->run->io.port, KEEL_BENCH_PORT_USER);
		ck_assert_uint_eq(((uint8_t *)v->run)[v->run->io.data_offset], 2);
	}
	vm_destroy(&live);
	log_set_level(LOG_WARN);
}
END_TEST

START_TEST(host_facts)
{
	char dir[] = "/tmp/keel-unit-sysmod.XXXXXX", sub[128], flavour[48];
	struct bench_host h;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	bench_host_flavour(dir, flavour, sizeof(flavour));
	ck_assert_str_eq(flavour, "unknown");
	snprintf(sub, sizeof(sub), "%s/kvm_pvm", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	bench_host_flavour(dir, flavour, sizeof(flavour));
	ck_assert_str_eq(flavour, "kvm_pvm");
	snprintf(sub, sizeof(sub), "%s/kvm_intel", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	bench_host_flavour(dir, flavour, sizeof(flavour));
	ck_assert_str_eq(flavour, "kvm_intel+kvm_pvm");
	rmdir(sub);
	snprintf(sub, sizeof(sub), "%s/kvm_pvm", dir);
	rmdir(sub);
	rmdir(dir);
	bench_host_probe(&h, "/dev/kvm");
	ck_assert_int_eq(strlen(h.date), 20);
	ck_assert(h.kernel[0] && h.cpu_model[0] && h.kvm_flavour[0] && h.tsc_source[0]);
	ck_assert_uint_gt(h.host_cpus, 0);
}
END_TEST

Suite *bench_vm_suite(void)
{
	Suite *s = suite_create("bench_vm");
	TCase *tc = tcase_create("machinery");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, child_output_and_status);
	tcase_add_test(tc, child_silence_is_killed);
	tcase_add_test(tc, child_exec_failure);
	tcase_add_test(tc, floor_code_shapes);
	tcase_add_test(tc, floor_runs);
	tcase_add_test(tc, bench_device_handlers);
	tcase_add_test(tc, bench_devices_on_kvm);
	tcase_add_test(tc, host_facts);
	suite_add_tcase(s, tc);
	return s;
}
