/* The host terminal: raw mode on a tty stdin, restored on every exit path (explicit, atexit, fatal signal). */
#ifndef KEEL_VMM_TERM_H
#define KEEL_VMM_TERM_H

#include <stdbool.h>
#include <termios.h>

/* The terminal's state before raw mode; lives in struct console. */
struct term {
	int fd;			/* the tty in raw mode, -1 when none */
	struct termios saved;	/* its settings before term_raw_enable */
};

/* term_init - a struct term that holds no terminal (fd -1). */
void term_init(struct term *t);

/*
 * term_raw_enable - when @fd is a tty of the foreground process group, save its settings and
 * switch it to raw mode (cfmakeraw, except that OPOST|ONLCR stay on so "\n" still returns to
 * column 0). Installs the restore-on-exit hooks: an atexit handler and handlers for SIGSEGV,
 * SIGBUS, SIGILL, SIGFPE and SIGABRT that restore the terminal, put back the previous handler
 * (normally the default) and re-raise. Only one struct term may be raw at a time.
 * Returns 0 when raw mode is on or @fd is not a (foreground) tty (then nothing is done),
 * -EBUSY when another struct term is raw, or -errno from tcgetattr/tcsetattr.
 */
int term_raw_enable(struct term *t, int fd);

/* term_is_raw - true between a successful term_raw_enable on a tty and term_restore. */
bool term_is_raw(const struct term *t);

/* term_restore - put the saved settings back and remove the hooks; idempotent, any exit path. */
void term_restore(struct term *t);

#endif
