/* Local APIC access in either mode, and the INIT / start-up IPIs used to wake the APs. */
#include "guest/arch/x86/apic.h"

#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/mmu.h"
#include "guest/arch/x86/msr.h"

/* Register offsets in the xAPIC page; the x2APIC MSR is MSR_X2APIC_BASE + (offset >> 4). */
#define APIC_ID 0x020
#define APIC_SVR 0x0f0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310

#define SVR_ENABLE 0x100
#define SVR_SPURIOUS_VECTOR 0xff
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_LEVEL_ASSERT 0x4000
#define ICR_BUSY 0x1000			/* xAPIC delivery status: send pending */
#define ICR_BUSY_POLLS 100000

static bool cpu_has_x2apic(void)
{
	return cpuid(1, 0).ecx & CPUID1_ECX_X2APIC;
}

bool apic_is_x2apic(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_EXTD;
}

static volatile uint32_t *xapic_reg(uint32_t off)
{
	return (volatile uint32_t *)phys_to_virt((rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR_MASK) + off);
}

static uint32_t apic_read(uint32_t off)
{
	if (apic_is_x2apic())
		return (uint32_t)rdmsr(MSR_X2APIC_BASE + (off >> 4));
	return *xapic_reg(off);
}

static void apic_write(uint32_t off, uint32_t v)
{
	if (apic_is_x2apic())
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
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	apic_write(APIC_SVR, SVR_ENABLE | SVR_SPURIOUS_VECTOR);
}

uint32_t apic_id(void)
{
	uint32_t id = apic_read(APIC_ID);

	return apic_is_x2apic() ? id : id >> 24;
}

static void apic_send_ipi(uint32_t dest, uint32_t cmd)
{
	if (apic_is_x2apic()) {
		wrmsr(MSR_X2APIC_BASE + (APIC_ICR_LO >> 4), ((uint64_t)dest << 32) | cmd);
		return;
	}
	apic_write(APIC_ICR_HI, dest << 24);
	apic_write(APIC_ICR_LO, cmd);
	for (int i = 0; i < ICR_BUSY_POLLS && (apic_read(APIC_ICR_LO) & ICR_BUSY); i++)
		cpu_relax();
}

void apic_send_init(uint32_t dest)
{
	apic_send_ipi(dest, ICR_INIT | ICR_LEVEL_ASSERT);
}

void apic_send_startup(uint32_t dest, uint8_t vector)
{
	apic_send_ipi(dest, ICR_STARTUP | ICR_LEVEL_ASSERT | vector);
}
