/* The terminal console: stdin, through the Ctrl-A escapes, into COM1's receive buffer on the event loop. */
#ifndef KEEL_VMM_CONSOLE_H
#define KEEL_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console;
struct vm;

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
 * console_create - wire @in_fd (normally STDIN_FILENO) to vm->uart on vm->loop, and put it in
 * raw mode when it is a tty (restored by console_destroy, at exit and on fatal signals).
 * Input is read only as fast as the UART has room: when its buffer fills, @in_fd is no longer
 * watched until the UART reports room again. An fd epoll refuses (a regular file, /dev/null) is
 * read in chunks as room allows. End of input, a hang-up or a read error end the input only;
 * the VM goes on. An @in_fd that is closed or not readable gives a console without input.
 * Call on the loop's thread, after devices_create. Returns 0 and stores the console in *@out,
 * or -EINVAL (no UART) / -ENOMEM / -errno.
 */
int console_create(struct vm *vm, int in_fd, struct console **out);

/*
 * console_destroy - stop reading, unhook from the UART and the loop, restore the terminal and
 * free. On the loop's thread while the loop is not running, before devices_destroy. NULL is fine.
 */
void console_destroy(struct console *c);

/* console_has_input - true while input is still being read (not ended, failed or quit). */
bool console_has_input(const struct console *c);

#endif
