/* Raw mode for a tty stdin, its restoration on every way out of the process, and the Ctrl-A escape processor. */
#include "vmm/term.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/exit_status.h"
#include "vmm/log.h"
#include "vmm/stop.h"

static const int term_fatal_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
#define TERM_NFATAL (sizeof(term_fatal_signals) / sizeof(term_fatal_signals[0]))

/*
 * keel's one documented mutable global. A fatal-signal handler and an atexit handler get no
 * argument, so the only way they can find the terminal to restore is static storage: a pointer
 * to the struct term in raw mode (which itself lives in struct console), the signal actions the
 * handler replaced, and the once-flag of the atexit registration.
 */
static struct {
	struct term *_Atomic raw;		/* the struct term in raw mode, NULL when none */
	struct sigaction old[TERM_NFATAL];	/* actions replaced while raw */
	pthread_once_t atexit_once;
} term_global = { .raw = NULL, .atexit_once = PTHREAD_ONCE_INIT };

/* Async-signal-safe: tcsetattr, sigaction, raise and the previous handler only. */
static void term_fatal_handler(int sig, siginfo_t *info, void *uctx)
{
	struct sigaction prev;
	int saved_errno = errno;

	memset(&prev, 0, sizeof(prev));
	prev.sa_handler = SIG_DFL;
	term_restore_now();
	for (size_t i = 0; i < TERM_NFATAL; i++)
		if (term_fatal_signals[i] == sig) {
			prev = term_global.old[i];
			sigaction(sig, &prev, NULL);
		}
	errno = saved_errno;
	/*
	 * A fault raised by the kernel comes back when the faulting instruction runs again, now
	 * under the previous (normally default) action. A previous handler of its own gets the
	 * signal as it came (it may tell another process's kill from keel's own abort: vmm/signals.h);
	 * anything else is raised again by hand.
	 */
	if (info && info->si_code > 0 && sig != SIGABRT)
		return;
	if ((prev.sa_flags & SA_SIGINFO) && prev.sa_sigaction) {
		prev.sa_sigaction(sig, info, uctx);
		return;
	}
	raise(sig);
}

void term_restore_now(void)
{
	struct term *t = atomic_load(&term_global.raw);

	if (t)
		tcsetattr(t->fd, TCSANOW, &t->saved);
}

static void term_atexit(void)
{
	struct term *t = atomic_load(&term_global.raw);

	if (t)
		term_restore(t);
}

static void term_register_atexit(void)
{
	if (atexit(term_atexit) != 0)
		log_warn("terminal: cannot register the restore-at-exit hook");
}

static void term_install_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = term_fatal_handler;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < TERM_NFATAL; i++)
		sigaction(term_fatal_signals[i], &sa, &term_global.old[i]);
}

static void term_remove_handlers(void)
{
	for (size_t i = 0; i < TERM_NFATAL; i++)
		sigaction(term_fatal_signals[i], &term_global.old[i], NULL);
}

void term_init(struct term *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

bool term_is_raw(const struct term *t)
{
	return t->fd >= 0;
}

/* cfmakeraw, except that output post-processing stays on: "\n" still returns to column 0. */
static void term_make_raw(struct termios *raw)
{
	raw->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw->c_oflag |= OPOST | ONLCR;
	raw->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw->c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	raw->c_cflag |= CS8;
	raw->c_cc[VMIN] = 1;
	raw->c_cc[VTIME] = 0;
}

int term_raw_enable(struct term *t, int fd)
{
	struct term *none = NULL;
	struct termios raw;
	pid_t fg;
	int ret;

	if (t->fd >= 0)
		return 0;
	if (!isatty(fd))
		return 0;
	/* A background job changing its controlling tty would be stopped by SIGTTOU. */
	fg = tcgetpgrp(fd);
	if (fg >= 0 && fg != getpgrp()) {
		log_debug("terminal: not in the foreground; leaving it as it is");
		return 0;
	}
	if (tcgetattr(fd, &t->saved) < 0)
		return -errno;
	t->fd = fd;
	if (!atomic_compare_exchange_strong(&term_global.raw, &none, t)) {
		t->fd = -1;
		return -EBUSY;
	}
	pthread_once(&term_global.atexit_once, term_register_atexit);
	term_install_handlers();
	raw = t->saved;
	term_make_raw(&raw);
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		ret = -errno;
		term_restore(t);
		return ret;
	}
	return 0;
}

void term_restore(struct term *t)
{
	struct term *self = t;

	if (t->fd < 0)
		return;
	if (tcsetattr(t->fd, TCSANOW, &t->saved) < 0)
		log_debug("terminal: cannot restore its settings: %s", strerror(errno));
	if (atomic_compare_exchange_strong(&term_global.raw, &self, NULL))
		term_remove_handlers();
	t->fd = -1;
}

void console_esc_init(struct console_esc *st)
{
	st->after_esc = false;
}

size_t console_esc_feed(struct console_esc *st, const uint8_t *in, size_t len, uint8_t *out,
			size_t *out_len, enum console_esc_action *action)
{
	size_t i, n = 0;

	*action = CONSOLE_ESC_NONE;
	for (i = 0; i < len && *action == CONSOLE_ESC_NONE; i++) {
		uint8_t b = in[i];

		if (!st->after_esc) {
			if (b == CONSOLE_ESC_CHAR)
				st->after_esc = true;
			else
				out[n++] = b;
			continue;
		}
		st->after_esc = false;
		if (b == CONSOLE_ESC_CHAR)
			out[n++] = CONSOLE_ESC_CHAR;
		else if (b == 'x')
			*action = CONSOLE_ESC_QUIT;
		else if (b == 'h')
			*action = CONSOLE_ESC_HELP;
		/* anything else: dropped together with its Ctrl-A */
	}
	*out_len = n;
	return i;
}

bool console_esc_act(enum console_esc_action action, struct stop_ctl *stop)
{
	if (action == CONSOLE_ESC_QUIT) {
		if (stop)
			stop_request(stop, KEEL_EXIT_OK, "quit with Ctrl-A x");
		return true;
	}
	if (action == CONSOLE_ESC_HELP && write(STDERR_FILENO, CONSOLE_HELP, strlen(CONSOLE_HELP)) < 0) {
		/* nowhere to report it */
	}
	return false;
}
