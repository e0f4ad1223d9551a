/* 16550 UART: register map, initialisation, polled transmit/receive, receive interrupt and loopback. */
#include "guest/drivers/uart16550.h"

#include "guest/arch/x86/io.h"

/* Register offsets from the base port. */
#define UART_RBR 0			/* receive buffer (read) */
#define UART_THR 0			/* transmit holding (write) */
#define UART_DLL 0			/* divisor low (DLAB=1) */
#define UART_IER 1			/* interrupt enable */
#define UART_DLM 1			/* divisor high (DLAB=1) */
#define UART_IIR 2			/* interrupt identification (read) */
#define UART_LCR 3			/* line control */
#define UART_MCR 4			/* modem control */
#define UART_LSR 5			/* line status */
#define UART_SCR 7			/* scratch */

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define IIR_FIFO_ENABLED 0xc0		/* both bits set: a working 16550A FIFO */
#define TX_FIFO_SIZE 16
#define MCR_DTR_RTS 0x03
#define MCR_OUT2 0x08			/* gates the interrupt line on PC boards */
#define MCR_LOOP 0x10
#define IER_RX 0x01
#define LSR_DR 0x01			/* data ready */
#define LSR_THRE 0x20			/* transmit holding register empty */

#define UART_DIVISOR_115200 1		/* 1.8432 MHz / (16 * 115200) */
#define THRE_SPINS 100000		/* give up waiting for THRE after this many polls */

static uint16_t uart_port;
static unsigned int tx_burst;		/* bytes that fit after THRE: 16 with a FIFO, else 1 */
static unsigned int tx_room;		/* bytes that can still go without polling LSR */
static uint8_t mcr = MCR_DTR_RTS;

void uart_init(uint16_t port)
{
	uart_port = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, UART_DIVISOR_115200 & 0xff);
	outb(port + UART_DLM, UART_DIVISOR_115200 >> 8);
	outb(port + UART_LCR, LCR_8N1);
	/*
	 * FCR is left alone: turning the FIFOs on or off empties them, and input may already be waiting
	 * (a test pipes "hello\nquit\n" in before the guest runs). Use the FIFO if firmware enabled it.
	 */
	outb(port + UART_MCR, mcr);
	tx_burst = (inb(port + UART_IIR) & IIR_FIFO_ENABLED) == IIR_FIFO_ENABLED ? TX_FIFO_SIZE : 1;
	tx_room = 0;
}

/*
 * THRE set means the whole transmit FIFO is empty, so one LSR read pays for up to 16 bytes: each
 * port access is a VM exit. The wait is bounded: a UART that never drains loses output, no more.
 */
void uart_putc(char c)
{
	if (!tx_room) {
		for (unsigned int i = 0; i < THRE_SPINS && !(inb(uart_port + UART_LSR) & LSR_THRE); i++)
			;
		tx_room = tx_burst;
	}
	tx_room--;
	outb(uart_port + UART_THR, (uint8_t)c);
}

bool uart_getc(char *c)
{
	if (!(inb(uart_port + UART_LSR) & LSR_DR))
		return false;
	*c = (char)inb(uart_port + UART_RBR);
	return true;
}

bool uart_rx_ready(void)
{
	return inb(uart_port + UART_LSR) & LSR_DR;
}

void uart_rx_irq_enable(bool on)
{
	outb(uart_port + UART_IER, on ? IER_RX : 0);
}

void uart_rx_interrupt(bool on)
{
	mcr = on ? (uint8_t)(mcr | MCR_OUT2) : (uint8_t)(mcr & ~MCR_OUT2);
	outb(uart_port + UART_MCR, mcr);
	uart_rx_irq_enable(on);
}

void uart_loopback(bool on)
{
	mcr = on ? (uint8_t)(mcr | MCR_LOOP) : (uint8_t)(mcr & ~MCR_LOOP);
	outb(uart_port + UART_MCR, mcr);
	/*
	 * QEMU stops taking host input while in loopback and only asks for more when RBR is read
	 * outside it. With nothing pending, such a read returns nothing and costs nothing here.
	 */
	if (!on && !(inb(uart_port + UART_LSR) & LSR_DR))
		(void)inb(uart_port + UART_RBR);
}

bool uart_scratch_roundtrip(void)
{
	static const uint8_t patterns[] = { 0x5a, 0xa5 };

	for (unsigned int i = 0; i < sizeof(patterns); i++) {
		outb(uart_port + UART_SCR, patterns[i]);
		if (inb(uart_port + UART_SCR) != patterns[i])
			return false;
	}
	return true;
}
