/* The console's input ring, filled by the UART receive interrupt on the BSP and read by the main thread. */
#include "guest/kernel/console_in.h"

#include "guest/arch/x86/apic.h"
#include "guest/arch/x86/ioapic.h"
#include "guest/arch/x86/percpu.h"
#include "guest/arch/x86/vectors.h"
#include "guest/drivers/uart16550.h"
#include "guest/kernel/sched.h"

#define RING_SIZE 1024
#define IRQ_DRAIN_MAX 4096		/* bytes one interrupt may move (keel buffers 4 KiB) */

/* Only the BSP touches the ring: its interrupt handler, and the main thread with interrupts off. */
static char ring[RING_SIZE];
static size_t head, count;
static uint64_t irqs, rx_bytes, dropped;
static bool after_cr;

void console_input_init(void)
{
	ioapic_route(ISA_IRQ_UART, VEC_UART, cpus[0].apic_id);
	uart_rx_interrupt(true);
}

static void push(char c)
{
	if (count == RING_SIZE) {
		dropped++;
		return;
	}
	ring[(head + count++) % RING_SIZE] = c;
}

void console_irq(void)
{
	char c;

	irqs++;
	/* Empty the receiver, so that the (edge-triggered) line drops and the next byte raises it again. */
	for (unsigned int i = 0; i < IRQ_DRAIN_MAX && uart_getc(&c); i++) {
		rx_bytes++;
		push(c);
	}
}

bool console_getc(char *c)
{
	if (count) {
		*c = ring[head];
		head = (head + 1) % RING_SIZE;
		count--;
		return true;
	}
	return uart_getc(c);
}

bool console_has_input(void)
{
	return count != 0;
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

uint64_t console_rx_dropped(void)
{
	return dropped;
}

bool console_take(const char *seq, size_t n)
{
	for (size_t start = 0; n && start + n <= count; start++) {
		size_t k = 0;

		while (k < n && ring[(head + start + k) % RING_SIZE] == seq[k])
			k++;
		if (k < n)
			continue;
		/* Close the gap: move the bytes after the match down by n. */
		for (size_t i = start; i + n < count; i++)
			ring[(head + i) % RING_SIZE] = ring[(head + i + n) % RING_SIZE];
		count -= n;
		return true;
	}
	return false;
}

bool console_read_line(char *buf, size_t len, uint64_t timeout_ns)
{
	size_t n = 0;
	uint64_t left = timeout_ns, step = 100000000ull;	/* re-poll the UART every 100 ms */

	for (;;) {
		char c;

		while (console_getc(&c)) {
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
