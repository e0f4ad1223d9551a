/* Unit tests of the gdb stub's host side: --gdb parsing and the CLI, the listening socket, and (with /dev/kvm) the KVM target on a real, unstarted vCPU. */
#include "tests/unit/suites.h"

#include "vcpu/debug.h"
#include "vcpu/vcpu.h"
#include "vcpu/vmem.h"
#include "vmm/cli.h"
#include "vmm/exit_status.h"
#include "vmm/gdb/addr.h"
#include "vmm/gdb/breakpoints.h"
#include "vmm/gdb/commands.h"
#include "vmm/gdb/target_kvm.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

START_TEST(addr_good)
{
	struct gdb_addr a;
	char err[256];

	ck_assert_int_eq(gdb_addr_parse("tcp:1234", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a.kind, GDB_ADDR_TCP);
	ck_assert_str_eq(a.host, "127.0.0.1");	/* loopback unless a host is named */
	ck_assert_uint_eq(a.port, 1234);
	ck_assert_int_eq(gdb_addr_parse("tcp::1", &a, err, sizeof(err)), 0);
	ck_assert_str_eq(a.host, "127.0.0.1");
	ck_assert_uint_eq(a.port, 1);
	ck_assert_int_eq(gdb_addr_parse("tcp:0.0.0.0:65535", &a, err, sizeof(err)), 0);
	ck_assert_str_eq(a.host, "0.0.0.0");
	ck_assert_uint_eq(a.port, 65535);
	ck_assert_int_eq(gdb_addr_parse("tcp:localhost:80", &a, err, sizeof(err)), 0);
	ck_assert_str_eq(a.host, "localhost");
	ck_assert_int_eq(gdb_addr_parse("tcp:[::1]:4444", &a, err, sizeof(err)), 0);
	ck_assert_str_eq(a.host, "::1");
	ck_assert_uint_eq(a.port, 4444);
	ck_assert_int_eq(gdb_addr_parse("unix:/tmp/keel.sock", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(a.kind, GDB_ADDR_UNIX);
	ck_assert_str_eq(a.path, "/tmp/keel.sock");
}
END_TEST

START_TEST(addr_bad)
{
	static const struct {
		const char *spec, *needle;
	} bad[] = {
		{ "1234", "expected tcp:[HOST:]PORT or unix:PATH" },
		{ "", "expected tcp:" },
		{ "udp:1234", "expected tcp:" },
		{ "tcp:", "not a port number" },
		{ "tcp:0", "not a port number" },
		{ "tcp:65536", "not a port number" },
		{ "tcp:123456", "not a port number" },
		{ "tcp:12a", "not a port number" },
		{ "tcp:-1", "not a port number" },
		{ "tcp:host:", "not a port number" },
		{ "tcp:::1:1234", "brackets" },
		{ "tcp:[::1]1234", "tcp:[ADDRESS]:PORT" },
		{ "tcp:[::1", "tcp:[ADDRESS]:PORT" },
		{ "unix:", "empty" },
	};
	char err[256], spec[256];
	struct gdb_addr a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(gdb_addr_parse(bad[i].spec, &a, err, sizeof(err)) == -EINVAL, "'%s' accepted",
			      bad[i].spec);
		ck_assert_msg(strstr(err, bad[i].needle), "'%s': '%s' lacks '%s'", bad[i].spec, err, bad[i].needle);
		ck_assert_msg(!strncmp(err, "--gdb ", 6), "'%s' does not name the option", err);
		ck_assert(!strchr(err, '\n'));
	}
	memset(spec, 'x', sizeof(spec));
	memcpy(spec, "unix:/", 6);
	spec[200] = '\0';
	ck_assert_int_eq(gdb_addr_parse(spec, &a, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "longer than 107 bytes"));
}
END_TEST

START_TEST(cli_options)
{
	char *ok[] = { "keel", "run", "--gdb", "tcp:1234", "--gdb-wait", NULL };
	char *eq[] = { "keel", "run", "--gdb=unix:/tmp/k.sock", NULL };
	char *wait_only[] = { "keel", "run", "--gdb-wait", NULL };
	char *bad_spec[] = { "keel", "run", "--gdb", "tcp:port", NULL };
	char *twice[] = { "keel", "run", "--gdb", "tcp:1", "--gdb", "tcp:2", NULL };
	char *missing[] = { "keel", "run", "--gdb", NULL };
	struct cli_options o;
	char err[256];

	/* Each parse owns what it added: freed before the next one. */
	ck_assert_int_eq(cli_parse(5, ok, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.cfg.gdb, "tcp:1234");
	ck_assert(o.cfg.gdb_wait);
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(3, eq, &o, err, sizeof(err)), 0);
	ck_assert_str_eq(o.cfg.gdb, "unix:/tmp/k.sock");
	ck_assert(!o.cfg.gdb_wait);
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(3, wait_only, &o, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--gdb-wait needs --gdb (see 'keel --help')");
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(4, bad_spec, &o, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--gdb tcp:port: 'port' is not a port number (1-65535)");
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(6, twice, &o, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "--gdb given twice");
	cli_options_free(&o);
	ck_assert_int_eq(cli_parse(3, missing, &o, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--gdb needs a value"));
	cli_options_free(&o);
}
END_TEST

START_TEST(listen_errors)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	char path[64], spec[96], err[256];
	struct gdb_addr a;
	int taken, fd, fd2;

	/* a port someone else listens on */
	taken = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(taken, 0);
	ck_assert_int_eq(bind(taken, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(taken, 1), 0);
	ck_assert_int_eq(getsockname(taken, (struct sockaddr *)&sin, &sl), 0);
	snprintf(spec, sizeof(spec), "tcp:%u", ntohs(sin.sin_port));
	ck_assert_int_eq(gdb_addr_parse(spec, &a, err, sizeof(err)), 0);
	ck_assert_int_eq(gdb_addr_listen(&a, err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "is in use"));
	close(taken);
	/* now it is free */
	fd = gdb_addr_listen(&a, err, sizeof(err));
	ck_assert_int_ge(fd, 0);
	close(fd);
	/* an unknown host */
	ck_assert_int_eq(gdb_addr_parse("tcp:no.such.host.invalid:1234", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(gdb_addr_listen(&a, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "cannot resolve"));

	/* UNIX: live socket refused, stale one replaced, a plain file left alone */
	snprintf(path, sizeof(path), "/tmp/keel-unit-%d.sock", (int)getpid());
	unlink(path);
	snprintf(spec, sizeof(spec), "unix:%s", path);
	ck_assert_int_eq(gdb_addr_parse(spec, &a, err, sizeof(err)), 0);
	fd = gdb_addr_listen(&a, err, sizeof(err));
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(gdb_addr_listen(&a, err, sizeof(err)), -EADDRINUSE);
	ck_assert_ptr_nonnull(strstr(err, "in use by another process"));
	close(fd);	/* the file stays: a stale socket */
	fd2 = gdb_addr_listen(&a, err, sizeof(err));
	ck_assert_int_ge(fd2, 0);
	close(fd2);
	unlink(path);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	ck_assert_int_lt(gdb_addr_listen(&a, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(strstr(err, "not a socket"));
	unlink(path);
	ck_assert_int_eq(gdb_addr_parse("unix:/nonexistent-dir/x.sock", &a, err, sizeof(err)), 0);
	ck_assert_int_eq(gdb_addr_listen(&a, err, sizeof(err)), -ENOENT);
}
END_TEST

/* --- the KVM target on a real VM whose vCPU threads never start -------------------------------- */

static struct vm vm;
static struct gdb_bps bps;
static struct gdb_kvm *target;
static bool have_kvm;

#define TEST_GPA 0x7000ull	/* free RAM below 1 MiB; paging is off, so virtual == physical */

static void live_setup(void)
{
	struct vm_config cfg = { .cmdline = "exit=halt", .mem_size = 64 << 20, .ncpus = 2, .kvm_path = "/dev/kvm" };

	log_set_level(LOG_OFF);
	have_kvm = access("/dev/kvm", R_OK | W_OK) == 0;
	if (!have_kvm)
		return;
	ck_assert_int_eq(vm_create(&vm, &cfg), KEEL_EXIT_OK);
	gdb_bps_init(&bps, 0);
	ck_assert_int_eq(gdb_kvm_create(&vm.gdb_view, &bps, &target), 0);
}

static void live_teardown(void)
{
	if (have_kvm) {
		gdb_kvm_destroy(target);
		gdb_bps_destroy(&bps);
		vm_destroy(&vm);
	}
	log_set_level(LOG_WARN);
}

static bool event_pending(void)
{
	struct pollfd p = { .fd = gdb_kvm_event_fd(target), .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

START_TEST(kvm_registers_and_memory)
{
	struct gdb_regs r, back;
	uint8_t buf[8];
	char desc[128];

	ck_assert_msg(have_kvm, "/dev/kvm is not usable here: this test needs KVM");
	ck_assert_uint_eq(gdb_kvm_ops.ncpus(target), 2);
	ck_assert_int_eq(gdb_kvm_ops.get_regs(target, 0, &r), 0);
	ck_assert_uint_eq(r.rip, vm.boot.entry);	/* the PVH entry state */
	ck_assert_uint_eq(r.seg[0], 0x10);
	ck_assert_uint_eq(r.cr0 & 1, 1);
	ck_assert_uint_eq(r.fctrl, 0x37f);
	ck_assert_uint_eq(r.ftag, 0xffff);
	r.gpr[0] = 0x1234567890abcdefull;	/* rax */
	r.gpr[15] = 42;				/* r15 */
	r.cr2 = 0xdead000;
	ck_assert_int_eq(gdb_kvm_ops.set_regs(target, 0, &r), 0);
	ck_assert_int_eq(gdb_kvm_ops.get_regs(target, 0, &back), 0);
	ck_assert_uint_eq(back.gpr[0], 0x1234567890abcdefull);
	ck_assert_uint_eq(back.gpr[15], 42);
	ck_assert_uint_eq(back.cr2, 0xdead000);
	ck_assert_uint_eq(back.rip, vm.boot.entry);
	ck_assert_int_eq(gdb_kvm_ops.get_regs(target, 2, &r), -ESRCH);
	/* memory through KVM_TRANSLATE and gmem_translate, across a page boundary */
	ck_assert_int_eq(gdb_kvm_ops.write_mem(target, 1, TEST_GPA + 0xffc, "keel-gdb", 8), 0);
	ck_assert_int_eq(gdb_kvm_ops.read_mem(target, 0, TEST_GPA + 0xffc, buf, 8), 8);
	ck_assert_mem_eq(buf, "keel-gdb", 8);
	/* outside RAM (the device hole below 4 GiB): refused; a read that runs into it is cut short */
	ck_assert_int_eq(gdb_kvm_ops.read_mem(target, 0, 0xfee00000, buf, 4), -EFAULT);
	ck_assert_int_eq(gdb_kvm_ops.write_mem(target, 0, 0xfee00000, buf, 4), -EFAULT);
	ck_assert_int_eq(gdb_kvm_ops.read_mem(target, 0, vm.plat.mem.size - 2, buf, 8), 2);
	ck_assert_int_eq(gdb_kvm_ops.write_mem(target, 0, vm.plat.mem.size - 2, buf, 8), -EFAULT);
	ck_assert_int_eq(vcpu_write_virt(vm.vcpus[0], ~0ull - 1, buf, 4), -EFAULT);	/* wraps */
	gdb_kvm_ops.describe(target, 1, desc, sizeof(desc));
	ck_assert_str_eq(desc, "vCPU 1, apic id 1, not started");
	ck_assert_uint_eq(gdb_kvm_ops.hw_slots(target), gdb_kvm_hw_slots(target));
}
END_TEST

START_TEST(kvm_planted_breakpoint)
{
	struct vcpu *v;
	struct gdb_stop ev;

	ck_assert_msg(have_kvm, "/dev/kvm is not usable here: this test needs KVM");
	v = vm.vcpus[1];
	ck_assert(!gdb_kvm_breakpoint(target, v, TEST_GPA));	/* not planted: the guest's */
	ck_assert(!event_pending());
	ck_assert_int_eq(gdb_swbp_add(&bps, TEST_GPA, 0x90), 0);
	ck_assert(gdb_kvm_breakpoint(target, v, TEST_GPA));
	ck_assert_uint_eq(vcpu_paused_for(v), VCPU_PAUSE_DEBUGGER);	/* it parks itself */
	ck_assert(event_pending());
	ck_assert_int_eq(gdb_kvm_ops.stop(target, &ev), 1);
	ck_assert_uint_eq(ev.cpu, 1);
	ck_assert_int_eq(ev.reason, GDB_STOP_SWBREAK);
	ck_assert_uint_eq(ev.addr, TEST_GPA);
	ck_assert(!event_pending());
	ck_assert_int_eq(gdb_kvm_ops.stop(target, &ev), 0);	/* taken once */
}
END_TEST

START_TEST(kvm_debug_exits)
{
	uint8_t run_steps[2] = { GDB_RUN_STEP, GDB_RUN_STAY };
	struct gdb_resume res = { .run = run_steps, .sw_breakpoints = true };
	struct kvm_vcpu_events events;
	struct kvm_run run;
	struct gdb_stop ev;
	struct vcpu *v;

	ck_assert_msg(have_kvm, "/dev/kvm is not usable here: this test needs KVM");
	v = vm.vcpus[0];
	/* a step: KVM_SET_GUEST_DEBUG takes it; the #DB that ends it is a SIGTRAP */
	ck_assert_int_eq(gdb_kvm_ops.resume(target, &res), 0);
	ck_assert_uint_eq(vcpu_paused_for(v), 0);
	memset(&run, 0, sizeof(run));
	run.exit_reason = KVM_EXIT_DEBUG;
	run.debug.arch.exception = VCPU_VECTOR_DB;
	run.debug.arch.dr6 = 0x4000;
	ck_assert_int_eq(vcpu_dispatch_exit(v, &run), VCPU_ACTION_CONTINUE);	/* no struct gdb: ignored */
	ck_assert(!event_pending());
	ck_assert_int_eq(gdb_kvm_debug_exit(target, v, &run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(gdb_kvm_ops.stop(target, &ev), 1);
	ck_assert_int_eq(ev.reason, GDB_STOP_TRAP);
	ck_assert_uint_eq(ev.cpu, 0);
	/* #BP at a planted int3 (VT-x/AMD-V with KVM_GUESTDBG_USE_SW_BP) */
	run_steps[0] = GDB_RUN_CONTINUE;
	ck_assert_int_eq(gdb_kvm_ops.resume(target, &res), 0);
	ck_assert_int_eq(gdb_swbp_add(&bps, TEST_GPA, 0x90), 0);
	run.debug.arch.exception = VCPU_VECTOR_BP;
	run.debug.arch.pc = TEST_GPA;
	ck_assert_int_eq(gdb_kvm_debug_exit(target, v, &run), VCPU_ACTION_CONTINUE);
	ck_assert_int_eq(gdb_kvm_ops.stop(target, &ev), 1);
	ck_assert_int_eq(ev.reason, GDB_STOP_SWBREAK);
	ck_assert_uint_eq(ev.addr, TEST_GPA);
	/*
	 * #BP somewhere else is the guest's: re-injected, nobody stops. (KVM_GET_VCPU_EVENTS never
	 * shows an injected software exception such as #BP, so only the #DB case below can be read back.)
	 */
	ck_assert_int_eq(gdb_kvm_ops.resume(target, &res), 0);
	run.debug.arch.pc = TEST_GPA + 0x10;
	ck_assert_int_eq(gdb_kvm_debug_exit(target, v, &run), VCPU_ACTION_CONTINUE);
	ck_assert(!event_pending());
	ck_assert_uint_eq(vcpu_paused_for(v), 0);
	/* a #DB that is not a step of ours (no longer stepping) is the guest's too */
	ck_assert_int_eq(ioctl(v->fd, KVM_GET_VCPU_EVENTS, &events), 0);
	events.exception.injected = 0;
	ck_assert_int_eq(ioctl(v->fd, KVM_SET_VCPU_EVENTS, &events), 0);
	run.debug.arch.exception = VCPU_VECTOR_DB;
	ck_assert_int_eq(gdb_kvm_debug_exit(target, v, &run), VCPU_ACTION_CONTINUE);
	ck_assert(!event_pending());
	ck_assert_int_eq(ioctl(v->fd, KVM_GET_VCPU_EVENTS, &events), 0);
	ck_assert_uint_eq(events.exception.nr, 1);
	/* detach: debugging off everywhere */
	res.sw_breakpoints = false;
	ck_assert_int_eq(gdb_kvm_ops.resume(target, &res), 0);
}
END_TEST

Suite *gdb_host_suite(void)
{
	Suite *s = suite_create("gdb_host");
	TCase *tc = tcase_create("address");
	TCase *live = tcase_create("kvm");

	tcase_add_test(tc, addr_good);
	tcase_add_test(tc, addr_bad);
	tcase_add_test(tc, cli_options);
	tcase_add_test(tc, listen_errors);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(live, live_setup, live_teardown);
	tcase_set_timeout(live, 60);
	tcase_add_test(live, kvm_registers_and_memory);
	tcase_add_test(live, kvm_planted_breakpoint);
	tcase_add_test(live, kvm_debug_exits);
	suite_add_tcase(s, live);
	return s;
}
