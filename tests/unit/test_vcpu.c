/* Unit tests of per-vCPU CPUID (made-up tables) and, with /dev/kvm, of kicking, pausing and stopping real vCPU threads. */
#include "tests/unit/suites.h"

#include "firmware/machine.h"
#include "vcpu/cpuid.h"
#include "vcpu/vcpu.h"
#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A made-up "supported" table, shaped like KVM's on an AMD host. */
static struct kvm_cpuid2 *fake_supported(void)
{
	static const struct kvm_cpuid_entry2 e[] = {
		{ .function = 0, .eax = 0xd },
		{ .function = 1, .eax = 0x00a00f11, .ebx = 0x00000800, .ecx = 0x80000000, .edx = 0x178bfbff },
		{ .function = 0xb, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .ebx = 1, .ecx = 0x100 },
		{ .function = 0xb, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 1, .ebx = 1, .ecx = 0x201 },
		{ .function = 0x40000000, .eax = 0x40000001, .ebx = 0x4b4d564b, .ecx = 0x564b4d56, .edx = 0x4d },
		{ .function = 0x40000001, .eax = 0x01007afb },
		{ .function = 0x80000000, .eax = 0x80000021 },
		{ .function = 0x80000001, .ecx = 0x1 },
		{ .function = 0x80000008, .eax = 0x3030, .ecx = 0x7003 },
		{ .function = 0x8000001e, .eax = 7, .ebx = 0x0101, .ecx = 0x0 },
	};
	size_t n = sizeof(e) / sizeof(e[0]);
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(e[0]));

	c->nent = (uint32_t)n;
	memcpy(c->entries, e, sizeof(e));
	return c;
}

START_TEST(cpuid_apic_ids_and_topology)
{
	struct kvm_cpuid2 *sup = fake_supported(), *c;
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(cpuid_build(sup, 5, 6, &c), 0);
	e = cpuid_find(c, 1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 5);			/* initial APIC id */
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 8);		/* logical CPUs, power of two */
	ck_assert_uint_eq(e->ebx & 0xffff, 0x0800);		/* the rest kept */
	ck_assert(e->edx & (1u << 28));
	ck_assert(e->ecx & (1u << 31));
	e = cpuid_find(c, 0xb, 0);
	ck_assert_uint_eq(e->eax, 0);
	ck_assert_uint_eq(e->ebx, 1);
	ck_assert_uint_eq((e->ecx >> 8) & 0xff, 1);		/* SMT level */
	ck_assert_uint_eq(e->edx, 5);
	e = cpuid_find(c, 0xb, 1);
	ck_assert_uint_eq(e->eax, 3);				/* 6 cores need 3 bits */
	ck_assert_uint_eq(e->ebx, 6);
	ck_assert_uint_eq((e->ecx >> 8) & 0xff, 2);		/* core level */
	ck_assert_uint_eq(e->edx, 5);
	e = cpuid_find(c, 0xb, 2);
	ck_assert_uint_eq((e->ecx >> 8) & 0xff, 0);		/* end of levels */
	e = cpuid_find(c, 0x80000008, 0);
	ck_assert_uint_eq(e->ecx & 0xff, 5);
	ck_assert_uint_eq((e->ecx >> 12) & 0xf, 3);
	e = cpuid_find(c, 0x8000001e, 0);
	ck_assert_uint_eq(e->eax, 5);
	ck_assert_uint_eq(e->ebx & 0xff, 5);
	ck_assert(cpuid_find(c, 0x80000001, 0)->ecx & 2);
	free(c);
	/* one vCPU: no HTT, one logical CPU */
	ck_assert_int_eq(cpuid_build(sup, 0, 1, &c), 0);
	e = cpuid_find(c, 1, 0);
	ck_assert_uint_eq(e->ebx >> 24, 0);
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 1);
	ck_assert(!(e->edx & (1u << 28)));
	ck_assert_uint_eq(cpuid_find(c, 0xb, 1)->eax, 0);
	free(c);
	free(sup);
}
END_TEST

START_TEST(cpuid_hypervisor_leaf)
{
	struct kvm_cpuid2 *sup = fake_supported(), *c;
	struct kvm_cpuid_entry2 *e;
	char sig[13] = { 0 };

	ck_assert_int_eq(cpuid_build(sup, 0, 2, &c), 0);
	e = cpuid_find(c, KEEL_CPUID_BASE, 0);
	ck_assert_ptr_nonnull(e);
	memcpy(sig, &e->ebx, 4);
	memcpy(sig + 4, &e->ecx, 4);
	memcpy(sig + 8, &e->edx, 4);
	ck_assert_str_eq(sig, KEEL_CPUID_SIGNATURE);
	ck_assert_uint_eq(e->eax, KEEL_CPUID_BASE + 1);
	/* KVM's leaves moved, their max leaf adjusted, features kept */
	e = cpuid_find(c, KEEL_CPUID_KVM_BASE, 0);
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->ebx, 0x4b4d564b);
	ck_assert_uint_eq(e->eax, KEEL_CPUID_KVM_BASE + 1);
	ck_assert_uint_eq(cpuid_find(c, KEEL_CPUID_KVM_BASE + 1, 0)->eax, 0x01007afb);
	ck_assert_uint_eq(cpuid_find(c, KEEL_CPUID_BASE + 1, 0)->eax, 0x000100);
	/* the input table is untouched */
	ck_assert_uint_eq(cpuid_find(sup, 0x40000000, 0)->ebx, 0x4b4d564b);
	free(c);
	free(sup);
}
END_TEST

/* A real VM (bundled guest told to halt) to exercise kick, pause, resume and stop from another thread. */
START_TEST(pause_resume_stop_real_vcpus)
{
	struct vm_config cfg = { .cmdline = "exit=halt", .mem_size = 64 << 20, .ncpus = 2, .kvm_path = "/dev/kvm" };
	struct vm vm;
	int devnull;

	if (access("/dev/kvm", R_OK | W_OK) != 0) {
		ck_abort_msg("/dev/kvm is not usable here: this test needs KVM");
		return;
	}
	devnull = open("/dev/null", O_WRONLY);
	dup2(devnull, STDOUT_FILENO);	/* the guest's console output is not the point here */
	close(devnull);
	ck_assert_int_eq(vm_create(&vm, &cfg), KEEL_EXIT_OK);
	for (unsigned int i = 0; i < vm.ncpus; i++)
		ck_assert_int_eq(vcpu_start(vm.vcpus[i]), 0);
	for (int round = 0; round < 3; round++) {
		ck_assert_int_eq(vm_pause_all(&vm, VCPU_PAUSE_DEBUGGER), 0);
		for (unsigned int i = 0; i < vm.ncpus; i++)
			ck_assert_int_eq(vm.vcpus[i]->state, VCPU_PAUSED);
		vm_resume_all(&vm, VCPU_PAUSE_DEBUGGER);
		for (unsigned int i = 0; i < vm.ncpus; i++)
			vcpu_wait_state(vm.vcpus[i], VCPU_RUNNING);
		for (unsigned int i = 0; i < vm.ncpus; i++)
			ck_assert_int_eq(vm.vcpus[i]->state, VCPU_RUNNING);
	}
	/* Two holders: the debugger's resume leaves the API's pause in force. */
	ck_assert_int_eq(vm_pause_all(&vm, VCPU_PAUSE_API), 0);
	ck_assert_int_eq(vm_pause_all(&vm, VCPU_PAUSE_DEBUGGER), 0);
	vm_resume_all(&vm, VCPU_PAUSE_DEBUGGER);
	for (unsigned int i = 0; i < vm.ncpus; i++) {
		ck_assert_uint_eq(vcpu_paused_for(vm.vcpus[i]), VCPU_PAUSE_API);
		ck_assert_int_eq(vm.vcpus[i]->state, VCPU_PAUSED);
	}
	vm_resume_all(&vm, VCPU_PAUSE_API);
	for (unsigned int i = 0; i < vm.ncpus; i++) {
		vcpu_wait_state(vm.vcpus[i], VCPU_RUNNING);
		ck_assert_uint_eq(vcpu_paused_for(vm.vcpus[i]), 0);
		ck_assert_int_eq(vm.vcpus[i]->state, VCPU_RUNNING);
	}
	for (unsigned int i = 0; i < vm.ncpus; i++)
		vcpu_stop(vm.vcpus[i]);
	for (unsigned int i = 0; i < vm.ncpus; i++) {
		vcpu_join(vm.vcpus[i]);
		ck_assert_int_eq(vm.vcpus[i]->state, VCPU_STOPPED);
	}
	ck_assert(!vm.plat.stop.requested);	/* nobody ended the VM: the threads left because they were told to */
	vm_destroy(&vm);
}
END_TEST

/* Pause reasons without KVM or a thread: each holder only ever drops its own reason. */
START_TEST(vcpu_pause_reasons)
{
	struct vcpu v;

	memset(&v, 0, sizeof(v));
	v.fd = -1;
	pthread_mutex_init(&v.lock, NULL);
	pthread_cond_init(&v.cond, NULL);
	vcpu_pause(&v, VCPU_PAUSE_API);
	vcpu_pause(&v, VCPU_PAUSE_DEBUGGER);
	vcpu_pause(&v, VCPU_PAUSE_DEBUGGER);	/* twice: still one reason */
	ck_assert_uint_eq(vcpu_paused_for(&v), VCPU_PAUSE_API | VCPU_PAUSE_DEBUGGER);
	vcpu_resume(&v, VCPU_PAUSE_DEBUGGER);
	ck_assert_uint_eq(vcpu_paused_for(&v), VCPU_PAUSE_API);	/* the debugger did not release the API */
	vcpu_resume(&v, VCPU_PAUSE_SNAPSHOT);			/* not held for that: nothing changes */
	ck_assert_uint_eq(vcpu_paused_for(&v), VCPU_PAUSE_API);
	vcpu_park_self(&v, VCPU_PAUSE_SNAPSHOT);
	ck_assert_uint_eq(vcpu_paused_for(&v), VCPU_PAUSE_API | VCPU_PAUSE_SNAPSHOT);
	vcpu_resume(&v, VCPU_PAUSE_API | VCPU_PAUSE_SNAPSHOT);
	ck_assert_uint_eq(vcpu_paused_for(&v), 0);
	vcpu_stop(&v);
	ck_assert(v.stop);
	pthread_cond_destroy(&v.cond);
	pthread_mutex_destroy(&v.lock);
}
END_TEST

Suite *vcpu_suite(void)
{
	Suite *s = suite_create("vcpu");
	TCase *tc = tcase_create("cpuid");
	TCase *live = tcase_create("live");

	tcase_add_test(tc, cpuid_apic_ids_and_topology);
	tcase_add_test(tc, cpuid_hypervisor_leaf);
	tcase_add_test(tc, vcpu_pause_reasons);
	suite_add_tcase(s, tc);
	tcase_set_timeout(live, 60);
	tcase_add_test(live, pause_resume_stop_real_vcpus);
	suite_add_tcase(s, live);
	return s;
}
