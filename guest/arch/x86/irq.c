/* Interrupt dispatch: the timer tick, IPIs, the UART, the keyboard, the spurious vector and vectors nobody owns. */
#include "guest/arch/x86/traps.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/cpu.h"
#include "guest/arch/x86/vectors.h"
#include "guest/drivers/i8042.h"
#include "guest/kernel/console_in.h"
#include "guest/kernel/sched.h"

/* The run is over: this CPU stops for good (asked by smp_quiesce()). */
static __attribute__((noreturn)) void quiesce(struct cpu *c)
{
	apic_timer_stop();
	apic_eoi();
	__atomic_store_n(&c->quiesce, 2u, __ATOMIC_RELEASE);
	cpu_halt_forever();
}

void irq_dispatch(struct trap_frame *f)
{
	struct cpu *c = this_cpu();

	switch (f->vector) {
	case VEC_TIMER:
		c->timer_ticks++;
		c->last_timer_tsc = rdtsc();
		apic_eoi();
		sched_tick(f);
		break;
	case VEC_RESCHED:
		if (__atomic_load_n(&c->quiesce, __ATOMIC_ACQUIRE))
			quiesce(c);
		apic_eoi();
		task_handle_kill_requests(f);
		sched_switch(f);
		break;
	case VEC_IPI_PING:
		c->ipi_pings++;
		apic_eoi();
		apic_send_ipi(cpus[0].apic_id, VEC_IPI_PONG);
		break;
	case VEC_IPI_PONG:
		__atomic_add_fetch(&c->ipi_pongs, 1, __ATOMIC_RELEASE);
		apic_eoi();
		break;
	case VEC_UART:
		console_irq();
		apic_eoi();
		break;
	case VEC_KBD:
		kbd_irq();
		apic_eoi();
		break;
	case VEC_SPURIOUS:
		/* A true spurious interrupt sets no ISR bit and takes no EOI; a sent one does. */
		c->spurious++;
		if (apic_isr_bit(VEC_SPURIOUS))
			apic_eoi();
		break;
	default:
		c->stray++;
		apic_eoi();
		break;
	}
}
