/* Console backends: keel's terminal, an output (and optional input) file, or a connected Unix stream socket. */
#include "devices/virtio/backend_chardev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "vmm/image.h"
#include "vmm/log.h"

static int cd_fail(struct chardev *c, const char *spec, int err, char *buf, size_t len, const char *why)
{
	snprintf(buf, len, "--console %s: %s", spec, why ? why : strerror(err));
	chardev_close(c);
	return -err;
}

static int cd_socket(struct chardev *c, const struct virtio_console_opts *o, char *err, size_t errlen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(o->path) >= sizeof(sa.sun_path))
		return cd_fail(c, o->spec, ENAMETOOLONG, err, errlen, "the socket path is too long");
	memcpy(sa.sun_path, o->path, strlen(o->path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return cd_fail(c, o->spec, errno, err, errlen, NULL);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		return cd_fail(c, o->spec, e, err, errlen, NULL);
	}
	c->in_fd = c->out_fd = fd;
	c->own_out = true;
	c->out_is_socket = true;
	return 0;
}

/* The output file and the optional input: regular files or character devices (/dev/null, a terminal), never a FIFO. */
static int cd_file(struct chardev *c, const struct virtio_console_opts *o, char *err, size_t errlen)
{
	const char *why;
	char msg[512];
	int fd;

	fd = image_open_fd(o->path, O_WRONLY | O_CREAT | O_TRUNC, 0644, true, &why);
	if (fd < 0)
		return cd_fail(c, o->spec, -fd, err, errlen, why);
	c->out_fd = fd;
	c->own_out = true;
	if (!o->in_path)
		return 0;
	fd = image_open_fd(o->in_path, O_RDONLY, 0, true, &why);
	if (fd < 0) {
		snprintf(msg, sizeof(msg), "in=%s: %s", o->in_path, why ? why : strerror(-fd));
		return cd_fail(c, o->spec, -fd, err, errlen, msg);
	}
	c->in_fd = fd;
	c->own_in = true;
	return 0;
}

int chardev_open(const struct virtio_console_opts *o, struct stop_ctl *stop, struct chardev **out, char *err,
		 size_t errlen)
{
	struct chardev *c = calloc(1, sizeof(*c));
	int ret = 0;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->in_fd = c->out_fd = -1;
	c->stop = stop;
	term_init(&c->term);
	console_esc_init(&c->esc);
	switch (o->kind) {
	case VIRTIO_CONSOLE_TERMINAL:
		c->in_fd = fcntl(STDIN_FILENO, F_GETFL) >= 0 ? STDIN_FILENO : -1;
		c->out_fd = STDOUT_FILENO;
		c->escapes = true;
		break;
	case VIRTIO_CONSOLE_FILE:
		ret = cd_file(c, o, err, errlen);
		break;
	case VIRTIO_CONSOLE_SOCKET:
		ret = cd_socket(c, o, err, errlen);
		break;
	default:
		snprintf(err, errlen, "--console: no virtio console asked for");
		free(c);
		return -EINVAL;
	}
	if (ret < 0)
		return ret;	/* cd_fail freed it */
	*out = c;
	return 0;
}

size_t chardev_input(struct chardev *c, const uint8_t *in, size_t n, uint8_t *out, bool *quit)
{
	size_t len = 0;

	*quit = false;
	if (!c->escapes) {
		memcpy(out, in, n);
		return n;
	}
	while (n) {
		enum console_esc_action act;
		size_t used, got;

		used = console_esc_feed(&c->esc, in, n, out + len, &got, &act);
		len += got;
		in += used;
		n -= used;
		if (console_esc_act(act, c->stop)) {
			*quit = true;
			break;
		}
	}
	return len;
}

void chardev_raw(struct chardev *c)
{
	int ret;

	if (!c->escapes || c->in_fd < 0)
		return;
	ret = term_raw_enable(&c->term, c->in_fd);
	if (ret < 0)
		log_warn("console: cannot put the terminal in raw mode: %s", strerror(-ret));
}

void chardev_close(struct chardev *c)
{
	if (!c)
		return;
	term_restore(&c->term);
	if (c->own_in && c->in_fd >= 0 && c->in_fd != c->out_fd)
		close(c->in_fd);
	if (c->own_out && c->out_fd >= 0)
		close(c->out_fd);
	free(c);
}
