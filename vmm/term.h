/* The host terminal: raw mode on a tty stdin, restored on every exit path (explicit, atexit, fatal signal), and its Ctrl-A escapes. */
#ifndef KEEL_VMM_TERM_H
#define KEEL_VMM_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <termios.h>

struct stop_ctl;

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

/*
 * term_restore_now - from a signal handler about to end the process (the seccomp report): put the
 * terminal in raw mode, if any, back as it was. Async-signal-safe (one tcsetattr).
 */
void term_restore_now(void);

/* term_is_raw - true between a successful term_raw_enable on a tty and term_restore. */
bool term_is_raw(const struct term *t);

/* term_restore - put the saved settings back and remove the hooks; idempotent, any exit path. */
void term_restore(struct term *t);

/*
 * Escapes. They apply to every input, whether stdin is a tty, a pipe or a file, so a script can
 * end the VM with "\001x" and must double a literal Ctrl-A:
 *   Ctrl-A x        quit: the VM stops with status 0 (KEEL_EXIT_OK)
 *   Ctrl-A Ctrl-A   send one Ctrl-A (0x01) to the guest
 *   Ctrl-A h        print CONSOLE_HELP on stderr
 *   Ctrl-A other    both bytes are dropped
 * A Ctrl-A at the end of one read is remembered and completed by the next.
 */
#define CONSOLE_ESC_CHAR 0x01
#define CONSOLE_HELP "keel: Ctrl-A x: quit | Ctrl-A Ctrl-A: send Ctrl-A | Ctrl-A h: this help\n"

enum console_esc_action {
	CONSOLE_ESC_NONE = 0,
	CONSOLE_ESC_QUIT,	/* Ctrl-A x */
	CONSOLE_ESC_HELP,	/* Ctrl-A h */
};

/* The escape processor's state between reads. */
struct console_esc {
	bool after_esc;		/* the last byte seen was a lone Ctrl-A */
};

/* console_esc_init - the state at the start of input. */
void console_esc_init(struct console_esc *st);

/*
 * console_esc_feed - run input bytes through the escapes; a pure function of @st and the bytes.
 * @in, @len: input; @out: room for @len bytes, receives the bytes meant for the guest and
 * *@out_len their count. Processing stops right after a byte that completes an action, which is
 * stored in *@action (CONSOLE_ESC_NONE otherwise). Returns the number of input bytes consumed;
 * call again with the rest.
 */
size_t console_esc_feed(struct console_esc *st, const uint8_t *in, size_t len, uint8_t *out,
			size_t *out_len, enum console_esc_action *action);

/*
 * console_esc_act - carry out @action for every terminal that has the escapes: QUIT asks @stop
 * to end the VM with status 0, HELP prints CONSOLE_HELP on stderr. Returns true for QUIT (read
 * no more input).
 */
bool console_esc_act(enum console_esc_action action, struct stop_ctl *stop);

#endif
