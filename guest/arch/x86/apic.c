/* Local APIC access in either mode: enable, EOI, ISR, the timer in its three modes, and IPIs. */
#include "guest/arch/x86/apic.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/msr.h"

/* Register offsets in the xAPIC page; the x2APIC MSR is MSR_X2APIC_BASE + (offset >> 4). */
#define APIC_ID 0x020
#define APIC_TPR 0x080
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ISR 0x100			/* eight 32-bit registers, 0x10 apart */
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define X2APIC_SELF_IPI 0x83f

#define SVR_ENABLE 0x100
#define SVR_SPURIOUS_VECTOR 0xff
#define LVT_MASKED (1u << 16)
#define LVT_TIMER_MODE_SHIFT 17
#define LVT_TIMER_PERIODIC (1u << LVT_TIMER_MODE_SHIFT)
#define LVT_TIMER_TSC_DEADLINE (2u << LVT_TIMER_MODE_SHIFT)
#define TIMER_DIV_16 0x3
#define ICR_FIXED 0x000
#define ICR_NMI 0x400
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_LEVEL_ASSERT 0x4000
#define ICR_BUSY 0x1000			/* xAPIC delivery status: send pending */
#define ICR_BUSY_POLLS 100000
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static bool x2apic;			/* same on every CPU: the BSP decides, the APs follow */
static uint64_t xapic_base;		/* physical address of the xAPIC page */

static bool cpu_has_x2apic(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;
}

bool apic_is_x2apic(void)
{
	return x2apic;
}

bool apic_has_tsc_deadline(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE;
}

static volatile uint32_t *xapic_reg(uint32_t off)
{
	return (volatile uint32_t *)phys_to_virt(xapic_base + off);
}

static uint32_t apic_read(uint32_t off)
{
	if (x2apic)
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (off >> 4));
	return *xapic_reg(off);
}

static void apic_write(uint32_t off, uint32_t v)
{
	if (x2apic)
		wrmsr(MSR_X2APIC_BASE + (off >> 4), v);
	else
		*xapic_reg(off) = v;
}

void apic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	/* From disabled, EN must be set before EXTD; from xAPIC mode, setting EXTD is allowed. */
	if (!(base & APIC_BASE_EN))
		wrmsr(MSR_APIC_BASE, base |= APIC_BASE_EN);
	if (cpu_has_x2apic() && !(base & APIC_BASE_EXTD))
		wrmsr(MSR_APIC_BASE, base |= APIC_BASE_EXTD);
	x2apic = base & APIC_BASE_EXTD;
	xapic_base = base & APIC_BASE_ADDR_MASK;
	apic_write(APIC_SVR, SVR_ENABLE | SVR_SPURIOUS_VECTOR);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, LVT_MASKED);
	apic_write(APIC_LVT_LINT1, LVT_MASKED);
	apic_write(APIC_LVT_ERROR, LVT_MASKED);
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return x2apic ? id : id >> 24;
}

void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

bool apic_isr_bit(unsigned int v)
{
	return (apic_read(APIC_ISR + (v / 32) * 0x10) >> (v % 32)) & 1;
}

bool apic_isr_empty(void)
{
	for (unsigned int i = 0; i < 8; i++)
		if (apic_read(APIC_ISR + i * 0x10))
			return false;
	return true;
}

void apic_timer_periodic(uint8_t vector, uint32_t count)
{
	apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, LVT_TIMER_PERIODIC | vector);
	apic_write(APIC_TIMER_INIT, count);
}

void apic_timer_oneshot(uint8_t vector, uint32_t count)
{
	apic_write(APIC_TIMER_DIV, TIMER_DIV_16);
	apic_write(APIC_LVT_TIMER, vector);
	apic_write(APIC_TIMER_INIT, count);
}

void apic_timer_tsc_deadline(uint8_t vector)
{
	apic_write(APIC_TIMER_INIT, 0);
	apic_write(APIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | vector);
	/* The SDM asks for a serializing step between the LVT write and the first deadline. */
	__asm__ volatile("mfence" : : : "memory");
}

void apic_tsc_deadline_arm(uint64_t tsc)
{
	wrmsr(MSR_TSC_DEADLINE, tsc);
}

void apic_timer_stop(void)
{
	apic_write(APIC_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_TIMER_INIT, 0);
	if (apic_has_tsc_deadline())
		wrmsr(MSR_TSC_DEADLINE, 0);
}

void apic_timer_stop_lvt_only(void)
{
	apic_write(APIC_LVT_TIMER, LVT_MASKED | (apic_read(APIC_LVT_TIMER) & 0xff));
}

uint32_t apic_timer_current(void)
{
	return apic_read(APIC_TIMER_CUR);
}

void apic_timer_read(struct apic_timer_state *s)
{
	uint32_t lvt = apic_read(APIC_LVT_TIMER);

	s->mode = (enum apic_timer_mode)((lvt >> LVT_TIMER_MODE_SHIFT) & 3);
	s->masked = lvt & LVT_MASKED;
	s->vector = lvt & 0xff;
	s->initial = apic_read(APIC_TIMER_INIT);
	s->current = apic_read(APIC_TIMER_CUR);
}

static void apic_send(uint32_t dest, uint32_t cmd)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LO >> 4), ((uint64_t)dest << 32) | cmd);
		return;
	}
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, cmd);
	for (int i = 0; i < ICR_BUSY_POLLS && (apic_read(APIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
}

void apic_send_ipi(uint32_t dest, uint8_t vector)
{
	apic_send(dest, ICR_FIXED | ICR_LEVEL_ASSERT | vector);
}

void apic_send_nmi(uint32_t dest)
{
	apic_send(dest, ICR_NMI | ICR_LEVEL_ASSERT);
}

void apic_self_ipi(uint8_t vector)
{
	if (x2apic)
		wrmsr(X2APIC_SELF_IPI, vector);
	else
		apic_send(apic_id(), ICR_FIXED | ICR_LEVEL_ASSERT | vector);
}

void apic_send_init(uint32_t dest)
{
	apic_send(dest, ICR_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_startup(uint32_t dest, uint8_t vector)
{
	apic_send(dest, ICR_STARTUP | ICR_LEVEL_ASSERT | vector);
}
