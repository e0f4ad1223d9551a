/* Interrupt checks: the calibrated clocks, the LAPIC timer in periodic and TSC-deadline modes, IPIs, odd vectors. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/vectors.h"
#include "guest/kernel/check_util.h"
#include "guest/kernel/sched.h"
#include "guest/kernel/smp.h"
#include "guest/kernel/time.h"

#define MS 1000000ul
#define PERIODIC_TICKS 20
#define PERIODIC_WAIT_MS 5000		/* give up on the tick after this (how slowly it came is only noted) */
#define DEADLINE_DELAY_MS 5
#define DEADLINE_WAIT_MS 1000		/* give up on an interrupt after this (how late it came is only noted) */
#define IPI_WAIT_MS 1000
#define QUIET_MS 5
#define QUIET_TURNS 100

static bool ticked(const void *before)
{
	return __atomic_load_n(&this_cpu()->timer_ticks, __ATOMIC_ACQUIRE) != *(const uint64_t *)before;
}

/* The TSC was measured against the PIT, the APIC timer against the TSC. */
enum check_status check_irq_clock_calibration(struct check_ctx *ctx)
{
	const struct time_info *t = &time_info;

	check_note(ctx, "TSC %lu kHz by %s (10 ms samples: %lu %lu %lu ticks), APIC timer %lu kHz", t->tsc_hz / 1000,
		   t->method, t->samples[0], t->samples[1], t->samples[2], t->apic_hz / 1000);
	if (t->method[0] == 'a')
		return check_fail(ctx, "no PIT answered: the TSC rate is a guess");
	if (t->tsc_hz < 100000000ull || t->tsc_hz > 20000000000ull)
		return check_fail(ctx, "a TSC of %lu Hz is not believable", t->tsc_hz);
	if (t->apic_hz < 1000000ull || t->apic_hz > 10000000000ull)
		return check_fail(ctx, "an APIC timer of %lu Hz is not believable", t->apic_hz);
	return CHECK_PASS;
}

static bool ticks_reached(const void *target)
{
	return __atomic_load_n(&this_cpu()->timer_ticks, __ATOMIC_ACQUIRE) >= *(const uint64_t *)target;
}

/*
 * The scheduler tick (periodic mode, SCHED_HZ). The registers read back as programmed (periodic,
 * unmasked, VEC_TIMER, the calibrated count, the current count below it); PERIODIC_TICKS ticks
 * arrive within PERIODIC_WAIT_MS (a liveness bound: a host that keeps the vCPU off its CPU merges
 * expired periods into one interrupt, so how slowly they came is only noted); and they never come
 * faster than programmed: at most 10 % + 2 more than the TSC time from the start to the last one
 * allows (one may have been pending at the start).
 */
enum check_status check_irq_timer_periodic(struct check_ctx *ctx)
{
	struct cpu *c = this_cpu();
	struct apic_timer_state st;
	uint64_t t0 = rdtsc(), n0 = c->timer_ticks, target = n0 + PERIODIC_TICKS, n, ns, want;

	apic_timer_read(&st);
	if (st.mode != APIC_TIMER_PERIODIC || st.masked || st.vector != VEC_TIMER)
		return check_fail(ctx, "timer LVT reads mode %d, %smasked, vector %u; want periodic, unmasked, %u",
				  (int)st.mode, st.masked ? "" : "not ", st.vector, VEC_TIMER);
	if (st.initial != time_tick_count() || st.current > st.initial)
		return check_fail(ctx, "timer counts read %u initial, %u current; want %u initial, current at most that",
				  st.initial, st.current, time_tick_count());
	if (!sched_wait(ticks_reached, &target, PERIODIC_WAIT_MS * MS))
		return check_fail(ctx, "only %lu of %u ticks within %u ms: the tick stopped", c->timer_ticks - n0,
				  PERIODIC_TICKS, PERIODIC_WAIT_MS);
	n = c->timer_ticks - n0;
	ns = tsc_to_ns(c->last_timer_tsc - t0);
	want = ns * SCHED_HZ / NS_PER_S;
	check_note(ctx, "%lu ticks in %lu ms at %u Hz (%s mode, count %u); at most %lu allowed", n, ns / MS,
		   SCHED_HZ, apic_is_x2apic() ? "x2APIC" : "xAPIC", st.initial, want + want / 10 + 2);
	if (n > want + want / 10 + 2)
		return check_fail(ctx, "the tick came faster than %u Hz", SCHED_HZ);
	return CHECK_PASS;
}

/*
 * TSC-deadline mode: a deadline 5 ms ahead fires, and no earlier than it; a deadline in the past
 * fires; a disarmed one does not. How late the interrupt came is noted, not checked: a host may
 * keep the vCPU off its CPU for a while. The periodic tick is restored.
 */
enum check_status check_irq_timer_tsc_deadline(struct check_ctx *ctx)
{
	struct cpu *c = this_cpu();
	enum check_status st = CHECK_PASS;
	uint64_t before, deadline;

	if (!apic_has_tsc_deadline())
		return check_skip(ctx, "CPUID.1:ECX[24] clear: no TSC-deadline mode");
	/*
	 * Stop the periodic tick and let any of its interrupts still on the way in: wait until none
	 * came for QUIET_MS (counted in loop turns too, so that a vCPU the host kept off the CPU for
	 * the whole time does not count as quiet).
	 */
	apic_timer_stop();
	do {
		before = c->timer_ticks;
		sched_spin_irqs_on(sched_never, NULL, QUIET_MS * MS);
		for (int i = 0; i < QUIET_TURNS; i++)
			__asm__ volatile("sti; nop; cli" : : : "memory");
	} while (c->timer_ticks != before);
	apic_timer_tsc_deadline(VEC_TIMER);
	deadline = rdtsc() + ns_to_tsc(DEADLINE_DELAY_MS * MS);
	apic_tsc_deadline_arm(deadline);
	if (!sched_spin_irqs_on(ticked, &before, (DEADLINE_DELAY_MS + DEADLINE_WAIT_MS) * MS))
		st = check_fail(ctx, "no interrupt within %u ms of the deadline", DEADLINE_WAIT_MS);
	else if (c->last_timer_tsc < deadline)
		st = check_fail(ctx, "the interrupt came %lu us early", tsc_to_ns(deadline - c->last_timer_tsc) / 1000);
	else
		check_note(ctx, "fired %lu us after a %u ms deadline", tsc_to_ns(c->last_timer_tsc - deadline) / 1000,
			   DEADLINE_DELAY_MS);
	before = c->timer_ticks;
	apic_tsc_deadline_arm(rdtsc() - 1);
	if (!sched_spin_irqs_on(ticked, &before, DEADLINE_WAIT_MS * MS))
		st = check_fail(ctx, "a deadline in the past did not fire");
	before = c->timer_ticks;
	apic_tsc_deadline_arm(rdtsc() + ns_to_tsc(DEADLINE_DELAY_MS * MS));
	apic_tsc_deadline_arm(0);
	if (sched_spin_irqs_on(ticked, &before, 4 * DEADLINE_DELAY_MS * MS))
		st = check_fail(ctx, "a disarmed deadline fired");
	time_start_tick();
	return st;
}

struct pong_wait {
	uint64_t before;
};

static bool ponged(const void *arg)
{
	return __atomic_load_n(&cpus[0].ipi_pongs, __ATOMIC_ACQUIRE) != ((const struct pong_wait *)arg)->before;
}

/* The BSP sends a fixed IPI to every CPU (itself too); each answers with one; round trips timed. */
enum check_status check_irq_ipi(struct check_ctx *ctx)
{
	uint64_t worst = 0;

	for (unsigned int k = 0; k < smp_online_count(); k++) {
		struct cpu *c = &cpus[smp_online_cpu(k)];
		struct pong_wait w = { cpus[0].ipi_pongs };
		uint64_t pings = c->ipi_pings, t0 = rdtsc(), us;

		apic_send_ipi(c->apic_id, VEC_IPI_PING);
		if (!sched_spin_irqs_on(ponged, &w, IPI_WAIT_MS * MS))
			return check_fail(ctx, "cpu %u did not answer within %u ms", c->index, IPI_WAIT_MS);
		us = tsc_to_ns(rdtsc() - t0) / 1000;
		if (us > worst)
			worst = us;
		if (__atomic_load_n(&c->ipi_pings, __ATOMIC_ACQUIRE) != pings + 1)
			return check_fail(ctx, "cpu %u counted %lu pings", c->index, c->ipi_pings - pings);
	}
	check_note(ctx, "%u cpus answered; slowest round trip %lu us", smp_online_count(), worst);
	return CHECK_PASS;
}

static bool counter_moved(const void *arg)
{
	const uint64_t *const *p = arg;

	return __atomic_load_n(p[0], __ATOMIC_ACQUIRE) != *p[1];
}

/* Send @vector to this CPU and wait for @counter to move; the ISR must be empty afterwards. */
static enum check_status self_vector(struct check_ctx *ctx, uint8_t vector, uint64_t *counter)
{
	uint64_t before = *counter, ticks = this_cpu()->timer_ticks;
	const uint64_t *arg[2] = { counter, &before };

	apic_self_ipi(vector);
	if (!sched_spin_irqs_on(counter_moved, arg, 100 * MS))
		return check_fail(ctx, "vector %#x was not handled", vector);
	if (!apic_isr_empty())
		return check_fail(ctx, "an in-service bit is left set");
	if (!sched_spin_irqs_on(ticked, &ticks, 100 * MS))
		return check_fail(ctx, "the timer stopped after it");
	return CHECK_PASS;
}

/*
 * The SVR vector 0xff has a handler that sends EOI only for an interrupt the ISR shows in service
 * (a real spurious interrupt sets no ISR bit and must not be acknowledged). A self-IPI on 0xff is
 * the only way to reach it on purpose: it is acknowledged, and interrupts keep coming afterwards.
 */
enum check_status check_irq_spurious_vector(struct check_ctx *ctx)
{
	return self_vector(ctx, VEC_SPURIOUS, &this_cpu()->spurious);
}

/* An interrupt on a vector nobody owns is counted and acknowledged, and nothing breaks. */
enum check_status check_irq_stray_vector(struct check_ctx *ctx)
{
	return self_vector(ctx, VEC_STRAY_TEST, &this_cpu()->stray);
}
