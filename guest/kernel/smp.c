/* AP start-up: stacks, the trampoline copy, INIT-SIPI-SIPI per CPU with bounded waits, the AP's C entry; quiescing. */
#include "guest/kernel/smp.h"

#include "firmware/machine.h"
#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/cpu_setup.h"
#include "guest/arch/x86/idt.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/trampoline.h"
#include "guest/arch/x86/vectors.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/console.h"
#include "guest/kernel/machine.h"
#include "guest/kernel/sched.h"
#include "guest/lib/string.h"
#include "guest/mm/kmap.h"

_Static_assert(AP_TRAMPOLINE_BASE == KEEL_AP_TRAMPOLINE_GPA, "trampoline.h and firmware/machine.h disagree");

/*
 * Time limits in TSC ticks, so about 1 to 4 times these at 1 to 4 GHz. An AP needs well under
 * 10 ms even where ring-0 code is emulated; a missing one costs the full limit once.
 */
#define AP_ONLINE_TIMEOUT_TSC 4000000000ull
#define AP_SIPI_RETRY_TSC 2000000ull	/* before the second SIPI, if the AP has not taken its slot */
#define QUIESCE_TIMEOUT_TSC 400000000ull

#define TRAMPOLINE_PAGE 0x1000ull	/* the trampoline is smaller; claim the page */
#define SIPI_VECTOR ((uint8_t)(KEEL_AP_TRAMPOLINE_GPA >> 12))
#define BOOT_STACK_PAGES 4

extern const char ap_entry64[];

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

void smp_setup_bsp(uint64_t main_stack_top)
{
	struct cpu *c = &cpus[0];

	c->boot_stack_top = main_stack_top;
	if (!cpu_alloc_stacks(c))
		kprintf("guest: out of memory for the BSP's stacks\n");
	cpu_setup(c);
}

void ap_main(struct cpu *c)
{
	percpu_install(c);
	cpu_setup(c);
	identify(c);
	greet(c);
	sched_run_ap();
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

static bool cpu_quiet(const void *c)
{
	return __atomic_load_n(&((const struct cpu *)c)->quiesce, __ATOMIC_ACQUIRE) == 2;
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

/* Copy the trampoline to its page, tell it the kernel's page tables and entry, identity-map it. */
static bool trampoline_install(void)
{
	char *page = phys_to_virt(KEEL_AP_TRAMPOLINE_GPA);
	size_t cr3_off = (size_t)((const char *)&ap_tramp_cr3 - ap_trampoline_start);
	size_t entry_off = (size_t)((const char *)&ap_tramp_entry - ap_trampoline_start);
	uint64_t entry = (uint64_t)(uintptr_t)ap_entry64;

	if (!smp_trampoline_page_free()) {
		kprintf("guest: the AP trampoline page %#llx is not free RAM: cannot start other CPUs\n",
			KEEL_AP_TRAMPOLINE_GPA);
		return false;
	}
	memcpy(page, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
	memcpy(page + cr3_off, &kernel_pml4_pa, sizeof(kernel_pml4_pa));
	memcpy(page + entry_off, &entry, sizeof(entry));
	kmap_trampoline(true);
	return true;
}

/* Start the CPU with APIC id @id on cpus[@index]; false (reported) when it did not come online. */
static bool start_ap(unsigned int index, uint32_t id)
{
	struct cpu *c = &cpus[index];

	percpu_prepare(index);
	c->expected_apic_id = id;
	c->boot_stack_top = kstack_alloc(BOOT_STACK_PAGES);
	if (!c->boot_stack_top || !cpu_alloc_stacks(c)) {
		kprintf("guest: cpu %u (apic id %u): out of memory for its stacks\n", index, id);
		return false;
	}
	__atomic_store_n(&smp_boot_cpu, c, __ATOMIC_RELEASE);
	/* No 10 ms / 200 us delays: a virtual local APIC handles INIT before a following SIPI. */
	apic_send_init(id);
	apic_send_startup(id, SIPI_VECTOR);
	if (!wait_until(offer_taken, NULL, AP_SIPI_RETRY_TSC))
		apic_send_startup(id, SIPI_VECTOR);
	if (wait_until(cpu_online, c, AP_ONLINE_TIMEOUT_TSC))
		return true;
	/* Withdraw the offer; if it was already taken, the AP started but never finished. */
	if (__atomic_exchange_n(&smp_boot_cpu, NULL, __ATOMIC_ACQ_REL))
		kprintf("guest: cpu %u (apic id %u) did not start\n", index, id);
	else
		kprintf("guest: cpu %u (apic id %u) started but did not come online\n", index, id);
	return false;
}

void smp_start_aps(void)
{
	unsigned int next = 1, described = machine.ncpus < GUEST_MAX_CPUS ? machine.ncpus : GUEST_MAX_CPUS;
	bool all = true;

	greet(&cpus[0]);
	if (machine.ncpus > GUEST_MAX_CPUS)
		kprintf("guest: %u cpus described, only %u supported\n", machine.ncpus, GUEST_MAX_CPUS);
	if (machine.ncpus <= 1 || !trampoline_install())
		return;
	for (unsigned int i = 0; i < described && next < GUEST_MAX_CPUS; i++)
		if (machine.apic_ids[i] != cpus[0].apic_id)
			all &= start_ap(next++, machine.apic_ids[i]);
	/* A late AP would still need the identity map to reach ap_entry64: keep it only then. */
	if (all)
		kmap_trampoline(false);
}

unsigned int smp_online_count(void)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < GUEST_MAX_CPUS; i++)
		n += __atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) != 0;
	return n;
}

unsigned int smp_online_cpu(unsigned int n)
{
	for (unsigned int i = 0; i < GUEST_MAX_CPUS; i++)
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) && n-- == 0)
			return i;
	return 0;
}

void smp_quiesce(void)
{
	for (unsigned int i = 1; i < GUEST_MAX_CPUS; i++) {
		if (!__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			continue;
		__atomic_store_n(&cpus[i].quiesce, 1u, __ATOMIC_RELEASE);
		apic_send_ipi(cpus[i].apic_id, VEC_RESCHED);
	}
	for (unsigned int i = 1; i < GUEST_MAX_CPUS; i++)
		if (__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE))
			wait_until(cpu_quiet, &cpus[i], QUIESCE_TIMEOUT_TSC);
}
