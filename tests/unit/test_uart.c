/* Unit tests of the 16550A UART through its bus handler: registers, interrupts, output, input and flow control. */
#include "tests/unit/suites.h"

#include "devices/uart.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define FAKE_IRQ 4u
#define MAX_LEVELS 64

/* What the fake interrupt controller saw. */
struct fake_irq {
	int levels[MAX_LEVELS];	/* every level driven, in order */
	int n;
	unsigned int last_irq;
	int rooms;		/* room notifications */
};

static int fake_irq_fn(void *ctx, unsigned int irq, int level)
{
	struct fake_irq *f = ctx;

	if (f->n < MAX_LEVELS)
		f->levels[f->n++] = level;
	f->last_irq = irq;
	return 0;
}

static void fake_room_fn(void *ctx)
{
	struct fake_irq *f = ctx;

	f->rooms++;
}

/* Per-test fixture (each test runs in its own process). */
static struct fake_irq fake;
static struct uart *uart;
static int out_pipe[2];

static void setup(void)
{
	struct uart_params p;

	memset(&fake, 0, sizeof(fake));
	ck_assert_int_eq(pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK), 0);
	p = (struct uart_params){
		.out_fd = out_pipe[1], .irq = FAKE_IRQ, .irq_fn = fake_irq_fn, .irq_ctx = &fake,
	};
	ck_assert_int_eq(uart_create(&p, &uart), 0);
	uart_set_room_notify(uart, fake_room_fn, &fake);
}

static void teardown(void)
{
	uart_destroy(uart);
	close(out_pipe[0]);
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
}

static uint8_t rd(unsigned int reg)
{
	uint8_t d = 0xee;

	ck_assert_int_eq(uart_io(uart, NULL, reg, &d, 1, false), 0);
	return d;
}

static void wr(unsigned int reg, uint8_t v)
{
	ck_assert_int_eq(uart_io(uart, NULL, reg, &v, 1, true), 0);
}

static int last_level(void)
{
	return fake.n ? fake.levels[fake.n - 1] : 0;
}

START_TEST(reset_state)
{
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);
	ck_assert_uint_eq(rd(UART_IER), 0);
	ck_assert_uint_eq(rd(UART_LCR), 0);
	ck_assert_uint_eq(rd(UART_MCR), 0);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD);
	ck_assert_uint_eq(rd(UART_RBR), 0);
	ck_assert_uint_eq(uart_rx_space(uart), UART_RX_SIZE);
	ck_assert_int_eq(fake.n, 0);
}
END_TEST

START_TEST(scratch_register)
{
	wr(UART_SCR, 0x5a);
	ck_assert_uint_eq(rd(UART_SCR), 0x5a);
	wr(UART_SCR, 0xa5);
	ck_assert_uint_eq(rd(UART_SCR), 0xa5);
}
END_TEST

START_TEST(divisor_latch)
{
	wr(UART_IER, UART_IER_RDI);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	wr(UART_DLL, 0x0c);
	wr(UART_DLM, 0x01);
	ck_assert_uint_eq(rd(UART_DLL), 0x0c);
	ck_assert_uint_eq(rd(UART_DLM), 0x01);
	ck_assert_uint_eq(rd(UART_LCR), UART_LCR_DLAB | 0x03);
	wr(UART_LCR, 0x03);
	/* Offsets 0/1 are the data and IER registers again; the divisor did not touch them. */
	ck_assert_uint_eq(rd(UART_IER), UART_IER_RDI);
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	ck_assert_uint_eq(rd(UART_DLL), 0x0c);
	ck_assert_uint_eq(rd(UART_DLM), 0x01);
	/* A divisor write is not a transmission. */
	{
		char c;

		ck_assert_int_eq(read(out_pipe[0], &c, 1), -1);
		ck_assert_int_eq(errno, EAGAIN);
	}
}
END_TEST

START_TEST(output_to_fd)
{
	const char *msg = "hi\n";
	char got[8] = { 0 };

	for (const char *p = msg; *p; p++)
		wr(UART_THR, (uint8_t)*p);
	ck_assert_int_eq(read(out_pipe[0], got, sizeof(got)), 3);
	ck_assert_str_eq(got, msg);
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}
END_TEST

START_TEST(output_broken_pipe)
{
	signal(SIGPIPE, SIG_IGN);
	close(out_pipe[0]);
	out_pipe[0] = open("/dev/null", O_RDONLY);
	wr(UART_THR, 'a');	/* EPIPE: warned once, dropped */
	wr(UART_THR, 'b');	/* dropped silently */
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}
END_TEST

START_TEST(receive_and_read)
{
	const uint8_t in[] = { 'o', 'k' };

	ck_assert_uint_eq(uart_receive(uart, in, sizeof(in)), 2);
	ck_assert_uint_eq(uart_rx_space(uart), UART_RX_SIZE - 2);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_RBR), 'o');
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_RBR), 'k');
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(uart_rx_space(uart), UART_RX_SIZE);
	/* Interrupts were not enabled: the line never moved. */
	ck_assert_int_eq(fake.n, 0);
}
END_TEST

START_TEST(rx_interrupt)
{
	const uint8_t in[] = { 'a', 'b' };

	wr(UART_IER, UART_IER_RDI);
	ck_assert_int_eq(fake.n, 0);
	ck_assert_uint_eq(uart_receive(uart, in, sizeof(in)), 2);
	ck_assert_int_eq(fake.n, 1);
	ck_assert_int_eq(fake.levels[0], 1);
	ck_assert_uint_eq(fake.last_irq, FAKE_IRQ);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(rd(UART_RBR), 'a');
	ck_assert_int_eq(fake.n, 1);	/* still data: no change */
	ck_assert_uint_eq(rd(UART_RBR), 'b');
	ck_assert_int_eq(fake.n, 2);
	ck_assert_int_eq(fake.levels[1], 0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);

	/* Data pending when the interrupt gets enabled raises it; disabling lowers it. */
	wr(UART_IER, 0);
	ck_assert_uint_eq(uart_receive(uart, in, 1), 1);
	ck_assert_int_eq(fake.n, 2);
	wr(UART_IER, UART_IER_RDI);
	ck_assert_int_eq(fake.n, 3);
	ck_assert_int_eq(last_level(), 1);
	wr(UART_IER, 0);
	ck_assert_int_eq(fake.n, 4);
	ck_assert_int_eq(last_level(), 0);
}
END_TEST

START_TEST(thre_interrupt)
{
	char out[4];

	/* Enabling THRI with the THR empty raises it at once. */
	wr(UART_IER, UART_IER_THRI);
	ck_assert_int_eq(fake.n, 1);
	ck_assert_int_eq(last_level(), 1);
	/* Reading IIR when THRE is the reported cause clears it. */
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_THRI);
	ck_assert_int_eq(fake.n, 2);
	ck_assert_int_eq(last_level(), 0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);
	/* A THR write clears it; the byte leaves at once and the empty THR raises it again. */
	wr(UART_THR, 'z');
	ck_assert_int_eq(fake.n, 3);
	ck_assert_int_eq(last_level(), 1);
	ck_assert_int_eq(read(out_pipe[0], out, sizeof(out)), 1);
	ck_assert_int_eq(out[0], 'z');
	/* While pending, a further THR write keeps the line up: no new transition. */
	wr(UART_THR, 'y');
	ck_assert_int_eq(fake.n, 3);
	/* Received data outranks THRE; THRE is still pending underneath. */
	wr(UART_IER, UART_IER_THRI | UART_IER_RDI);
	ck_assert_uint_eq(uart_receive(uart, (const uint8_t *)"q", 1), 1);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_RDI);
	ck_assert_uint_eq(rd(UART_RBR), 'q');
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_THRI);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);
	ck_assert_int_eq(last_level(), 0);
}
END_TEST

START_TEST(fifo_bits)
{
	ck_assert_uint_eq(rd(UART_IIR) & UART_IIR_FIFO, 0);
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX | 0xc0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	wr(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	wr(UART_FCR, 0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);
	/* Clearing the RX FIFO keeps queued host input. */
	ck_assert_uint_eq(uart_receive(uart, (const uint8_t *)"k", 1), 1);
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX);
	ck_assert_uint_eq(rd(UART_RBR), 'k');
}
END_TEST

START_TEST(loopback)
{
	char c;

	wr(UART_MCR, UART_MCR_LOOP);
	ck_assert_uint_eq(rd(UART_MCR), UART_MCR_LOOP);
	/* The modem lines follow MCR: none set yet; the connected lines dropped (deltas). */
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_DCTS | UART_MSR_DDSR | UART_MSR_DDCD);
	ck_assert_uint_eq(rd(UART_MSR), 0);
	/* Linux's probe: RTS|OUT2 in loopback must read back CTS|DCD. */
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_RTS | UART_MCR_OUT2);
	ck_assert_uint_eq(rd(UART_MSR) & 0xf0, UART_MSR_CTS | UART_MSR_DCD);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_DSR | UART_MSR_RI | UART_MSR_DCTS |
						UART_MSR_DDSR | UART_MSR_DDCD);
	wr(UART_MCR, UART_MCR_LOOP);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_DDSR | UART_MSR_TERI);
	/* THR bytes come back on RBR and not on the output fd. */
	wr(UART_THR, 0x42);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_RBR), 0x42);
	ck_assert_int_eq(read(out_pipe[0], &c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	/* The receiver hears only the transmitter: host input waits, and is asked for again on leaving. */
	ck_assert_uint_eq(uart_rx_space(uart), 0);
	ck_assert_uint_eq(uart_receive(uart, (const uint8_t *)"h", 1), 0);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_int_eq(fake.rooms, 0);
	wr(UART_MCR, 0);
	ck_assert_int_eq(fake.rooms, 1);
	ck_assert_uint_eq(uart_rx_space(uart), UART_RX_SIZE);
	/* A full receive buffer overruns: OE, and the RLS interrupt, until LSR is read. */
	{
		static uint8_t fill[UART_RX_SIZE];

		ck_assert_uint_eq(uart_receive(uart, fill, sizeof(fill)), UART_RX_SIZE);
	}
	wr(UART_MCR, UART_MCR_LOOP);
	wr(UART_IER, UART_IER_RLSI);
	wr(UART_THR, 0x43);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_RLSI);
	ck_assert_int_eq(last_level(), 1);
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_DR | UART_LSR_OE | UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_int_eq(last_level(), 0);
	/* Leaving loopback: transmissions go out again. */
	wr(UART_MCR, 0);
	wr(UART_THR, 'o');
	ck_assert_int_eq(read(out_pipe[0], &c, 1), 1);
	ck_assert_int_eq(c, 'o');
}
END_TEST

START_TEST(modem_status_interrupt)
{
	wr(UART_IER, UART_IER_MSI);
	ck_assert_int_eq(fake.n, 0);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	/* DSR, CTS, DCD unchanged (connected before, set by MCR now), RI never set: no delta. */
	ck_assert_int_eq(fake.n, 0);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT2);
	ck_assert_int_eq(last_level(), 1);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_MSI);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_DSR | UART_MSR_DCD | UART_MSR_DCTS);
	ck_assert_int_eq(last_level(), 0);
}
END_TEST

START_TEST(buffer_full_and_room)
{
	static uint8_t big[UART_RX_SIZE + 100];

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)i;
	ck_assert_uint_eq(uart_receive(uart, big, 100), 100);
	ck_assert_uint_eq(uart_receive(uart, big + 100, sizeof(big) - 100), UART_RX_SIZE - 100);
	ck_assert_uint_eq(uart_rx_space(uart), 0);
	ck_assert_uint_eq(uart_receive(uart, big, 1), 0);
	ck_assert_int_eq(fake.rooms, 0);
	/* Room comes back only once UART_RX_RESUME bytes are free, and is reported once. */
	for (size_t i = 0; i < UART_RX_RESUME - 1; i++)
		ck_assert_uint_eq(rd(UART_RBR), (uint8_t)i);
	ck_assert_int_eq(fake.rooms, 0);
	ck_assert_uint_eq(rd(UART_RBR), (uint8_t)(UART_RX_RESUME - 1));
	ck_assert_int_eq(fake.rooms, 1);
	ck_assert_uint_eq(uart_rx_space(uart), UART_RX_RESUME);
	ck_assert_uint_eq(rd(UART_RBR), (uint8_t)UART_RX_RESUME);
	ck_assert_int_eq(fake.rooms, 1);
	/* Bytes come out in order across the ring's wrap. */
	ck_assert_uint_eq(uart_receive(uart, big, 10), 10);
	for (size_t i = UART_RX_RESUME + 1; i < UART_RX_SIZE; i++)
		ck_assert_uint_eq(rd(UART_RBR), (uint8_t)i);
	for (size_t i = 0; i < 10; i++)
		ck_assert_uint_eq(rd(UART_RBR), (uint8_t)i);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	/* A second episode notifies again; a removed hook is not called. */
	ck_assert_uint_eq(uart_receive(uart, big, UART_RX_SIZE), UART_RX_SIZE);
	for (size_t i = 0; i < UART_RX_RESUME; i++)
		rd(UART_RBR);
	ck_assert_int_eq(fake.rooms, 2);
	ck_assert_uint_eq(uart_receive(uart, big, UART_RX_SIZE), UART_RX_RESUME);
	uart_set_room_notify(uart, NULL, NULL);
	for (size_t i = 0; i < UART_RX_SIZE; i++)
		rd(UART_RBR);
	ck_assert_int_eq(fake.rooms, 2);
}
END_TEST

START_TEST(wide_accesses)
{
	uint8_t d[8];

	/* A 2- or 4-byte write acts on the register at the offset with the low byte. */
	memcpy(d, "\x77\x66\x55\x44", 4);
	ck_assert_int_eq(uart_io(uart, NULL, UART_SCR, d, 4, true), 0);
	ck_assert_uint_eq(rd(UART_SCR), 0x77);
	memcpy(d, "\x11\x22", 2);
	ck_assert_int_eq(uart_io(uart, NULL, UART_SCR, d, 2, true), 0);
	ck_assert_uint_eq(rd(UART_SCR), 0x11);
	/* A wide read returns the register in the low byte, zeros above. */
	memset(d, 0xff, sizeof(d));
	ck_assert_int_eq(uart_io(uart, NULL, UART_LSR, d, 4, false), 0);
	ck_assert_uint_eq(d[0], UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(d[1] | d[2] | d[3], 0);
	ck_assert_uint_eq(d[4], 0xff);
	memset(d, 0xff, sizeof(d));
	ck_assert_int_eq(uart_io(uart, NULL, UART_SCR, d, 2, false), 0);
	ck_assert_uint_eq(d[0], 0x11);
	ck_assert_uint_eq(d[1], 0);
	/* A wide THR write transmits one byte. */
	memcpy(d, "AB", 2);
	ck_assert_int_eq(uart_io(uart, NULL, UART_THR, d, 2, true), 0);
	ck_assert_int_eq(read(out_pipe[0], d, sizeof(d)), 1);
	ck_assert_uint_eq(d[0], 'A');
}
END_TEST

START_TEST(no_output_fd_no_irq_fn)
{
	const struct uart_params p = { .out_fd = -1, .irq = 4, .irq_fn = NULL };
	struct uart *u;
	uint8_t v;

	ck_assert_int_eq(uart_create(&p, &u), 0);
	v = UART_IER_THRI;
	uart_io(u, NULL, UART_IER, &v, 1, true);
	v = 'x';
	uart_io(u, NULL, UART_THR, &v, 1, true);
	uart_io(u, NULL, UART_IIR, &v, 1, false);
	ck_assert_uint_eq(v, UART_IIR_THRI);
	uart_destroy(u);
	uart_destroy(NULL);
}
END_TEST

Suite *uart_suite(void)
{
	Suite *s = suite_create("uart");
	TCase *tc = tcase_create("registers");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, reset_state);
	tcase_add_test(tc, scratch_register);
	tcase_add_test(tc, divisor_latch);
	tcase_add_test(tc, output_to_fd);
	tcase_add_test(tc, output_broken_pipe);
	tcase_add_test(tc, receive_and_read);
	tcase_add_test(tc, rx_interrupt);
	tcase_add_test(tc, thre_interrupt);
	tcase_add_test(tc, fifo_bits);
	tcase_add_test(tc, loopback);
	tcase_add_test(tc, modem_status_interrupt);
	tcase_add_test(tc, buffer_full_and_room);
	tcase_add_test(tc, wide_accesses);
	tcase_add_test(tc, no_output_fd_no_irq_fn);
	suite_add_tcase(s, tc);
	return s;
}
