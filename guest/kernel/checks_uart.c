/* UART checks: the scratch register, the receive interrupt through the I/O APIC (loopback), typed input. */
#include "guest/kernel/checks.h"

#include "guest/arch/x86/ioapic.h"
#include "guest/arch/x86/percpu.h"
#include "guest/arch/x86/vectors.h"
#include "guest/drivers/uart16550.h"
#include "guest/kernel/bootinfo.h"
#include "guest/kernel/cmdline.h"
#include "guest/kernel/console.h"
#include "guest/kernel/console_in.h"
#include "guest/kernel/sched.h"
#include "guest/lib/string.h"

#define MS 1000000ul
#define BYTE_WAIT_MS 1000		/* a liveness bound: the host may keep the vCPU away meanwhile */
#define SETTLE_MS 20
#define INPUT_WAIT_MS 5000
#define INPUT_MAX 128
#define RTE_MASKED (1ull << 16)

static const char marker[] = "\x01keel-loopback\x02";

enum check_status check_uart_scratch(struct check_ctx *ctx)
{
	if (!uart_scratch_roundtrip())
		return check_fail(ctx, "the scratch register did not return 0x5a and 0xa5");
	return CHECK_PASS;
}

static bool byte_arrived(const void *before)
{
	return console_rx_bytes() != *(const uint64_t *)before;
}

/*
 * In loopback mode (MCR bit 4) the UART receives what it sends: each byte raises its receive
 * interrupt, ISA IRQ 4, which the I/O APIC must deliver to the BSP as VEC_UART, whose handler
 * moves it into the console ring. One byte at a time, each waited for (a UART without FIFO holds
 * one). Needs no outside input; other input that arrives meanwhile stays in the ring, in order.
 */
enum check_status check_uart_irq_loopback(struct check_ctx *ctx)
{
	uint64_t rte = ioapic_entry(ISA_IRQ_UART), irqs = console_irq_count();
	size_t from;
	bool back;

	if ((rte & 0xff) != VEC_UART || (rte & RTE_MASKED) || (rte >> 56) != cpus[0].apic_id)
		return check_fail(ctx, "I/O APIC pin %u: entry %#lx, want vector %#x to APIC id %u", ISA_IRQ_UART, rte,
				  VEC_UART, cpus[0].apic_id);
	console_lock();			/* nothing else may print while output loops back */
	/*
	 * Host input waiting in a FIFO-less UART would be overwritten by the first byte sent. Loopback
	 * first (QEMU stops feeding host input then), then let a byte already on its way arrive and be
	 * taken by the interrupt, and only then send.
	 */
	uart_loopback(true);
	sched_spin_irqs_on(sched_never, NULL, SETTLE_MS * MS);
	/*
	 * Host input may wait in the UART (keel queues up to 4 KiB); the looped bytes would come behind
	 * it and it may not be dropped: with no room for it all, and for the marker, in the ring, skip.
	 */
	if (!console_drain() || console_room() < sizeof(marker) - 1) {
		uart_loopback(false);
		console_unlock();
		return check_skip(ctx, "host input fills the console ring (%zu bytes held): no room to loop bytes back",
				  console_pending());
	}
	irqs = console_irq_count();
	from = console_pending();	/* input typed before stays as it is */
	back = true;
	for (size_t i = 0; i < sizeof(marker) - 1 && back; i++) {
		uint64_t before = console_rx_bytes();

		uart_putc(marker[i]);
		back = sched_spin_irqs_on(byte_arrived, &before, BYTE_WAIT_MS * MS);
	}
	uart_loopback(false);
	back = back && console_take(marker, sizeof(marker) - 1, from);
	console_unlock();
	check_note(ctx, "%lu receive interrupt(s), %zu bytes looped back", console_irq_count() - irqs,
		   sizeof(marker) - 1);
	if (!back)
		return check_fail(ctx, "the bytes did not come back by interrupt within %u ms each", BYTE_WAIT_MS);
	if (console_irq_count() == irqs)
		return check_fail(ctx, "they came back without an interrupt");
	return CHECK_PASS;
}

/*
 * With uart-input=WORD on the command line, the host types a line: it must arrive through the
 * receive interrupt (no polling here) within 5 s and read WORD. Without uart-input= nothing is
 * expected: SKIP.
 */
enum check_status check_uart_irq_input(struct check_ctx *ctx)
{
	char want[INPUT_MAX], got[INPUT_MAX];
	bool line;

	if (!cmdline_get(boot_info.cmdline, "uart-input", want, sizeof(want)))
		return check_skip(ctx, "no uart-input= on the command line: no typed input expected");
	line = console_read_line(got, sizeof(got), INPUT_WAIT_MS * MS, false);
	check_note(ctx, "uart-irq: got \"%s\"%s (%lu receive interrupts so far, the ring full %lu time(s))", got,
		   line ? "" : " before the time ran out", console_irq_count(), console_rx_throttles());
	if (!line)
		return check_fail(ctx, "no whole line by interrupt within %u ms", INPUT_WAIT_MS);
	if (strcmp(got, want))
		return check_fail(ctx, "want \"%s\"", want);
	return CHECK_PASS;
}
