/* Unit tests of the console side: escapes, stdin feeding COM1, and the terminal (vmm/console.c, vmm/term.c). */
#include "tests/unit/suites.h"

#include "devices/uart.h"
#include "firmware/machine.h"
#include "tests/unit/vm_fixture.h"
#include "vmm/console.h"
#include "vmm/exit_status.h"
#include "vmm/term.h"
#include "vmm/vm.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- the escape processor ------------------------------------------------------------ */

/* Feed @in in one call per action; collect the guest bytes and the actions seen. */
static size_t esc_run(struct console_esc *st, const char *in, size_t len, char *out, int *quits,
		      int *helps)
{
	size_t total = 0;

	while (len) {
		enum console_esc_action act;
		size_t n, used;

		used = console_esc_feed(st, (const uint8_t *)in, len, (uint8_t *)out + total, &n, &act);
		ck_assert_uint_ge(used, 1);
		ck_assert_uint_le(n, used);
		total += n;
		in += used;
		len -= used;
		if (act == CONSOLE_ESC_QUIT)
			(*quits)++;
		else if (act == CONSOLE_ESC_HELP)
			(*helps)++;
	}
	return total;
}

START_TEST(esc_plain_bytes_pass)
{
	struct console_esc st;
	char out[16];
	int q = 0, h = 0;

	console_esc_init(&st);
	ck_assert_uint_eq(esc_run(&st, "hello\r\n\x03", 8, out, &q, &h), 8);
	ck_assert_mem_eq(out, "hello\r\n\x03", 8);
	ck_assert_int_eq(q + h, 0);
}
END_TEST

START_TEST(esc_double_ctrl_a)
{
	struct console_esc st;
	char out[16];
	int q = 0, h = 0;

	console_esc_init(&st);
	ck_assert_uint_eq(esc_run(&st, "a\x01\x01" "b", 4, out, &q, &h), 3);
	ck_assert_mem_eq(out, "a\x01" "b", 3);
	ck_assert_int_eq(q + h, 0);
}
END_TEST

START_TEST(esc_quit)
{
	struct console_esc st;
	enum console_esc_action act;
	uint8_t out[16];
	size_t n, used;

	console_esc_init(&st);
	used = console_esc_feed(&st, (const uint8_t *)"ab\x01xcd", 6, out, &n, &act);
	/* Processing stops right after the action byte. */
	ck_assert_uint_eq(used, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_mem_eq(out, "ab", 2);
	ck_assert_int_eq(act, CONSOLE_ESC_QUIT);
	used = console_esc_feed(&st, (const uint8_t *)"cd", 2, out, &n, &act);
	ck_assert_uint_eq(used, 2);
	ck_assert_int_eq(act, CONSOLE_ESC_NONE);
}
END_TEST

START_TEST(esc_split_across_reads)
{
	struct console_esc st;
	enum console_esc_action act;
	uint8_t out[16];
	size_t n, used;

	console_esc_init(&st);
	used = console_esc_feed(&st, (const uint8_t *)"z\x01", 2, out, &n, &act);
	ck_assert_uint_eq(used, 2);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(act, CONSOLE_ESC_NONE);
	used = console_esc_feed(&st, (const uint8_t *)"x", 1, out, &n, &act);
	ck_assert_uint_eq(used, 1);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(act, CONSOLE_ESC_QUIT);
	/* And a split Ctrl-A Ctrl-A gives one Ctrl-A. */
	used = console_esc_feed(&st, (const uint8_t *)"\x01", 1, out, &n, &act);
	ck_assert_uint_eq(n, 0);
	used = console_esc_feed(&st, (const uint8_t *)"\x01", 1, out, &n, &act);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(out[0], 0x01);
	(void)used;
}
END_TEST

START_TEST(esc_help)
{
	struct console_esc st;
	char out[16];
	int q = 0, h = 0;

	console_esc_init(&st);
	ck_assert_uint_eq(esc_run(&st, "1\x01h" "2\x01h", 6, out, &q, &h), 2);
	ck_assert_mem_eq(out, "12", 2);
	ck_assert_int_eq(h, 2);
	ck_assert_int_eq(q, 0);
}
END_TEST

START_TEST(esc_unknown_dropped)
{
	struct console_esc st;
	char out[16];
	int q = 0, h = 0;

	console_esc_init(&st);
	ck_assert_uint_eq(esc_run(&st, "a\x01qb\x01X\x01\r" "c", 9, out, &q, &h), 3);
	ck_assert_mem_eq(out, "abc", 3);
	ck_assert_int_eq(q + h, 0);
}
END_TEST

/* ---- the console on a struct vm ------------------------------------------------------ */

static void console_setup(void)
{
	const struct uart_params p = { .out_fd = -1, .irq = KEEL_UART0_IRQ };

	fx_vm_setup();
	ck_assert_int_eq(uart_create(&p, &fx_vm.uart), 0);	/* freed by vm_destroy */
}

static uint8_t rbr(void)
{
	uint8_t d = 0;

	uart_io(fx_vm.uart, NULL, UART_RBR, &d, 1, false);
	return d;
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)('a' + i % 26);
}

START_TEST(console_needs_uart)
{
	struct console *c = NULL;

	uart_destroy(fx_vm.uart);
	fx_vm.uart = NULL;
	ck_assert_int_eq(console_create(&fx_vm, STDIN_FILENO, &c), -EINVAL);
	console_destroy(NULL);
}
END_TEST

START_TEST(console_pipe_input)
{
	struct console *c;
	int p[2];
	bool req;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(write(p[1], "hello", 5), 5);
	ck_assert_int_eq(console_create(&fx_vm, p[0], &c), 0);
	ck_assert(console_has_input(c));
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), UART_RX_SIZE - 5);
	for (const char *s = "hello"; *s; s++)
		ck_assert_uint_eq(rbr(), (uint8_t)*s);
	/* End of input ends the input only. */
	close(p[1]);
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert(!console_has_input(c));
	fx_stop_status(&req);
	ck_assert(!req);
	console_destroy(c);
	close(p[0]);
}
END_TEST

START_TEST(console_quit)
{
	struct console *c;
	int p[2];
	bool req;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(write(p[1], "a\x01\x01" "b\x01xzz", 8), 8);
	ck_assert_int_eq(console_create(&fx_vm, p[0], &c), 0);
	fx_vm.plat.stop.status = KEEL_EXIT_HOST;
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert_int_eq(fx_stop_status(&req), KEEL_EXIT_OK);
	ck_assert(req);
	ck_assert(!console_has_input(c));
	/* What came before the escape reached the guest; nothing after it. */
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), UART_RX_SIZE - 3);
	ck_assert_uint_eq(rbr(), 'a');
	ck_assert_uint_eq(rbr(), 0x01);
	ck_assert_uint_eq(rbr(), 'b');
	console_destroy(c);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(console_help)
{
	struct console *c;
	int p[2], e[2], saved;
	char buf[256] = { 0 };
	ssize_t n;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(e, O_CLOEXEC | O_NONBLOCK), 0);
	saved = dup(STDERR_FILENO);
	ck_assert_int_eq(dup2(e[1], STDERR_FILENO), STDERR_FILENO);
	ck_assert_int_eq(write(p[1], "1\x01h" "2", 4), 4);
	ck_assert_int_eq(console_create(&fx_vm, p[0], &c), 0);
	fx_run_for(&fx_vm.plat.loop, 30);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = read(e[0], buf, sizeof(buf) - 1);
	ck_assert_int_eq(n, (ssize_t)strlen(CONSOLE_HELP));
	ck_assert_str_eq(buf, CONSOLE_HELP);
	ck_assert_uint_eq(rbr(), '1');
	ck_assert_uint_eq(rbr(), '2');
	console_destroy(c);
	close(p[0]);
	close(p[1]);
	close(e[0]);
	close(e[1]);
}
END_TEST

START_TEST(console_flow_control)
{
	enum { TOTAL = 6000 };
	static uint8_t data[TOTAL];
	struct console *c;
	size_t got = 0;
	int p[2];

	for (size_t i = 0; i < TOTAL; i++)
		data[i] = pattern(i);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(write(p[1], data, TOTAL), TOTAL);
	ck_assert_int_eq(console_create(&fx_vm, p[0], &c), 0);
	fx_run_for(&fx_vm.plat.loop, 30);
	/* Full: the rest waits in the pipe. */
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), 0);
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), 0);
	/* The guest reads half: room is reported and the console reads on. */
	for (; got < UART_RX_RESUME; got++)
		ck_assert_uint_eq(rbr(), pattern(got));
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), UART_RX_SIZE - (TOTAL - got));
	for (; got < TOTAL; got++)
		ck_assert_uint_eq(rbr(), pattern(got));
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), UART_RX_SIZE);
	ck_assert(console_has_input(c));
	close(p[1]);
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert(!console_has_input(c));
	console_destroy(c);
	close(p[0]);
}
END_TEST

START_TEST(console_file_input)
{
	enum { TOTAL = 5000 };
	static uint8_t data[TOTAL];
	char path[] = "/tmp/keel-console-XXXXXX";
	struct console *c;
	size_t got = 0;
	int fd;

	for (size_t i = 0; i < TOTAL; i++)
		data[i] = pattern(i);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	unlink(path);
	ck_assert_int_eq(write(fd, data, TOTAL), TOTAL);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	ck_assert_int_eq(console_create(&fx_vm, fd, &c), 0);
	ck_assert(console_has_input(c));
	fx_run_for(&fx_vm.plat.loop, 30);
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), 0);
	for (; got < UART_RX_RESUME; got++)
		ck_assert_uint_eq(rbr(), pattern(got));
	fx_run_for(&fx_vm.plat.loop, 30);
	/* The file ended: everything is in, the input is over. */
	ck_assert(!console_has_input(c));
	for (; got < TOTAL; got++)
		ck_assert_uint_eq(rbr(), pattern(got));
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), UART_RX_SIZE);
	console_destroy(c);
	close(fd);
}
END_TEST

struct reader {
	_Atomic bool stop;
	size_t got;
};

/* A vCPU that reads RBR as fast as it can. */
static void *reader_main(void *arg)
{
	struct reader *r = arg;

	while (!r->stop) {
		uint8_t d = 0;

		uart_io(fx_vm.uart, NULL, UART_LSR, &d, 1, false);
		if (d & UART_LSR_DR) {
			rbr();
			r->got++;
		}
	}
	return NULL;
}

START_TEST(console_endless_file_yields)
{
	/* /dev/zero cannot be polled and never ends; a busy reader drains it: the loop still turns. */
	int fd = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	struct reader r = { .stop = false };
	struct console *c;
	pthread_t th;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(console_create(&fx_vm, fd, &c), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &r), 0);
	fx_run_for(&fx_vm.plat.loop, 100);
	r.stop = true;
	pthread_join(th, NULL);
	ck_assert(console_has_input(c));
	ck_assert_uint_gt(r.got, 0);
	console_destroy(c);
	close(fd);
}
END_TEST

START_TEST(console_dev_null)
{
	struct console *c;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	bool req;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(console_create(&fx_vm, fd, &c), 0);
	fx_run_for(&fx_vm.plat.loop, 20);
	ck_assert(!console_has_input(c));
	fx_stop_status(&req);
	ck_assert(!req);
	ck_assert_uint_eq(uart_rx_space(fx_vm.uart), UART_RX_SIZE);
	console_destroy(c);
	close(fd);
}
END_TEST

START_TEST(console_unusable_fd)
{
	struct console *c;
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int closed = 987;	/* an fd number nothing here uses */

	ck_assert_int_eq(fcntl(closed, F_GETFD), -1);
	ck_assert_int_eq(console_create(&fx_vm, fd, &c), 0);
	ck_assert(!console_has_input(c));
	console_destroy(c);
	ck_assert_int_eq(console_create(&fx_vm, closed, &c), 0);
	ck_assert(!console_has_input(c));
	fx_run_for(&fx_vm.plat.loop, 10);
	console_destroy(c);
	close(fd);
}
END_TEST

/* ---- the terminal -------------------------------------------------------------------- */

/* A pty pair; the slave is a tty that is not our controlling terminal. */
static int open_pty(int *master)
{
	int s;

	*master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(*master, 0);
	ck_assert_int_eq(grantpt(*master), 0);
	ck_assert_int_eq(unlockpt(*master), 0);
	s = open(ptsname(*master), O_RDWR | O_NOCTTY | O_CLOEXEC);
	ck_assert_int_ge(s, 0);
	return s;
}

START_TEST(term_raw_and_restore)
{
	struct term t, other;
	struct termios before, raw, after;
	int m, s = open_pty(&m), p[2];

	ck_assert_int_eq(tcgetattr(s, &before), 0);
	term_init(&t);
	term_init(&other);
	ck_assert_int_eq(term_raw_enable(&t, s), 0);
	ck_assert(term_is_raw(&t));
	ck_assert_int_eq(tcgetattr(s, &raw), 0);
	ck_assert_uint_eq(raw.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0);
	ck_assert_uint_eq(raw.c_iflag & (ICRNL | IXON), 0);
	ck_assert_uint_eq(raw.c_oflag & (OPOST | ONLCR), OPOST | ONLCR);
	ck_assert_uint_eq(raw.c_cflag & CSIZE, CS8);
	ck_assert_int_eq(raw.c_cc[VMIN], 1);
	/* One raw terminal at a time. */
	ck_assert_int_eq(term_raw_enable(&other, s), -EBUSY);
	term_restore(&t);
	ck_assert(!term_is_raw(&t));
	term_restore(&t);
	ck_assert_int_eq(tcgetattr(s, &after), 0);
	ck_assert_uint_eq(after.c_lflag, before.c_lflag);
	ck_assert_uint_eq(after.c_iflag, before.c_iflag);
	ck_assert_uint_eq(after.c_oflag, before.c_oflag);
	/* Not a tty: nothing happens. */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(term_raw_enable(&other, p[0]), 0);
	ck_assert(!term_is_raw(&other));
	close(p[0]);
	close(p[1]);
	close(s);
	close(m);
}
END_TEST

START_TEST(term_restored_on_abort)
{
	struct termios after;
	int m, s = open_pty(&m), status;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct term t;

		term_init(&t);
		if (term_raw_enable(&t, s) != 0 || !term_is_raw(&t))
			_exit(3);
		abort();
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status));
	ck_assert_int_eq(WTERMSIG(status), SIGABRT);
	ck_assert_int_eq(tcgetattr(s, &after), 0);
	ck_assert_uint_eq(after.c_lflag & ICANON, ICANON);
	close(s);
	close(m);
}
END_TEST

Suite *console_suite(void)
{
	Suite *s = suite_create("console");
	TCase *esc = tcase_create("escapes");
	TCase *con = tcase_create("console");
	TCase *term = tcase_create("terminal");

	tcase_add_test(esc, esc_plain_bytes_pass);
	tcase_add_test(esc, esc_double_ctrl_a);
	tcase_add_test(esc, esc_quit);
	tcase_add_test(esc, esc_split_across_reads);
	tcase_add_test(esc, esc_help);
	tcase_add_test(esc, esc_unknown_dropped);
	suite_add_tcase(s, esc);

	tcase_add_checked_fixture(con, console_setup, fx_vm_teardown);
	tcase_add_test(con, console_needs_uart);
	tcase_add_test(con, console_pipe_input);
	tcase_add_test(con, console_quit);
	tcase_add_test(con, console_help);
	tcase_add_test(con, console_flow_control);
	tcase_add_test(con, console_file_input);
	tcase_add_test(con, console_endless_file_yields);
	tcase_add_test(con, console_dev_null);
	tcase_add_test(con, console_unusable_fd);
	suite_add_tcase(s, con);

	tcase_add_test(term, term_raw_and_restore);
	tcase_add_test(term, term_restored_on_abort);
	suite_add_tcase(s, term);
	return s;
}
