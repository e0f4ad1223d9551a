/* Per-vCPU CPUID: KVM's supported table with keel's APIC ids, topology and hypervisor leaf. */
#ifndef KEEL_VCPU_CPUID_H
#define KEEL_VCPU_CPUID_H

#include <linux/kvm.h>
#include <stdint.h>

/* cpuid_get_supported - KVM_GET_SUPPORTED_CPUID on @kvm_fd into a malloc'd table. 0 or -errno. */
int cpuid_get_supported(int kvm_fd, struct kvm_cpuid2 **out);

/*
 * cpuid_build - a malloc'd copy of @supported adjusted for the vCPU with @apic_id in a VM of
 * @ncpus vCPUs laid out as one socket of @ncpus cores, one thread each: APIC ids in leaves 1,
 * 0xb and 0x8000001e, core counts in leaves 1, 4, 0xb and 0x80000008, keel's signature
 * (KEEL_CPUID_SIGNATURE) at 0x40000000 and KVM's leaves moved to 0x40000100.
 * Pure: no KVM calls, so unit tests feed it made-up tables. Returns 0 or -ENOMEM.
 */
int cpuid_build(const struct kvm_cpuid2 *supported, uint32_t apic_id, unsigned int ncpus,
		struct kvm_cpuid2 **out);

/* cpuid_find - the entry for @function/@index in @c, or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index);

#endif
