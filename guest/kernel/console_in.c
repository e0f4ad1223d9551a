/* The console's input ring, filled by the UART receive interrupt on the BSP and read by the main thread. */
#include "guest/kernel/console_in.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/ioapic.h"
#include "guest/arch/x86/percpu.h"
#include "guest/arch/x86/vectors.h"
#include "guest/drivers/uart16550.h"
#include "guest/kernel/sched.h"

#define RING_SIZE 1024

/*
 * Only the BSP touches the ring: its interrupt handler, and the main thread with interrupts off.
 * The ring never drops a byte: when it is full, the receive interrupt is turned off (throttled) and
 * the bytes wait in the UART, whose host side (keel, QEMU) then stops taking input; taking a byte
 * from the ring turns it back on. With the interrupt off the line is low, so turning it on with
 * data waiting is a fresh edge.
 */
static char ring[RING_SIZE];
static size_t head, count;
static uint64_t irqs, rx_bytes, throttles;
static bool after_cr, throttled;

void console_input_init(void)
{
	ioapic_route(ISA_IRQ_UART, VEC_UART, cpus[0].apic_id);
	uart_rx_interrupt(true);
}

bool console_drain(void)
{
	char c;

	while (count < RING_SIZE) {
		if (!uart_getc(&c))
			return true;
		rx_bytes++;
		ring[(head + count++) % RING_SIZE] = c;
	}
	if (!uart_rx_ready())
		return true;
	/* Full, and more is waiting: leave it in the UART until the reader makes room. */
	if (!throttled) {
		throttles++;
		uart_rx_irq_enable(false);
	}
	throttled = true;
	return false;
}

void console_irq(void)
{
	irqs++;
	/*
	 * Empty the receiver, so that the (edge-triggered) line drops and the next byte raises it
	 * again; or, with the ring full, turn the interrupt off, which drops the line too.
	 */
	console_drain();
}

/* The reader took a byte from the ring: a throttled receiver may interrupt again. */
static void unthrottle(void)
{
	if (!throttled)
		return;
	throttled = false;
	uart_rx_irq_enable(true);
}

static bool ring_getc(char *c);

bool console_getc(char *c)
{
	/* Straight from the UART only when the ring is empty: the ring holds older bytes. */
	return ring_getc(c) || uart_getc(c);
}

static bool has_input(const void *unused)
{
	(void)unused;
	return count != 0;
}

uint64_t console_irq_count(void)
{
	return irqs;
}

uint64_t console_rx_bytes(void)
{
	return rx_bytes;
}

uint64_t console_rx_throttles(void)
{
	return throttles;
}

size_t console_pending(void)
{
	return count;
}

size_t console_room(void)
{
	return RING_SIZE - count;
}

bool console_take(const char *seq, size_t n, size_t from)
{
	size_t k = 0, w = from;

	/* First pass: is the whole sequence there? Second: drop its bytes, close up the others. */
	for (size_t i = from; i < count && k < n; i++)
		k += ring[(head + i) % RING_SIZE] == seq[k];
	if (k < n)
		return false;
	k = 0;
	for (size_t i = from; i < count; i++) {
		char c = ring[(head + i) % RING_SIZE];

		if (k < n && c == seq[k])
			k++;
		else
			ring[(head + w++) % RING_SIZE] = c;
	}
	count = w;
	unthrottle();
	return true;
}

/* A byte from the ring only: what the receive interrupt brought. */
static bool ring_getc(char *c)
{
	if (!count)
		return false;
	*c = ring[head];
	head = (head + 1) % RING_SIZE;
	count--;
	unthrottle();
	return true;
}

bool console_read_line(char *buf, size_t len, uint64_t timeout_ns, bool poll)
{
	size_t n = 0;
	uint64_t left = timeout_ns, step = 100000000ull;	/* re-poll the UART every 100 ms */

	for (;;) {
		char c;

		while (poll ? console_getc(&c) : ring_getc(&c)) {
			if (c == '\n' && after_cr) {
				after_cr = false;
				continue;
			}
			after_cr = c == '\r';
			if (c == '\n' || c == '\r') {
				buf[n < len ? n : len - 1] = '\0';
				return true;
			}
			if (n + 1 < len)
				buf[n++] = c;
		}
		if (!left) {
			buf[n < len ? n : len - 1] = '\0';
			return false;
		}
		sched_wait(has_input, NULL, left < step ? left : step);
		left = left < step ? 0 : left - step;
	}
}
