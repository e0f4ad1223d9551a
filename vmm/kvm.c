/* /dev/kvm: open it, check API version and required capabilities, and explain clearly when the host cannot run VMs. */
#include "vmm/kvm.h"

#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int kvm_fail(const char *what)
{
	log_error("%s failed: %s", what, strerror(errno));
	return KEEL_EXIT_HOST;
}

static const struct {
	int cap;
	const char *name;
} kvm_required_caps[] = {
	{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
	{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
	{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
	{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
	{ KVM_CAP_SET_IDENTITY_MAP_ADDR, "KVM_CAP_SET_IDENTITY_MAP_ADDR" },
};

int kvm_open(struct vm *vm, const char *path)
{
	int version, max;

	vm->plat.kvm_fd = open(path, O_RDWR | O_CLOEXEC);
	if (vm->plat.kvm_fd < 0) {
		if (errno == ENOENT)
			log_error("%s does not exist: this host has no KVM (load kvm_intel or kvm_amd, "
				  "or enable nested virtualisation for this VM)", path);
		else if (errno == EACCES || errno == EPERM)
			log_error("%s: permission denied: run as root or join the group that owns it "
				  "(usually 'kvm')", path);
		else
			log_error("%s: cannot open it: %s", path, strerror(errno));
		return KEEL_EXIT_HOST;
	}
	version = ioctl(vm->plat.kvm_fd, KVM_GET_API_VERSION, 0);
	if (version < 0) {
		log_error("%s is not a KVM device (KVM_GET_API_VERSION: %s)", path, strerror(errno));
		return KEEL_EXIT_HOST;
	}
	if (version != KVM_API_VERSION) {
		log_error("%s speaks KVM API version %d; keel needs %d", path, version, KVM_API_VERSION);
		return KEEL_EXIT_HOST;
	}
	for (size_t i = 0; i < sizeof(kvm_required_caps) / sizeof(kvm_required_caps[0]); i++) {
		if (ioctl(vm->plat.kvm_fd, KVM_CHECK_EXTENSION, kvm_required_caps[i].cap) <= 0) {
			log_error("this host's KVM lacks %s, which keel needs", kvm_required_caps[i].name);
			return KEEL_EXIT_HOST;
		}
	}
	vm->vcpu_env.mmap_size = ioctl(vm->plat.kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->vcpu_env.mmap_size <= 0)
		return kvm_fail("KVM_GET_VCPU_MMAP_SIZE");
	max = ioctl(vm->plat.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(vm->plat.kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	vm->max_vcpus = max > 0 ? (unsigned int)max : 1;
	return 0;
}
