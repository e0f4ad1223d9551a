/* The terminal console: stdin, through the Ctrl-A escapes, into COM1's receive buffer on the event loop. */
#ifndef KEEL_VMM_CONSOLE_H
#define KEEL_VMM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/term.h"

struct console;
struct vm;

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
