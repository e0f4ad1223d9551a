/* The character backend of virtio-console: the terminal, a file, or a Unix stream socket, as input and output fds. */
#ifndef KEEL_DEVICES_VIRTIO_BACKEND_CHARDEV_H
#define KEEL_DEVICES_VIRTIO_BACKEND_CHARDEV_H

#include <stdbool.h>
#include <stddef.h>

#include "devices/virtio/config.h"
#include "vmm/term.h"

struct chardev {
	int in_fd;			/* -1: no input */
	int out_fd;			/* -1: output is dropped */
	bool own_in, own_out;		/* close them in chardev_close */
	bool out_is_socket;		/* send with MSG_NOSIGNAL rather than write */
	bool escapes;			/* the input is keel's stdin: Ctrl-A escapes apply */
	struct term term;		/* raw mode of that terminal */
};

/*
 * chardev_open - open what @o names: the terminal (stdin, stdout), file:OUT[,in=IN] (OUT created
 * or truncated), or socket:PATH (connected). Returns 0 and the backend in *@out, or -errno with
 * one line naming the problem in @err ("--console SPEC: ...").
 */
int chardev_open(const struct virtio_console_opts *o, struct chardev **out, char *err, size_t errlen);

/* chardev_raw - put the terminal in raw mode when the input is a tty (restored by chardev_close). */
void chardev_raw(struct chardev *c);

/* chardev_close - restore the terminal, close what it opened, free; NULL is fine. */
void chardev_close(struct chardev *c);

#endif
