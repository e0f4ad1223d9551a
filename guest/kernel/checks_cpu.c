/* Checks of what CPUID tells: the hypervisor leaves, APIC ids, topology. */
#include "guest/kernel/checks.h"

#include <stdint.h>

#include "firmware/machine.h"
#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/percpu.h"
#include "guest/kernel/devtree.h"
#include "guest/kernel/machine.h"
#include "guest/lib/string.h"

/* The 12-byte signature of hypervisor leaf @leaf, NUL-terminated, non-printing bytes as '.'. */
static void signature(uint32_t leaf, char out[13])
{
	struct cpuid_regs r = cpuid(leaf, 0);

	memcpy(out, &r.ebx, 4);
	memcpy(out + 4, &r.ecx, 4);
	memcpy(out + 8, &r.edx, 4);
	out[12] = '\0';
}

static void printable(const char *sig, char out[13])
{
	for (int i = 0; i < 12; i++)
		out[i] = sig[i] >= 0x20 && sig[i] < 0x7f ? sig[i] : '.';
	out[12] = '\0';
}

/* Under keel (root compatible "keel,vm") leaf 0x40000000 must say "KeelKeelKeel"; elsewhere, show it. */
enum check_status check_cpu_hypervisor_leaf(struct check_ctx *ctx)
{
	char sig[13], shown[13];
	bool keel = machine_has_fdt() && devtree_is_keel();

	if (!(cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR))
		return keel ? check_fail(ctx, "CPUID.1:ECX[31] (hypervisor present) is clear")
			    : check_skip(ctx, "no hypervisor bit in CPUID.1:ECX");
	signature(KEEL_CPUID_BASE, sig);
	printable(sig, shown);
	check_note(ctx, "leaf %#x: \"%s\", max leaf %#x", KEEL_CPUID_BASE, shown,
		   cpuid(KEEL_CPUID_BASE, 0).eax);
	if (!keel)
		return CHECK_PASS;
	if (memcmp(sig, KEEL_CPUID_SIGNATURE, 12))
		return check_fail(ctx, "want \"%s\" on keel", KEEL_CPUID_SIGNATURE);
	signature(KEEL_CPUID_KVM_BASE, sig);
	printable(sig, shown);
	check_note(ctx, "leaf %#x: \"%s\"", KEEL_CPUID_KVM_BASE, shown);
	return CHECK_PASS;
}

/* On every online CPU, the x2APIC id of CPUID leaf 0xB (or leaf 1's initial APIC id) is its APIC id. */
enum check_status check_cpu_apic_id(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;

	for (unsigned int i = 0; i < GUEST_MAX_CPUS; i++) {
		const struct cpu *c = &cpus[i];

		if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			continue;
		if (c->cpuid_apic_id != c->apic_id)
			st = check_fail(ctx, "cpu %u: CPUID leaf %#x says %u, local APIC id %u", c->index,
					c->cpuid_leaf, c->cpuid_apic_id, c->apic_id);
	}
	check_note(ctx, "%s mode%s", apic_is_x2apic() ? "x2APIC" : "xAPIC",
		   cpus[0].cpuid_leaf == 0xb ? "" : "; no CPUID leaf 0xB, compared leaf 1 EBX[31:24]");
	return st;
}

/* CPUID.1:EBX[23:16], the logical processor count of the package, covers every CPU. */
enum check_status check_cpu_topology(struct check_ctx *ctx)
{
	uint32_t logical = (cpuid(1, 0).ebx >> 16) & 0xff;

	if (machine.ncpus <= 1)
		return check_skip(ctx, "one cpu");
	if (logical < machine.ncpus)
		return check_fail(ctx, "CPUID.1:EBX[23:16] is %u for %u cpus", logical, machine.ncpus);
	return CHECK_PASS;
}
