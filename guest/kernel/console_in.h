/* Console input: the UART's receive interrupt (ISA IRQ 4 through the I/O APIC) fills a ring the kernel reads. */
#ifndef KEEL_GUEST_KERNEL_CONSOLE_IN_H
#define KEEL_GUEST_KERNEL_CONSOLE_IN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Route IRQ 4 to the BSP at VEC_UART and turn the UART's receive interrupt on. */
void console_input_init(void);

/* The interrupt handler (BSP): move every received byte into the ring. */
void console_irq(void);

/*
 * Move what the UART holds into the ring now (interrupts off, on the BSP), as much as fits. True when
 * the UART is empty; false when the ring is full and bytes still wait there (the receive interrupt is
 * then off until a reader takes from the ring).
 */
bool console_drain(void);

/* Take one byte: from the ring, else straight from the UART (so polling works with interrupts off). */
bool console_getc(char *c);

/* Receive interrupts taken, bytes they brought, times the ring filled and the interrupt was turned off. */
uint64_t console_irq_count(void);
uint64_t console_rx_bytes(void);
uint64_t console_rx_throttles(void);

/* Bytes in the ring now: a position to give console_take(). */
size_t console_pending(void);

/* Bytes the ring can still take. */
size_t console_room(void);

/*
 * Find the bytes @seq[0..n) among the ring's bytes from position @from on (those that arrived since
 * console_pending() said @from), in that order but not necessarily next to each other (other input
 * may have arrived in between), and take them out, leaving the rest in order.
 */
bool console_take(const char *seq, size_t n, size_t from);

/*
 * Read one line (ended by \n or \r, not stored; \r\n counts once) into @buf (@len bytes, NUL-
 * terminated, longer lines cut), waiting with interrupts on at most @timeout_ns (main thread). Bytes
 * come from the ring the interrupt fills, and with @poll also straight from the UART. False on
 * timeout, with what arrived so far in @buf.
 */
bool console_read_line(char *buf, size_t len, uint64_t timeout_ns, bool poll);

#endif
