/* Builds each vCPU's CPUID table from KVM_GET_SUPPORTED_CPUID: APIC ids, topology, keel's hypervisor leaf. */
#include "vcpu/cpuid.h"

#include "firmware/machine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#define CPUID_EXTRA 12	/* room for the entries keel adds */

int cpuid_get_supported(int kvm_fd, struct kvm_cpuid2 **out)
{
	for (uint32_t nent = 128; nent <= 4096; nent *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + nent * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = nent;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
			*out = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

struct kvm_cpuid_entry2 *cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == index))
			return e;
	}
	return NULL;
}

static struct kvm_cpuid_entry2 *cpuid_append(struct kvm_cpuid2 *c, uint32_t function, uint32_t index,
					     uint32_t flags)
{
	struct kvm_cpuid_entry2 *e = &c->entries[c->nent++];

	memset(e, 0, sizeof(*e));
	e->function = function;
	e->index = index;
	e->flags = flags;
	return e;
}

/* Bits needed to number @n cores (0 for one). */
static uint32_t cpuid_shift(unsigned int n)
{
	uint32_t s = 0;

	while ((1u << s) < n)
		s++;
	return s;
}

/* Leaf 0xb or 0x1f (@fn): SMT level (1 thread per core) then core level (@ncpus cores). */
static void cpuid_topology_leaf(struct kvm_cpuid2 *c, uint32_t fn, uint32_t apic_id, unsigned int ncpus)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t i, w;

	/* Drop KVM's entries for the leaf, then write ours. */
	for (i = 0, w = 0; i < c->nent; i++)
		if (c->entries[i].function != fn)
			c->entries[w++] = c->entries[i];
	c->nent = w;
	e = cpuid_append(c, fn, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	e->eax = 0;
	e->ebx = 1;
	e->ecx = (1u << 8) | 0;
	e->edx = apic_id;
	e = cpuid_append(c, fn, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	e->eax = cpuid_shift(ncpus);
	e->ebx = ncpus;
	e->ecx = (2u << 8) | 1;
	e->edx = apic_id;
	e = cpuid_append(c, fn, 2, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	e->ecx = 2;
	e->edx = apic_id;
}

/* keel's leaf at 0x40000000; KVM's signature and feature leaves move up to 0x40000100. */
static void cpuid_hypervisor_leaves(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e;
	uint32_t kvm_max = 0;

	for (uint32_t i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function >= KEEL_CPUID_BASE && e->function < KEEL_CPUID_BASE + 0x100) {
			if (e->function == KEEL_CPUID_BASE)
				kvm_max = e->eax;
			e->function += KEEL_CPUID_KVM_BASE - KEEL_CPUID_BASE;
		}
	}
	e = cpuid_find(c, KEEL_CPUID_KVM_BASE, 0);
	if (e && kvm_max >= KEEL_CPUID_BASE)
		e->eax = kvm_max + (KEEL_CPUID_KVM_BASE - KEEL_CPUID_BASE);
	e = cpuid_append(c, KEEL_CPUID_BASE, 0, 0);
	e->eax = KEEL_CPUID_BASE + 1;
	memcpy(&e->ebx, KEEL_CPUID_SIGNATURE, 4);
	memcpy(&e->ecx, KEEL_CPUID_SIGNATURE + 4, 4);
	memcpy(&e->edx, KEEL_CPUID_SIGNATURE + 8, 4);
	e = cpuid_append(c, KEEL_CPUID_BASE + 1, 0, 0);
	e->eax = 0x000100;	/* keel 0.1 */
}

int cpuid_build(const struct kvm_cpuid2 *supported, uint32_t apic_id, unsigned int ncpus,
		struct kvm_cpuid2 **out)
{
	size_t n = supported->nent + CPUID_EXTRA;
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));
	struct kvm_cpuid_entry2 *e;
	uint32_t logical = 1u << cpuid_shift(ncpus);

	if (!c)
		return -ENOMEM;
	memcpy(c->entries, supported->entries, supported->nent * sizeof(c->entries[0]));
	c->nent = supported->nent;

	e = cpuid_find(c, 1, 0);
	if (e) {
		e->ebx = (e->ebx & 0x0000ffffu) | (apic_id << 24) | ((logical > 255 ? 255 : logical) << 16);
		if (ncpus > 1)
			e->edx |= 1u << 28;	/* HTT: the package holds more than one logical CPU */
		else
			e->edx &= ~(1u << 28);
		e->ecx |= 1u << 31;		/* hypervisor present */
	}
	for (uint32_t i = 0; i < c->nent; i++) {
		e = &c->entries[i];
		if (e->function == 4 && (e->eax & 0x1f)) {
			uint32_t level = (e->eax >> 5) & 7;
			uint32_t sharing = level >= 3 ? ncpus - 1 : 0;

			e->eax = (e->eax & 0x3fff) | ((sharing & 0xfff) << 14) | (((ncpus - 1) & 0x3f) << 26);
		}
	}
	if (cpuid_find(c, 0xb, 0))
		cpuid_topology_leaf(c, 0xb, apic_id, ncpus);
	if (cpuid_find(c, 0x1f, 0))
		cpuid_topology_leaf(c, 0x1f, apic_id, ncpus);
	e = cpuid_find(c, 0x80000001, 0);
	if (e && ncpus > 1)
		e->ecx |= 1u << 1;	/* CmpLegacy: cores, not threads */
	e = cpuid_find(c, 0x80000008, 0);
	if (e)
		e->ecx = (e->ecx & ~0xf0ffu) | (cpuid_shift(ncpus) << 12) | ((ncpus - 1) & 0xff);
	e = cpuid_find(c, 0x8000001e, 0);
	if (e) {
		e->eax = apic_id;
		e->ebx = (e->ebx & ~0xffffu) | (apic_id & 0xff);	/* core id, one thread per core */
		e->ecx &= ~0xffu;					/* node 0 */
	}
	cpuid_hypervisor_leaves(c);
	*out = c;
	return 0;
}
