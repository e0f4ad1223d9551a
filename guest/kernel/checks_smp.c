/* Checks that every described CPU came online, with the APIC id it was described with. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/percpu.h"
#include "guest/kernel/machine.h"
#include "guest/kernel/smp.h"

static const char *source_name(void)
{
	return machine.cpu_source == CPUS_FROM_FDT ? "/cpus" : "the MADT";
}

enum check_status check_smp_all_online(struct check_ctx *ctx)
{
	unsigned int online = smp_online_count();

	if (machine.cpu_source == CPUS_ASSUMED)
		return check_skip(ctx, "no device tree or MADT lists the cpus");
	if (online != machine.ncpus)
		return check_fail(ctx, "%u of the %u cpus in %s came online", online, machine.ncpus,
				  source_name());
	return CHECK_PASS;
}

static bool listed(uint32_t id)
{
	for (unsigned int i = 0; i < machine.ncpus && i < GUEST_MAX_CPUS; i++)
		if (machine.apic_ids[i] == id)
			return true;
	return false;
}

static bool online_with(uint32_t id)
{
	for (unsigned int i = 0; i < GUEST_MAX_CPUS; i++)
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) && cpus[i].apic_id == id)
			return true;
	return false;
}

/* The APIC ids of the online CPUs are the listed ones, each CPU having the id it was started by. */
enum check_status check_smp_apic_ids_match(struct check_ctx *ctx)
{
	enum check_status st = CHECK_PASS;

	if (machine.cpu_source == CPUS_ASSUMED)
		return check_skip(ctx, "no device tree or MADT lists the cpus");
	for (unsigned int i = 0; i < GUEST_MAX_CPUS; i++) {
		const struct cpu *c = &cpus[i];

		if (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE))
			continue;
		if (c->apic_id != c->expected_apic_id)
			st = check_fail(ctx, "cpu %u has APIC id %u, was started as %u", i, c->apic_id,
					c->expected_apic_id);
		else if (!listed(c->apic_id))
			st = check_fail(ctx, "cpu %u: APIC id %u is not in %s", i, c->apic_id,
					source_name());
	}
	for (unsigned int i = 0; i < machine.ncpus && i < GUEST_MAX_CPUS; i++)
		if (!online_with(machine.apic_ids[i]))
			st = check_fail(ctx, "no cpu with APIC id %u (listed in %s) is online",
					machine.apic_ids[i], source_name());
	return st;
}
