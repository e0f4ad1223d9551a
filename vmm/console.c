/* The console: reads stdin on the event loop, applies the Ctrl-A escapes, feeds COM1 with flow control. */
#include "vmm/console.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/uart.h"
#include "vmm/log.h"
#include "vmm/term.h"
#include "vmm/vm.h"

#define CONSOLE_CHUNK 1024u	/* most bytes taken from the input per read */
#define CONSOLE_FILE_READS 8u	/* most reads of a non-pollable input per loop turn */

/* How the input fd is read. */
enum console_input {
	CONSOLE_IN_OFF,		/* no input: none to begin with, or ended */
	CONSOLE_IN_POLL,	/* epoll tells when it is readable (tty, pipe, socket) */
	CONSOLE_IN_FILE,	/* epoll refused it (file, /dev/null): read as room allows */
};

/*
 * Every field is used on the loop's thread only; vCPU threads reach the console solely through
 * console_room(), which writes room_efd.
 */
struct console {
	struct vm *vm;
	struct uart *uart;
	int in_fd;
	enum console_input mode;
	bool watching;			/* in_fd is registered on the loop */
	int room_efd;			/* eventfd: the UART has room (or: do the first file read) */
	struct console_esc esc;
	struct term term;
	uint8_t pend[CONSOLE_CHUNK];	/* escaped bytes the UART has not taken yet */
	size_t pend_off, pend_len;
};

/* Ask the loop to call console_on_room soon. */
static void console_kick(struct console *c)
{
	uint64_t one = 1;

	if (write(c->room_efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		log_debug("console: room eventfd: %s", strerror(errno));
}

/* Called by the UART, on a vCPU thread with the UART locked: only poke the loop. */
static void console_room(void *ctx)
{
	console_kick(ctx);
}

static void console_on_input(void *opaque, int fd, uint32_t events);

/* No more input from now on. */
static void console_input_off(struct console *c, const char *why)
{
	if (c->watching)
		evloop_del(&c->vm->plat.loop, c->in_fd);
	c->watching = false;
	if (c->mode != CONSOLE_IN_OFF)
		log_debug("console: %s; no more input", why);
	c->mode = CONSOLE_IN_OFF;
}

/* Stop watching a pollable input until the UART has room. */
static void console_pause(struct console *c)
{
	/* Deleted rather than set to no events: epoll would still report a hang-up, over and over. */
	if (c->watching)
		evloop_del(&c->vm->plat.loop, c->in_fd);
	c->watching = false;
}

static void console_resume(struct console *c)
{
	int ret;

	if (c->watching)
		return;
	ret = evloop_add(&c->vm->plat.loop, c->in_fd, EPOLLIN, console_on_input, c);
	if (ret < 0) {
		log_warn("console: cannot watch the input again: %s", strerror(-ret));
		console_input_off(c, "input lost");
		return;
	}
	c->watching = true;
}

/* Hand pending bytes to the UART. Returns true when none are left. */
static bool console_flush(struct console *c)
{
	size_t n;

	if (!c->pend_len)
		return true;
	n = uart_receive(c->uart, c->pend + c->pend_off, c->pend_len);
	c->pend_off += n;
	c->pend_len -= n;
	if (c->pend_len)
		return false;	/* the UART is full: its room notification will follow */
	c->pend_off = 0;
	return true;
}

/* Escape and queue @len (<= CONSOLE_CHUNK) bytes read while nothing was pending. */
static void console_input(struct console *c, const uint8_t *buf, size_t len)
{
	while (len && c->mode != CONSOLE_IN_OFF) {
		enum console_esc_action act;
		size_t used, n;

		/* Escaping never adds bytes, so the output fits in pend behind what is left. */
		used = console_esc_feed(&c->esc, buf, len, c->pend + c->pend_off + c->pend_len, &n,
					&act);
		c->pend_len += n;
		buf += used;
		len -= used;
		if (act == CONSOLE_ESC_NONE)
			continue;
		console_flush(c);	/* what came before the escape reaches the UART first */
		if (console_esc_act(act, &c->vm->plat.stop)) {
			console_input_off(c, "quit");
			return;
		}
	}
	console_flush(c);
}

/* One read(2) of at most @room bytes into the UART. Returns bytes read, 0 at EOF, or -errno. */
static ssize_t console_read_once(struct console *c, size_t room)
{
	uint8_t buf[CONSOLE_CHUNK];
	ssize_t n;

	if (room > sizeof(buf))
		room = sizeof(buf);
	n = read(c->in_fd, buf, room);
	if (n < 0)
		return -errno;
	if (n > 0)
		console_input(c, buf, (size_t)n);
	return n;
}

/* The read returned @n <= 0: decide what that means. Returns true to try again. */
static bool console_read_failed(struct console *c, ssize_t n)
{
	if (n == 0) {
		console_input_off(c, "end of input");
		return false;
	}
	if (n == -EINTR)
		return true;
	if (n == -EAGAIN && c->mode == CONSOLE_IN_POLL)
		return false;	/* spurious wake-up: wait for the next one */
	console_input_off(c, strerror((int)-n));
	return false;
}

/* The input fd is readable, hung up or in error: read once (never block the loop). */
static void console_on_input(void *opaque, int fd, uint32_t events)
{
	struct console *c = opaque;
	size_t room;
	ssize_t n;

	(void)fd;
	(void)events;
	room = console_flush(c) ? uart_rx_space(c->uart) : 0;
	if (!room) {
		console_pause(c);
		return;
	}
	do {
		n = console_read_once(c, room);
	} while (n <= 0 && console_read_failed(c, n));
	if (c->mode == CONSOLE_IN_POLL && (c->pend_len || uart_rx_space(c->uart) == 0))
		console_pause(c);
}

/* Read a file that epoll cannot watch until the UART is full, the file ends, or our turn is up. */
static void console_read_file(struct console *c)
{
	for (unsigned int i = 0; i < CONSOLE_FILE_READS; i++) {
		size_t room;
		ssize_t n;

		if (c->mode != CONSOLE_IN_FILE || c->pend_len)
			return;
		room = uart_rx_space(c->uart);
		if (!room)
			return;	/* the room notification brings us back */
		n = console_read_once(c, room);
		if (n <= 0 && !console_read_failed(c, n))
			return;
	}
	/* A guest that reads as fast as we feed it must not keep the loop from its other fds. */
	console_kick(c);
}

/* The UART has room again (or the first read of a file is due). */
static void console_on_room(void *opaque, int fd, uint32_t events)
{
	struct console *c = opaque;
	uint64_t v;

	(void)events;
	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_debug("console: room eventfd: %s", strerror(errno));
	if (!console_flush(c))
		return;
	if (c->mode == CONSOLE_IN_POLL)
		console_resume(c);
	else if (c->mode == CONSOLE_IN_FILE)
		console_read_file(c);
}

/* Decide how @c->in_fd is read and start reading it. */
static void console_open_input(struct console *c)
{
	int fl, ret;

	fl = fcntl(c->in_fd, F_GETFL);
	if (fl < 0) {
		log_debug("console: input fd %d is not open; no input", c->in_fd);
		return;
	}
	if ((fl & O_ACCMODE) == O_WRONLY) {
		log_debug("console: input fd %d is not readable; no input", c->in_fd);
		return;
	}
	ret = evloop_add(&c->vm->plat.loop, c->in_fd, EPOLLIN, console_on_input, c);
	if (ret == 0) {
		c->mode = CONSOLE_IN_POLL;
		c->watching = true;
	} else if (ret == -EPERM) {
		c->mode = CONSOLE_IN_FILE;
		/* The first chunk is read from the loop, like every later one. */
		console_kick(c);
	} else {
		log_debug("console: cannot watch input fd %d: %s; no input", c->in_fd,
			  strerror(-ret));
	}
}

int console_create(struct vm *vm, int in_fd, struct console **out)
{
	struct console *c;
	int ret;

	if (!vm->uart)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->vm = vm;
	c->uart = vm->uart;
	c->in_fd = in_fd;
	c->mode = CONSOLE_IN_OFF;
	console_esc_init(&c->esc);
	term_init(&c->term);
	c->room_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->room_efd < 0) {
		ret = -errno;
		free(c);
		return ret;
	}
	ret = evloop_add(&vm->plat.loop, c->room_efd, EPOLLIN, console_on_room, c);
	if (ret < 0) {
		close(c->room_efd);
		free(c);
		return ret;
	}
	uart_set_room_notify(c->uart, console_room, c);
	console_open_input(c);
	if (c->mode != CONSOLE_IN_OFF) {
		ret = term_raw_enable(&c->term, in_fd);
		if (ret < 0)
			log_warn("console: cannot put the terminal in raw mode: %s", strerror(-ret));
	}
	*out = c;
	return 0;
}

void console_destroy(struct console *c)
{
	if (!c)
		return;
	/* After this returns the UART no longer calls console_room. */
	uart_set_room_notify(c->uart, NULL, NULL);
	console_input_off(c, "console closed");
	evloop_del(&c->vm->plat.loop, c->room_efd);
	close(c->room_efd);
	term_restore(&c->term);
	free(c);
}

bool console_has_input(const struct console *c)
{
	return c && c->mode != CONSOLE_IN_OFF;
}
