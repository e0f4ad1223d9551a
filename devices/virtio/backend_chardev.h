/* The character backend of virtio-console: the terminal (with its Ctrl-A escapes), a file, or a Unix stream socket, as input and output fds. */
#ifndef KEEL_DEVICES_VIRTIO_BACKEND_CHARDEV_H
#define KEEL_DEVICES_VIRTIO_BACKEND_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/virtio/config.h"
#include "vmm/term.h"

struct stop_ctl;

struct chardev {
	int in_fd;			/* -1: no input */
	int out_fd;			/* -1: output is dropped */
	bool own_in, own_out;		/* close them in chardev_close */
	bool out_is_socket;		/* send with MSG_NOSIGNAL rather than write */
	bool escapes;			/* the input is keel's stdin: Ctrl-A escapes apply */
	struct term term;		/* raw mode of that terminal */
	struct console_esc esc;		/* the escape processor's state between reads */
	struct stop_ctl *stop;		/* what Ctrl-A x asks to end the VM */
};

/*
 * chardev_open - open what @o names: the terminal (stdin, stdout), file:OUT[,in=IN] (OUT created
 * or truncated), or socket:PATH (connected). On the terminal Ctrl-A x ends the VM through @stop.
 * Returns 0 and the backend in *@out, or -errno with one line naming the problem in @err
 * ("--console SPEC: ...").
 */
int chardev_open(const struct virtio_console_opts *o, struct stop_ctl *stop, struct chardev **out, char *err,
		 size_t errlen);

/*
 * chardev_input - what the guest receives of @n bytes read from the backend's input: the bytes
 * as they are, or, from keel's terminal, through the Ctrl-A escapes (Ctrl-A x asks the VM to end
 * with status 0, Ctrl-A h prints the help on stderr, Ctrl-A Ctrl-A is one Ctrl-A). @out has room
 * for @n bytes. Returns how many bytes it holds; *@quit is set when the user quit: the rest of
 * this input is dropped and nothing more should be read.
 */
size_t chardev_input(struct chardev *c, const uint8_t *in, size_t n, uint8_t *out, bool *quit);

/* chardev_raw - put the terminal in raw mode when the input is a tty (restored by chardev_close). */
void chardev_raw(struct chardev *c);

/* chardev_close - restore the terminal, close what it opened, free; NULL is fine. */
void chardev_close(struct chardev *c);

#endif
