/* AP start-up: the trampoline copy, INIT-SIPI-SIPI per CPU with bounded waits, and the AP's C entry. */
#include "guest/kernel/smp.h"

#include "firmware/machine.h"
#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/mmu.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/console.h"
#include "guest/kernel/machine.h"
#include "guest/lib/string.h"

/*
 * Time limits in TSC ticks, so about 1 to 4 times these at 1 to 4 GHz. An AP needs well under
 * 10 ms even where ring-0 code is emulated; a missing one costs the full limit once.
 */
#define AP_ONLINE_TIMEOUT_TSC 4000000000ull
#define AP_SIPI_RETRY_TSC 2000000ull	/* before the second SIPI, if the AP has not taken its slot */

#define TRAMPOLINE_PAGE 0x1000ull	/* the trampoline is smaller; claim the page */
#define SIPI_VECTOR ((uint8_t)(KEEL_AP_TRAMPOLINE_GPA >> 12))

extern const char ap_trampoline_start[], ap_trampoline_end[];

/* The struct cpu the next AP takes (head.S swaps it for 0); 0 when none is on offer. */
struct cpu *smp_boot_cpu;

/* Record what this CPU says about itself: its local APIC id, and the x2APIC id CPUID reports. */
static void identify(struct cpu *c)
{
	struct cpuid_regs r = cpuid(0xb, 0);

	c->apic_id = apic_id();
	/* Leaf 0xB is valid when present and its level 0 has a type (ECX[15:8]) and logical processors. */
	if (cpuid(0, 0).eax >= 0xb && (r.ecx & 0xff00) && (r.ebx & 0xffff)) {
		c->cpuid_apic_id = r.edx;
		c->cpuid_leaf = 0xb;
	} else {
		c->cpuid_apic_id = cpuid(1, 0).ebx >> 24;
		c->cpuid_leaf = 1;
	}
}

static void greet(struct cpu *c)
{
	kprintf("guest: cpu %u (apic id %u) online\n", c->index, c->apic_id);
	__atomic_store_n(&c->online, 1u, __ATOMIC_RELEASE);
}

void smp_init_bsp(void)
{
	struct cpu *c = &cpus[0];

	percpu_prepare(0);
	percpu_install(c);
	idt_init();
	idt_load();
	apic_init();
	identify(c);
	c->expected_apic_id = c->apic_id;
}

void ap_main(struct cpu *c)
{
	percpu_install(c);
	idt_load();
	apic_init();
	identify(c);
	greet(c);
	cpu_halt_forever();
}

static bool offer_taken(const void *unused)
{
	(void)unused;
	return __atomic_load_n(&smp_boot_cpu, __ATOMIC_ACQUIRE) == NULL;
}

static bool cpu_online(const void *c)
{
	return __atomic_load_n(&((const struct cpu *)c)->online, __ATOMIC_ACQUIRE) != 0;
}

/* Spin until @done(@arg) or until @ticks TSC ticks have passed; true if it was done. */
static bool wait_until(bool (*done)(const void *), const void *arg, uint64_t ticks)
{
	uint64_t start = rdtsc();

	while (!done(arg)) {
		if (rdtsc() - start > ticks)
			return false;
		cpu_relax();
	}
	return true;
}

bool smp_trampoline_page_free(void)
{
	uint64_t end = KEEL_AP_TRAMPOLINE_GPA + TRAMPOLINE_PAGE;

	return bootinfo_ram_covers(KEEL_AP_TRAMPOLINE_GPA, end) &&
	       !bootinfo_overlaps(KEEL_AP_TRAMPOLINE_GPA, end);
}

static bool trampoline_install(void)
{
	if (!smp_trampoline_page_free()) {
		kprintf("guest: the AP trampoline page %#llx is not free RAM: cannot start other CPUs\n",
			KEEL_AP_TRAMPOLINE_GPA);
		return false;
	}
	memcpy(phys_to_virt(KEEL_AP_TRAMPOLINE_GPA), ap_trampoline_start,
	       (size_t)(ap_trampoline_end - ap_trampoline_start));
	return true;
}

/* Start the CPU with APIC id @id on cpus[@index]; a failure is reported on the console. */
static void start_ap(unsigned int index, uint32_t id)
{
	struct cpu *c = &cpus[index];

	percpu_prepare(index);
	c->expected_apic_id = id;
	__atomic_store_n(&smp_boot_cpu, c, __ATOMIC_RELEASE);
	/* No 10 ms / 200 us delays: a virtual local APIC handles INIT before a following SIPI. */
	apic_send_init(id);
	apic_send_startup(id, SIPI_VECTOR);
	if (!wait_until(offer_taken, NULL, AP_SIPI_RETRY_TSC))
		apic_send_startup(id, SIPI_VECTOR);
	if (wait_until(cpu_online, c, AP_ONLINE_TIMEOUT_TSC))
		return;
	/* Withdraw the offer; if it was already taken, the AP started but never finished. */
	if (__atomic_exchange_n(&smp_boot_cpu, NULL, __ATOMIC_ACQ_REL))
		kprintf("guest: cpu %u (apic id %u) did not start\n", index, id);
	else
		kprintf("guest: cpu %u (apic id %u) started but did not come online\n", index, id);
}

void smp_start_aps(void)
{
	unsigned int next = 1, described = machine.ncpus < GUEST_MAX_CPUS ? machine.ncpus : GUEST_MAX_CPUS;

	greet(&cpus[0]);
	if (machine.ncpus > GUEST_MAX_CPUS)
		kprintf("guest: %u cpus described, only %u supported\n", machine.ncpus, GUEST_MAX_CPUS);
	if (machine.ncpus > 1 && !trampoline_install())
		return;
	for (unsigned int i = 0; i < described && next < GUEST_MAX_CPUS; i++)
		if (machine.apic_ids[i] != cpus[0].apic_id)
			start_ap(next++, machine.apic_ids[i]);
}

unsigned int smp_online_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < GUEST_MAX_CPUS; i++)
		n += __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) != 0;
	return n;
}
