/* Calibrating the TSC and the local APIC timer, and the periodic scheduler tick. */
#include "guest/kernel/time.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/pit.h"
#include "guest/arch/x86/vectors.h"

#define CAL_PIT_TICKS 11932u		/* 10 ms of PIT */
#define CAL_MS 10
#define FALLBACK_TSC_HZ 2000000000ull	/* only when no PIT answers at all (said so in the summary) */

struct time_info time_info;

static uint64_t shortest(const uint64_t *v, unsigned int n)
{
	uint64_t m = v[0];

	for (unsigned int i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}

/* A vCPU descheduled by the host only lengthens a measurement: the shortest of three is the best. */
static void calibrate_tsc(void)
{
	struct time_info *t = &time_info;
	bool ok = true;

	t->method = "PIT channel 2";
	for (unsigned int i = 0; i < 3 && ok; i++)
		ok = pit_ch2_measure(CAL_PIT_TICKS, &t->samples[i]);
	if (!ok) {
		t->method = "PIT channel 0";
		ok = true;
		for (unsigned int i = 0; i < 3 && ok; i++)
			ok = pit_ch0_measure(CAL_PIT_TICKS, &t->samples[i]);
	}
	if (!ok) {
		t->method = "assumed (no PIT)";
		t->tsc_hz = FALLBACK_TSC_HZ;
		return;
	}
	t->tsc_hz = shortest(t->samples, 3) * PIT_HZ / CAL_PIT_TICKS;
}

/* Let the APIC timer count down (masked) for 10 ms of TSC. */
static void calibrate_apic(void)
{
	uint64_t end = rdtsc() + time_info.tsc_hz / (1000 / CAL_MS);
	uint32_t left;

	apic_timer_oneshot(VEC_TIMER, 0xffffffffu);
	apic_timer_stop_lvt_only();
	while (rdtsc() < end)
		cpu_relax();
	left = apic_timer_current();
	apic_timer_stop();
	time_info.apic_hz = (uint64_t)(0xffffffffu - left) * (1000 / CAL_MS);
}

void time_init(void)
{
	time_info.boot_tsc = rdtsc();
	calibrate_tsc();
	calibrate_apic();
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return ticks_to_ns(ticks, time_info.tsc_hz);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	uint64_t hz = time_info.tsc_hz;

	return ns / NS_PER_S * hz + ns % NS_PER_S * hz / NS_PER_S;
}

uint64_t time_now_ns(void)
{
	return tsc_to_ns(rdtsc() - time_info.boot_tsc);
}

uint32_t time_tick_count(void)
{
	uint64_t c = time_info.apic_hz / SCHED_HZ;

	return c ? (c > 0xffffffffu ? 0xffffffffu : (uint32_t)c) : 1;
}

void time_start_tick(void)
{
	apic_timer_periodic(VEC_TIMER, time_tick_count());
}
