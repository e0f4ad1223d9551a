/* A bare KVM VM with an in-kernel irqchip for the unit tests that need /dev/kvm. */
#include "tests/unit/kvm_fixture.h"

#include <check.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

int kvm_fixture_vm(int *kvm_fd)
{
	int vm;

	ck_assert_msg(access("/dev/kvm", R_OK | W_OK) == 0, "/dev/kvm is not usable here: this test needs KVM");
	*kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	ck_assert_int_ge(*kvm_fd, 0);
	vm = ioctl(*kvm_fd, KVM_CREATE_VM, 0);
	ck_assert_int_ge(vm, 0);
	ck_assert_int_eq(ioctl(vm, KVM_CREATE_IRQCHIP, 0), 0);
	return vm;
}
