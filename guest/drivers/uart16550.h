/* The 16550 UART driven by polling: output for the console, input for exit=echo. */
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

/* Write and read back two patterns through the scratch register; true when both came back. */
bool uart_scratch_roundtrip(void);

#endif
