/* The 16550 UART: polled output for the console, input polled or by interrupt. */
#ifndef KEEL_GUEST_DRIVERS_UART16550_H
#define KEEL_GUEST_DRIVERS_UART16550_H

#include <stdbool.h>
#include <stdint.h>

/* Program the UART at I/O port @port: 115200 baud 8N1, interrupts off, FIFO mode untouched. */
void uart_init(uint16_t port);

/* Send one byte, waiting for the transmitter holding register to empty. */
void uart_putc(char c);

/* Take one received byte if there is one. */
bool uart_getc(char *c);

/* True when a received byte is waiting (LSR data ready). */
bool uart_rx_ready(void);

/* Set or clear IER's receive interrupt alone (MCR untouched): how a full reader pauses the line. */
void uart_rx_irq_enable(bool on);

/* Raise the receive interrupt (IER bit 0, with MCR OUT2) when data is pending, or stop it. */
void uart_rx_interrupt(bool on);

/* Loopback mode (MCR bit 4): what is sent comes back as received data instead of leaving. */
void uart_loopback(bool on);

/* Write and read back two patterns through the scratch register; true when both came back. */
bool uart_scratch_roundtrip(void);

#endif
