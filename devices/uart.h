/* A 16550A UART: registers, interrupts, transmit to an fd and a host-side receive buffer. */
#ifndef KEEL_DEVICES_UART_H
#define KEEL_DEVICES_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/describe.h"

struct uart;
struct vcpu;

/*
 * The model, where it simplifies the chip:
 * - Transmission is instantaneous: a THR write goes straight to the output fd (or, in loopback
 *   mode, to the receive buffer), so LSR.THRE and LSR.TEMT always read 1. Writing THR clears a
 *   pending THR-empty interrupt and the transmitter, empty again at once, raises it anew; the
 *   guest sees a fresh edge after it read IIR.
 * - Enabling IER.THRI while the THR is empty raises the THR-empty interrupt, as on the chip.
 * - The receive buffer (UART_RX_SIZE bytes) stands for both the line and the RX FIFO. Data
 *   available raises "received data" (IIR 0x4) at once: no trigger levels, no character timeout.
 *   FCR's "clear RX FIFO" does not drop queued host input (piped input must survive the guest
 *   driver's probe). Host input is never lost: uart_receive() takes only what fits.
 * - Loopback (MCR bit 4): THR bytes go to the receive buffer (OE when it is full) and
 *   MSR's CTS/DSR/RI/DCD follow MCR's RTS/DTR/OUT1/OUT2, with their delta bits. Otherwise
 *   the modem lines read CTS|DSR|DCD (a connected line). The receiver hears only the
 *   transmitter then: uart_receive() takes no host input until loopback ends (bytes queued
 *   before stay), and leaving loopback runs the room hook so the host sends again.
 * - OUT2 does not gate the interrupt line (as in most VMMs), so drivers that leave it clear
 *   still get interrupts.
 */

#define UART_NREGS 8u			/* the UART decodes 8 consecutive ports */
#define UART_RX_SIZE 4096u		/* bytes the host may queue for the guest */
#define UART_RX_RESUME (UART_RX_SIZE / 2) /* free bytes that end a "full" episode */

/* Register offsets from the base port. */
#define UART_RBR 0u	/* read: receive buffer (DLAB 0) */
#define UART_THR 0u	/* write: transmit holding (DLAB 0) */
#define UART_DLL 0u	/* divisor latch low (DLAB 1) */
#define UART_IER 1u	/* interrupt enable (DLAB 0) */
#define UART_DLM 1u	/* divisor latch high (DLAB 1) */
#define UART_IIR 2u	/* read: interrupt identification */
#define UART_FCR 2u	/* write: FIFO control */
#define UART_LCR 3u	/* line control */
#define UART_MCR 4u	/* modem control */
#define UART_LSR 5u	/* line status */
#define UART_MSR 6u	/* modem status */
#define UART_SCR 7u	/* scratch */

#define UART_IER_RDI 0x01u	/* received data available */
#define UART_IER_THRI 0x02u	/* transmit holding register empty */
#define UART_IER_RLSI 0x04u	/* receiver line status */
#define UART_IER_MSI 0x08u	/* modem status */

#define UART_IIR_NO_INT 0x01u
#define UART_IIR_MSI 0x00u
#define UART_IIR_THRI 0x02u
#define UART_IIR_RDI 0x04u
#define UART_IIR_RLSI 0x06u
#define UART_IIR_FIFO 0xc0u	/* both set while the FIFOs are enabled */

#define UART_FCR_ENABLE 0x01u
#define UART_FCR_CLEAR_RX 0x02u
#define UART_FCR_CLEAR_TX 0x04u

#define UART_LCR_DLAB 0x80u

#define UART_MCR_DTR 0x01u
#define UART_MCR_RTS 0x02u
#define UART_MCR_OUT1 0x04u
#define UART_MCR_OUT2 0x08u
#define UART_MCR_LOOP 0x10u

#define UART_LSR_DR 0x01u	/* data ready */
#define UART_LSR_OE 0x02u	/* overrun error */
#define UART_LSR_THRE 0x20u	/* transmit holding register empty */
#define UART_LSR_TEMT 0x40u	/* transmitter empty */

#define UART_MSR_DCTS 0x01u
#define UART_MSR_DDSR 0x02u
#define UART_MSR_TERI 0x04u
#define UART_MSR_DDCD 0x08u
#define UART_MSR_DELTA 0x0fu
#define UART_MSR_CTS 0x10u
#define UART_MSR_DSR 0x20u
#define UART_MSR_RI 0x40u
#define UART_MSR_DCD 0x80u

/*
 * uart_irq_fn - drive interrupt line @irq to @level (0 or 1). Called with the UART's lock held,
 * only when the level changes; it must not call back into the UART. Returns 0 or -errno.
 */
typedef int (*uart_irq_fn)(void *ctx, unsigned int irq, int level);

/*
 * uart_room_fn - the receive buffer, after being full, has at least UART_RX_RESUME free bytes
 * again (the guest read it), or the guest left loopback with room in it. Called on the thread that freed the room (a vCPU),
 * with the UART's lock held: it must be quick and must not call back into the UART.
 */
typedef void (*uart_room_fn)(void *ctx);

/*
 * The UART's state as plain data: registers, interrupt conditions, the receive buffer. What
 * uart_save reads out and uart_restore sets back. Not in it: the output fd and the two hooks (the
 * restoring UART's own) and whether writing output failed. There is no transmit FIFO to save:
 * transmission is instantaneous.
 */
struct uart_state {
	uint8_t ier;			/* low 4 bits */
	uint8_t lcr;
	uint8_t mcr;			/* low 5 bits */
	uint8_t msr_delta;		/* MSR bits 0-3 not yet read */
	uint8_t scr;
	uint8_t dll, dlm;		/* divisor latch */
	uint8_t fcr;			/* FIFO enable, DMA mode, trigger level (the clear bits self-clear) */
	bool overrun;			/* LSR.OE not yet read */
	bool thr_ipending;		/* THR-empty interrupt pending */
	bool rx_full;			/* a "full" episode: the room hook runs when it ends */
	uint8_t irq_level;		/* the interrupt line: what the registers above make it */
	uint16_t rx_count;		/* bytes queued, at most UART_RX_SIZE */
	uint8_t rx[UART_RX_SIZE];	/* oldest first; zero past rx_count */
};

struct uart_params {
	int out_fd;		/* transmitted bytes are written here (stdout); -1 drops them */
	unsigned int irq;	/* the line number handed to irq_fn */
	uart_irq_fn irq_fn;	/* NULL: interrupts go nowhere */
	void *irq_ctx;		/* passed to irq_fn */
};

/*
 * uart_create - a UART in its reset state. @p is copied. @out_fd is not closed by uart_destroy.
 * Returns 0 and stores the UART in *@out, or -ENOMEM / -errno.
 */
int uart_create(const struct uart_params *p, struct uart **out);

/* uart_destroy - free it (NULL is fine); nothing may use it any more: unregister it from the bus first. */
void uart_destroy(struct uart *u);

/*
 * uart_io - the bus handler (register with opaque = the UART, base 0x3f8, length UART_NREGS).
 * Offsets 0-7 are the 16550A registers (DLAB selects DLL/DLM at 0/1). An access of 2, 4 or 8
 * bytes acts on the register at @offset with the low byte of @data; a read returns the register
 * in the low byte and zeros above. Always returns 0.
 */
int uart_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
	    bool is_write);

/*
 * uart_receive - queue up to @len bytes of host input for the guest. Returns how many were
 * accepted (fewer than @len when the buffer fills, none in loopback; never an overrun). Any thread.
 */
size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len);

/* uart_rx_space - bytes uart_receive() would take right now (0 in loopback). Any thread. */
size_t uart_rx_space(struct uart *u);

/*
 * uart_set_room_notify - call @fn(@ctx) whenever the receive buffer recovers from being full
 * (see uart_room_fn). @fn NULL disables it; once this returns, the old hook is no longer running.
 */
void uart_set_room_notify(struct uart *u, uart_room_fn fn, void *ctx);

/* What a UART counted since it was created (Firecracker's "uart" metrics); they only grow. */
struct uart_stats {
	uint64_t read_count;		/* bytes the guest read from RBR */
	uint64_t write_count;		/* bytes the guest wrote to THR */
	uint64_t missed_read_count;	/* RBR reads with nothing received */
	uint64_t missed_write_count;	/* bytes lost: looped back into a full buffer, or output dropped */
	uint64_t error_count;		/* writing the output failed */
};

/* uart_stats - @u's counters now (any thread). */
void uart_stats(struct uart *u, struct uart_stats *out);

/* uart_save - read @u's state into @s (under its lock). Returns 0. */
int uart_save(struct uart *u, struct uart_state *s);

/*
 * uart_restore - set @u back to @s (under its lock). @s is untrusted: only the register bits the
 * guest can set, at most UART_RX_SIZE bytes queued, a "full" episode only with less than
 * UART_RX_RESUME bytes free (and always when the buffer is full), and the interrupt level the
 * registers imply. The line is then driven to that level through irq_fn if @u's differs, and a
 * "full" episode the restore ends is reported through the room hook, as a guest read would.
 * 0, or -EINVAL with @u unchanged.
 */
int uart_restore(struct uart *u, const struct uart_state *s);

/*
 * uart_describe - add a 16550A at ports [@port, @port + UART_NREGS) raising interrupt @irq to
 * @out (the firmware's console when @console). Returns 0 or -ENOSPC.
 */
int uart_describe(unsigned int port, unsigned int irq, bool console, struct dev_descs *out);

#endif
