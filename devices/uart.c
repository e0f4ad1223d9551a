/* The 16550A UART model: register file, interrupt priority, transmit to an fd, host input buffer. */
#include "devices/uart.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/log.h"

#define UART_MSR_LINES_CONNECTED (UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD)
#define UART_FCR_KEPT 0xc9u	/* FIFO enable, DMA mode, trigger level; the clear bits self-clear */

struct uart {
	pthread_mutex_t lock;		/* guards every field below up to out_lock */
	uint8_t ier;			/* low 4 bits */
	uint8_t lcr;
	uint8_t mcr;			/* low 5 bits */
	uint8_t msr_delta;		/* MSR bits 0-3, cleared by reading MSR */
	uint8_t scr;
	uint8_t dll, dlm;		/* divisor latch */
	uint8_t fcr;			/* UART_FCR_KEPT bits of the last FCR write */
	bool overrun;			/* LSR.OE, cleared by reading LSR */
	bool thr_ipending;		/* THR-empty interrupt pending */
	int irq_level;			/* level last driven on the line */
	bool irq_failed;		/* irq_fn failed once (warned) */

	uint8_t rx[UART_RX_SIZE];	/* ring buffer of received bytes */
	size_t rx_head;			/* index of the oldest byte */
	size_t rx_count;		/* bytes queued */
	bool rx_full;			/* became full; cleared when UART_RX_RESUME bytes are free */
	uart_room_fn room_fn;		/* may be NULL */
	void *room_ctx;

	struct uart_params p;		/* fixed after creation */

	pthread_mutex_t out_lock;	/* keeps output bytes in order; guards out_broken */
	bool out_broken;		/* out_fd failed: output is dropped */

	/* struct uart_stats's counters, relaxed atomics */
	_Atomic uint64_t read_count, write_count, missed_read_count, missed_write_count, error_count;
};

#define UART_COUNT(u, field) atomic_fetch_add_explicit(&(u)->field, 1, memory_order_relaxed)

/* Modem status lines (MSR bits 4-7) as the guest sees them. */
static uint8_t uart_modem_lines(const struct uart *u)
{
	uint8_t s = 0;

	if (!(u->mcr & UART_MCR_LOOP))
		return UART_MSR_LINES_CONNECTED;
	if (u->mcr & UART_MCR_DTR)
		s |= UART_MSR_DSR;
	if (u->mcr & UART_MCR_RTS)
		s |= UART_MSR_CTS;
	if (u->mcr & UART_MCR_OUT1)
		s |= UART_MSR_RI;
	if (u->mcr & UART_MCR_OUT2)
		s |= UART_MSR_DCD;
	return s;
}

static uint8_t uart_lsr(const struct uart *u)
{
	uint8_t lsr = UART_LSR_THRE | UART_LSR_TEMT;

	if (u->rx_count)
		lsr |= UART_LSR_DR;
	if (u->overrun)
		lsr |= UART_LSR_OE;
	return lsr;
}

/* IIR: the highest-priority pending, enabled interrupt, from the registers and conditions it depends on. */
static uint8_t uart_iir_of(uint8_t ier, bool overrun, bool data, bool thr_ipending, uint8_t msr_delta, uint8_t fcr)
{
	uint8_t id;

	if ((ier & UART_IER_RLSI) && overrun)
		id = UART_IIR_RLSI;
	else if ((ier & UART_IER_RDI) && data)
		id = UART_IIR_RDI;
	else if ((ier & UART_IER_THRI) && thr_ipending)
		id = UART_IIR_THRI;
	else if ((ier & UART_IER_MSI) && msr_delta)
		id = UART_IIR_MSI;
	else
		id = UART_IIR_NO_INT;
	if (fcr & UART_FCR_ENABLE)
		id |= UART_IIR_FIFO;
	return id;
}

/* IIR of @u now. */
static uint8_t uart_iir(const struct uart *u)
{
	return uart_iir_of(u->ier, u->overrun, u->rx_count != 0, u->thr_ipending, u->msr_delta, u->fcr);
}

/* Drive the line to match IIR; only changes are passed on. Lock held. */
static void uart_update_irq(struct uart *u)
{
	int level = !(uart_iir(u) & UART_IIR_NO_INT);
	int ret;

	if (level == u->irq_level)
		return;
	u->irq_level = level;
	if (!u->p.irq_fn)
		return;
	ret = u->p.irq_fn(u->p.irq_ctx, u->p.irq, level);
	if (ret < 0 && !u->irq_failed) {
		u->irq_failed = true;
		log_warn("uart: cannot drive IRQ %u: %s", u->p.irq, strerror(-ret));
	}
}

/* After bytes left the buffer: end a "full" episode once enough room is back. Lock held. */
static void uart_check_room(struct uart *u)
{
	if (!u->rx_full || UART_RX_SIZE - u->rx_count < UART_RX_RESUME)
		return;
	u->rx_full = false;
	if (u->room_fn)
		u->room_fn(u->room_ctx);
}

/* Append what fits of @buf; returns the count appended. Lock held. */
static size_t uart_rx_push(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n = UART_RX_SIZE - u->rx_count;

	if (n > len)
		n = len;
	for (size_t i = 0; i < n; i++)
		u->rx[(u->rx_head + u->rx_count + i) % UART_RX_SIZE] = buf[i];
	u->rx_count += n;
	if (u->rx_count == UART_RX_SIZE)
		u->rx_full = true;
	return n;
}

/* Take the oldest byte (0 when empty). Lock held. */
static uint8_t uart_rx_pop(struct uart *u)
{
	uint8_t b;

	if (!u->rx_count) {
		UART_COUNT(u, missed_read_count);
		return 0;
	}
	UART_COUNT(u, read_count);
	b = u->rx[u->rx_head];
	u->rx_head = (u->rx_head + 1) % UART_RX_SIZE;
	u->rx_count--;
	uart_check_room(u);
	return b;
}

/* write(2) all of @buf, riding out EINTR and a non-blocking fd. Returns 0 or -errno. */
static int uart_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { .fd = fd, .events = POLLOUT };

			if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
				return -errno;
		} else {
			return n < 0 ? -errno : -EIO;
		}
	}
	return 0;
}

/* Send one byte to the output fd; called without the register lock. */
static void uart_transmit(struct uart *u, uint8_t byte)
{
	int ret;

	pthread_mutex_lock(&u->out_lock);
	if (u->out_broken)
		UART_COUNT(u, missed_write_count);
	if (!u->out_broken && u->p.out_fd >= 0) {
		ret = uart_write_all(u->p.out_fd, &byte, 1);
		if (ret < 0) {
			UART_COUNT(u, error_count);
			UART_COUNT(u, missed_write_count);
			u->out_broken = true;
			log_warn("uart: writing the guest's output failed (%s); dropping it from now on",
				 strerror(-ret));
		}
	}
	pthread_mutex_unlock(&u->out_lock);
}

/* THR write. Returns true when @v must go to the output fd. Lock held. */
static bool uart_write_thr(struct uart *u, uint8_t v)
{
	bool send = false;

	u->thr_ipending = false;
	UART_COUNT(u, write_count);
	if (u->mcr & UART_MCR_LOOP) {
		if (uart_rx_push(u, &v, 1) == 0) {
			UART_COUNT(u, missed_write_count);
			u->overrun = true;
		}
	} else {
		send = true;
	}
	/* The byte left at once: the THR is empty again. */
	u->thr_ipending = true;
	return send;
}

/* Loopback ended: host input, refused meanwhile, may come again. Lock held. */
static void uart_loopback_ended(struct uart *u)
{
	if (u->room_fn && u->rx_count < UART_RX_SIZE)
		u->room_fn(u->room_ctx);
}

static void uart_write_mcr(struct uart *u, uint8_t v)
{
	uint8_t before = uart_modem_lines(u), after, changed;
	bool was_loop = u->mcr & UART_MCR_LOOP;

	u->mcr = v & 0x1f;
	if (was_loop && !(u->mcr & UART_MCR_LOOP))
		uart_loopback_ended(u);
	after = uart_modem_lines(u);
	changed = before ^ after;
	if (changed & UART_MSR_CTS)
		u->msr_delta |= UART_MSR_DCTS;
	if (changed & UART_MSR_DSR)
		u->msr_delta |= UART_MSR_DDSR;
	if (changed & UART_MSR_DCD)
		u->msr_delta |= UART_MSR_DDCD;
	if ((before & UART_MSR_RI) && !(after & UART_MSR_RI))
		u->msr_delta |= UART_MSR_TERI;
}

/* Register write. Returns true when @v must go to the output fd. Lock held. */
static bool uart_write_reg(struct uart *u, unsigned int reg, uint8_t v)
{
	bool dlab = u->lcr & UART_LCR_DLAB;

	switch (reg) {
	case UART_THR:
		if (dlab) {
			u->dll = v;
			return false;
		}
		return uart_write_thr(u, v);
	case UART_IER:
		if (dlab) {
			u->dlm = v;
			break;
		}
		v &= 0x0f;
		/* THRI going 0 -> 1 with the THR empty (always, here) raises the interrupt. */
		if ((v & UART_IER_THRI) && !(u->ier & UART_IER_THRI))
			u->thr_ipending = true;
		u->ier = v;
		break;
	case UART_FCR:
		u->fcr = v & UART_FCR_KEPT;
		break;
	case UART_LCR:
		u->lcr = v;
		break;
	case UART_MCR:
		uart_write_mcr(u, v);
		break;
	case UART_SCR:
		u->scr = v;
		break;
	default:
		/* LSR and MSR: factory test only; ignored. */
		break;
	}
	return false;
}

/* Register read, with its side effects. Lock held. */
static uint8_t uart_read_reg(struct uart *u, unsigned int reg)
{
	bool dlab = u->lcr & UART_LCR_DLAB;
	uint8_t v;

	switch (reg) {
	case UART_RBR:
		return dlab ? u->dll : uart_rx_pop(u);
	case UART_IER:
		return dlab ? u->dlm : u->ier;
	case UART_IIR:
		v = uart_iir(u);
		if ((v & 0x0f) == UART_IIR_THRI)
			u->thr_ipending = false;
		return v;
	case UART_LCR:
		return u->lcr;
	case UART_MCR:
		return u->mcr;
	case UART_LSR:
		v = uart_lsr(u);
		u->overrun = false;
		return v;
	case UART_MSR:
		v = uart_modem_lines(u) | u->msr_delta;
		u->msr_delta = 0;
		return v;
	case UART_SCR:
		return u->scr;
	default:
		return 0;
	}
}

int uart_io(void *opaque, struct vcpu *vcpu, uint64_t offset, uint8_t *data, uint32_t len,
	    bool is_write)
{
	struct uart *u = opaque;
	unsigned int reg = offset < UART_NREGS ? (unsigned int)offset : UART_NREGS;
	bool send = false;
	uint8_t v = 0;

	(void)vcpu;
	pthread_mutex_lock(&u->lock);
	if (is_write)
		send = uart_write_reg(u, reg, data[0]);
	else
		v = uart_read_reg(u, reg);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);

	if (send)
		uart_transmit(u, data[0]);
	if (!is_write) {
		memset(data, 0, len);
		data[0] = v;
	}
	return 0;
}

size_t uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	/* In loopback the receiver hears only the transmitter: host input waits (as on the chip, and QEMU). */
	n = u->mcr & UART_MCR_LOOP ? 0 : uart_rx_push(u, buf, len);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return n;
}

size_t uart_rx_space(struct uart *u)
{
	size_t n;

	pthread_mutex_lock(&u->lock);
	n = u->mcr & UART_MCR_LOOP ? 0 : UART_RX_SIZE - u->rx_count;
	pthread_mutex_unlock(&u->lock);
	return n;
}

void uart_set_room_notify(struct uart *u, uart_room_fn fn, void *ctx)
{
	pthread_mutex_lock(&u->lock);
	u->room_fn = fn;
	u->room_ctx = ctx;
	pthread_mutex_unlock(&u->lock);
}

void uart_stats(struct uart *u, struct uart_stats *out)
{
	out->read_count = atomic_load_explicit(&u->read_count, memory_order_relaxed);
	out->write_count = atomic_load_explicit(&u->write_count, memory_order_relaxed);
	out->missed_read_count = atomic_load_explicit(&u->missed_read_count, memory_order_relaxed);
	out->missed_write_count = atomic_load_explicit(&u->missed_write_count, memory_order_relaxed);
	out->error_count = atomic_load_explicit(&u->error_count, memory_order_relaxed);
}

int uart_save(struct uart *u, struct uart_state *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&u->lock);
	s->ier = u->ier;
	s->lcr = u->lcr;
	s->mcr = u->mcr;
	s->msr_delta = u->msr_delta;
	s->scr = u->scr;
	s->dll = u->dll;
	s->dlm = u->dlm;
	s->fcr = u->fcr;
	s->overrun = u->overrun;
	s->thr_ipending = u->thr_ipending;
	s->rx_full = u->rx_full;
	s->irq_level = (uint8_t)u->irq_level;
	s->rx_count = (uint16_t)u->rx_count;
	for (size_t i = 0; i < u->rx_count; i++)
		s->rx[i] = u->rx[(u->rx_head + i) % UART_RX_SIZE];
	pthread_mutex_unlock(&u->lock);
	return 0;
}

/* Could the guest and the host have brought a UART to @s? */
static bool uart_state_ok(const struct uart_state *s)
{
	size_t space = UART_RX_SIZE - (s->rx_count <= UART_RX_SIZE ? s->rx_count : UART_RX_SIZE);
	uint8_t iir;

	if ((s->ier & ~0x0fu) || (s->mcr & ~0x1fu) || (s->msr_delta & ~UART_MSR_DELTA) || (s->fcr & ~UART_FCR_KEPT))
		return false;
	if (s->rx_count > UART_RX_SIZE || (s->rx_count == UART_RX_SIZE && !s->rx_full) ||
	    (s->rx_full && space >= UART_RX_RESUME))
		return false;
	iir = uart_iir_of(s->ier, s->overrun, s->rx_count != 0, s->thr_ipending, s->msr_delta, s->fcr);
	return s->irq_level == !(iir & UART_IIR_NO_INT);
}

int uart_restore(struct uart *u, const struct uart_state *s)
{
	bool was_full, was_loop;

	if (!uart_state_ok(s))
		return -EINVAL;
	pthread_mutex_lock(&u->lock);
	was_loop = u->mcr & UART_MCR_LOOP;
	u->ier = s->ier;
	u->lcr = s->lcr;
	u->mcr = s->mcr;
	u->msr_delta = s->msr_delta;
	u->scr = s->scr;
	u->dll = s->dll;
	u->dlm = s->dlm;
	u->fcr = s->fcr;
	u->overrun = s->overrun;
	u->thr_ipending = s->thr_ipending;
	memcpy(u->rx, s->rx, s->rx_count);
	u->rx_head = 0;
	u->rx_count = s->rx_count;
	was_full = u->rx_full;
	u->rx_full = s->rx_full;
	if (was_full && !u->rx_full && u->room_fn)
		u->room_fn(u->room_ctx);
	else if (was_loop && !(u->mcr & UART_MCR_LOOP))
		uart_loopback_ended(u);
	uart_update_irq(u);
	pthread_mutex_unlock(&u->lock);
	return 0;
}

int uart_create(const struct uart_params *p, struct uart **out)
{
	struct uart *u = calloc(1, sizeof(*u));
	int ret;

	if (!u)
		return -ENOMEM;
	ret = -pthread_mutex_init(&u->lock, NULL);
	if (ret < 0)
		goto err_free;
	ret = -pthread_mutex_init(&u->out_lock, NULL);
	if (ret < 0)
		goto err_lock;
	u->p = *p;
	u->dll = 1;			/* 115200 baud from the 1.8432 MHz clock */
	*out = u;
	return 0;

err_lock:
	pthread_mutex_destroy(&u->lock);
err_free:
	free(u);
	return ret;
}

void uart_destroy(struct uart *u)
{
	if (!u)
		return;
	pthread_mutex_destroy(&u->out_lock);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

#define UART_CLOCK_HZ 1843200u		/* the PC UART's 1.8432 MHz input clock */

int uart_describe(unsigned int port, unsigned int irq, bool console, struct dev_descs *out)
{
	const struct dev_desc d = {
		.name = "serial", .compatible = "ns16550a", .space = DESC_ISA_IO,
		.nregs = 1, .regs = { { port, UART_NREGS } },
		.irq = (int)irq, .clock_hz = UART_CLOCK_HZ, .console = console,
	};

	return desc_add(out, &d);
}
