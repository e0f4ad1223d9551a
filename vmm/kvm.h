/* Opening /dev/kvm and checking that the host's KVM can run a keel VM. */
#ifndef KEEL_VMM_KVM_H
#define KEEL_VMM_KVM_H

struct vm;

/*
 * kvm_open - open @path (normally /dev/kvm), check the API version and the capabilities keel
 * needs, and fill vm->plat.kvm_fd, vm->vcpu_env.mmap_size and vm->max_vcpus. Prints one line naming the
 * problem and returns KEEL_EXIT_HOST on failure, 0 on success.
 */
int kvm_open(struct vm *vm, const char *path);

/* kvm_fail - log "@what failed: strerror(errno)" and return KEEL_EXIT_HOST. */
int kvm_fail(const char *what);

#endif
